/**
 * Timing: a warm-up, then batches of calls until the sample time is spent; ops/s is calls over
 * the time spent. Every call is awaited, whether the library returns a promise or not, so all
 * libraries pay the same one microtask per call. The clock is the process's CPU time for an
 * in-process database (SQLite: on a shared machine, other processes' load does not count) and
 * wall time for a server (its work happens elsewhere). Each sample starts on a collected heap.
 * Memory: the heap a result keeps alive.
 */
import { Op } from './impl/types'

const now = (): number => performance.now()

export type Clock = 'cpu' | 'wall'

export interface Sample {
  readonly ops: number
  readonly wallMs: number
  readonly cpuMs: number
  readonly opsPerSec: number
}

const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

/**
 * Runs `op` for about `ms` milliseconds (after `warmMs` of warm-up); `next` numbers the calls.
 * A full collection first (with `--expose-gc`, as `npm run bench` runs): the libraries take
 * turns, and the garbage one left behind would otherwise be collected in the next one's time.
 */
export const sample = async (op: Op, ms: number, warmMs: number, next: { i: number }, clock: Clock): Promise<Sample> => {
  gc()
  let calls = 0
  const w0 = now()
  while (now() - w0 < warmMs || calls < 2) {
    await op(next.i++)
    calls++
  }
  const perCall = (now() - w0) / calls
  const batch = Math.max(1, Math.floor(2 / perCall))
  let ops = 0
  const c0 = cpuMs()
  const t0 = now()
  let t1 = t0
  do {
    for (let k = 0; k < batch; k++) await op(next.i++)
    ops += batch
    t1 = now()
  } while (t1 - t0 < ms)
  const spent = { wallMs: t1 - t0, cpuMs: cpuMs() - c0 }
  return { ops, ...spent, opsPerSec: (ops * 1000) / (clock === 'cpu' ? spent.cpuMs : spent.wallMs) }
}

/** Bytes of heap that one call's result keeps alive (undefined without `--expose-gc`). */
export const retainedBytes = async (op: Op, i: number): Promise<number | undefined> => {
  if (!(globalThis as { gc?: () => void }).gc) return undefined
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  const result = await op(i)
  gc()
  gc()
  const after = process.memoryUsage().heapUsed
  if (result === undefined) return undefined
  return after - before
}

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
