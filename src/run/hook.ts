/**
 * The `onQuery` hook around a runner's driver calls, written once for every runner: a promise of
 * a result (`observed`), a result at once (`observedNow`, SQLite), a stream of batches
 * (`reported`). Without a hook each is the call itself: no timing, no closure per call.
 */
import { TerrapinError, TerrapinFailure } from '../errors'
import { ExecutorOptions } from './executor'

/** A driver error as the typed union (the runner's `classify`). */
export type Classify = (e: unknown, sql?: string) => TerrapinError

/** Runs `f`, reporting its SQL, duration and row count (or classified error) to `onQuery`. */
export const observed = <A>(
  opts: ExecutorOptions,
  classify: Classify,
  sql: string,
  params: ReadonlyArray<unknown>,
  f: () => Promise<A>,
  count: (a: A) => number,
): Promise<A> => {
  const hook = opts.onQuery
  // f's own promise: an async function returning it would settle three microtasks later
  if (!hook) return f()
  const t0 = performance.now()
  const logged = opts.logParams ? params : undefined
  return f().then(
    (out) => {
      hook({ sql, params: logged, durationMs: performance.now() - t0, rows: count(out) })
      return out
    },
    (e: unknown) => {
      // a statement refused or cancelled by its run's signal carries its typed error already
      hook({
        sql,
        params: logged,
        durationMs: performance.now() - t0,
        rows: 0,
        error: e instanceof TerrapinFailure ? e.error : classify(e, sql),
      })
      throw e
    },
  )
}

/** `observed` for a driver that answers at once. */
export const observedNow = <A>(
  opts: ExecutorOptions,
  classify: Classify,
  sql: string,
  params: ReadonlyArray<unknown>,
  f: () => A,
  count: (a: A) => number,
): A => {
  if (!opts.onQuery) return f()
  const t0 = performance.now()
  try {
    const out = f()
    opts.onQuery({
      sql,
      params: opts.logParams ? params : undefined,
      durationMs: performance.now() - t0,
      rows: count(out),
    })
    return out
  } catch (e) {
    opts.onQuery({
      sql,
      params: opts.logParams ? params : undefined,
      durationMs: performance.now() - t0,
      rows: 0,
      error: classify(e, sql),
    })
    throw e
  }
}

/**
 * A stream's batches, passed on as they come, and one `onQuery` event when it ends: read to its
 * end, failed, or left early (the consumer's `break` ends `batches` too, which releases what the
 * runner holds for it). `t0`: when the stream began (a runner may wait for a connection first).
 */
export async function* reported<B extends ReadonlyArray<unknown>>(
  opts: ExecutorOptions,
  classify: Classify,
  sql: string,
  params: ReadonlyArray<unknown>,
  batches: AsyncIterable<B> | Iterable<B>,
  t0: number = performance.now(),
): AsyncGenerator<B> {
  let rows = 0
  let failure: unknown
  try {
    for await (const batch of batches) {
      rows += batch.length
      yield batch
    }
  } catch (e) {
    failure = e
    throw e
  } finally {
    opts.onQuery?.({
      sql,
      params: opts.logParams ? params : undefined,
      durationMs: performance.now() - t0,
      rows,
      error: failure === undefined ? undefined : classify(failure, sql),
    })
  }
}
