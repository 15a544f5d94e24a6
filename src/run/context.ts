/**
 * An `AsyncLocalStorage` that is on only while something runs inside it. Node's async context
 * tracking, once on, costs every promise the process makes (about twice the time of a resolved
 * promise's turn), plans outside any transaction included; so the storage turns itself off
 * again when nothing has run inside it for a while (and on at its next `run`). Values set before
 * it was turned off may still be seen by their own async contexts: a caller checks that the
 * value is still current.
 */
import { AsyncLocalStorage } from 'async_hooks'

/** How long the storage stays on after the last `run` inside it ended (a busy program keeps it on). */
const IDLE_MS = 1000

export interface Context<T> {
  /** Runs `f` with `value` as the store of its async context. */
  readonly run: <A>(value: T, f: () => Promise<A>) => Promise<A>
  /** The store of the caller's async context; undefined when none is set or nothing runs inside. */
  readonly get: () => T | undefined
}

export const context = <T>(): Context<T> => {
  const als = new AsyncLocalStorage<T>()
  let running = 0
  let timer: NodeJS.Timeout | undefined
  const idle = (): void => {
    timer = undefined
    if (running === 0) als.disable()
  }
  const ended = (): void => {
    if (--running === 0 && timer === undefined) timer = setTimeout(idle, IDLE_MS).unref()
  }
  return {
    run: async (value, f) => {
      running++
      try {
        return await als.run(value, f)
      } finally {
        ended()
      }
    },
    get: () => (running === 0 ? undefined : als.getStore()),
  }
}
