/**
 * Timing: a warm-up, then batches of calls until the sample time is spent; ops/s is calls over
 * the time spent. Every call is awaited, whether the library returns a promise or not, so all
 * libraries pay the same one microtask per call. The clock is the process's CPU time for an
 * in-process database (SQLite: on a shared machine, other processes' load does not count) and
 * wall time for a server (its work happens elsewhere). The libraries take turns in short slices.
 * Memory: the heap a result keeps alive.
 */
import { getHeapSpaceStatistics } from 'v8'
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
/** A collection of the young generation only, which V8 does not shrink afterwards. */
const minorGc = (): void => (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc?.({ type: 'minor' })

/**
 * Times several operations side by side for about `ms` milliseconds each (after `warmMs` of
 * warm-up each): in turns, each operation runs a batch of calls sized to take about `sliceMs`,
 * the order reversed every other turn, until every operation has had its time. A machine's
 * speed drifts over hundreds of milliseconds (an SQLite update's cost moves by 15% between
 * stretches of 50 ms in one process, a server's round trip more): libraries timed one after the
 * other in long samples each meet a different stretch, while slices a few milliseconds apart
 * meet the same one. A full collection first (with `--expose-gc`, as `npm run bench` runs), so
 * no library starts with another one's garbage from an earlier workload; within a round the
 * young generation fills with everyone's garbage in turn and each scavenge falls in the slice
 * it interrupts (a scavenge's cost is its survivors', and fresh memory's cost is paid when it is
 * allocated: the bytes-per-call table shows who allocates). Where a call takes ten slices or
 * more, every slice starts on a collected heap, untimed.
 */
export const interleaved = async (
  ops: ReadonlyArray<Op>,
  ms: number,
  warmMs: number,
  next: { i: number },
  clock: Clock,
  sliceMs: number,
): Promise<Sample[]> => {
  gc()
  const batches: number[] = []
  let long = false
  for (const op of ops) {
    let calls = 0
    const w0 = now()
    while (now() - w0 < warmMs || calls < 2) {
      await op(next.i++)
      calls++
    }
    const perCall = (now() - w0) / calls
    long ||= perCall >= 10 * sliceMs
    batches.push(Math.max(1, Math.round(sliceMs / perCall)))
  }
  gc()
  const spent = ops.map(() => ({ ops: 0, wallMs: 0, cpuMs: 0 }))
  const short = (): boolean => spent.some((s) => (clock === 'cpu' ? s.cpuMs : s.wallMs) < ms)
  for (let turn = 0; short(); turn++)
    for (let k = 0; k < ops.length; k++) {
      const j = turn % 2 === 0 ? k : ops.length - 1 - k
      const op = ops[j]
      const batch = batches[j]
      // Calls of ten slices or more (decoding 100,000 rows) each start on a collected heap, so
      // that the old generation one library's rows filled is not collected in another's time.
      // Not for shorter ones: after a full collection V8 shrinks the young generation, and the
      // next call pays for growing it again (bench/README). Those start on a collected young
      // generation instead, so that no column pays for the garbage the one before it left (the
      // order of the columns alternates, but the raw driver's neighbour is always a terrapin one).
      if (long) gc()
      else minorGc()
      const c0 = cpuMs()
      const t0 = now()
      for (let n = 0; n < batch; n++) await op(next.i++)
      const s = spent[j]
      s.wallMs += now() - t0
      s.cpuMs += cpuMs() - c0
      s.ops += batch
    }
  return spent.map((s) => ({ ...s, opsPerSec: (s.ops * 1000) / (clock === 'cpu' ? s.cpuMs : s.wallMs) }))
}

const newSpace = (): { used: number; available: number } => {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')
  return { used: s?.space_used_size ?? 0, available: s?.space_available_size ?? 0 }
}

/**
 * Bytes of JavaScript heap one call allocates, garbage included (undefined without
 * `--expose-gc`, or when one call takes more than the young generation has room for): the
 * young generation's fill before and after as many calls as fit in it from empty, so that no
 * collection runs in between. Next to a database's own work, fresh memory costs several times
 * its allocation: it walks through cache lines that held the database's pages (bench/README.md,
 * "What is left").
 */
export const allocatedBytes = async (op: Op, next: { i: number }): Promise<number | undefined> => {
  if (!(globalThis as { gc?: () => void }).gc) return undefined
  gc()
  const probe = newSpace()
  await op(next.i++)
  const one = newSpace().used - probe.used
  if (one <= 0 || one > probe.available / 4) return undefined
  const calls = Math.min(200, Math.floor(probe.available / 2 / one))
  gc()
  // what reading the counter itself allocates, taken off
  const a = newSpace()
  const b = newSpace()
  const reading = b.used - a.used
  const start = newSpace()
  for (let k = 0; k < calls; k++) await op(next.i++)
  const end = newSpace()
  return end.used > start.used ? (end.used - start.used - reading) / calls : undefined
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
