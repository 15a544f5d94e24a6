/**
 * Per-run options: a deadline (`timeoutMs`) and an `AbortSignal`. Both end as one signal; a
 * statement started after it has fired is refused before it is sent, and a statement running
 * when it fires is cancelled on the server by the runner (`Executor.withSignal`: PostgreSQL's
 * cancel request, MySQL's `KILL QUERY`), which frees its connection. Either way the run's
 * error is a `QueryError` with `code` `'TIMEOUT'` or `'CANCELLED'`. SQLite cannot interrupt a
 * statement: there the signal is only checked between statements, and a deadline is refused.
 */
import { ConfigurationError, QueryError, TerrapinFailure, configurationError, queryError } from '../errors'
import { Executor } from './executor'

/** What `run(db, options)` takes. */
export interface RunOptions {
  /**
   * A deadline for the whole run in milliseconds: statements still running then are cancelled
   * on the server, and the run fails with a `QueryError` of code `'TIMEOUT'`. Not on SQLite (a
   * `ConfigurationError`: SQLite cannot interrupt a statement).
   */
  readonly timeoutMs?: number
  /**
   * Cancels the run: nothing more is sent once it has aborted, a statement running then is
   * cancelled on the server (PostgreSQL, MySQL/MariaDB; on SQLite it runs to its end), and
   * the run fails with a `QueryError` of code `'CANCELLED'` (`'TIMEOUT'` when the signal's
   * reason is a `TimeoutError`, as `AbortSignal.timeout` gives).
   */
  readonly signal?: AbortSignal
}

/** Whether a signal fired for a deadline (`AbortSignal.timeout`) rather than by a caller. */
const timedOut = (signal: AbortSignal): boolean =>
  (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'

/** The typed error of a statement refused or cancelled by its run's signal. */
export const abortError = (signal: AbortSignal, sql?: string): QueryError =>
  timedOut(signal)
    ? queryError('the statement timed out: cancelled at the deadline of its run', { sql, code: 'TIMEOUT' })
    : queryError('the statement was cancelled by its AbortSignal', { sql, code: 'CANCELLED' })

/** `abortError` as something to throw. */
export const abortFailure = (signal: AbortSignal, sql?: string): TerrapinFailure =>
  new TerrapinFailure(abortError(signal, sql))

/**
 * The signal a run's options make (the caller's, the deadline's, or both), a
 * `ConfigurationError` for a deadline that is not a non-negative number or that the runner
 * cannot keep, or undefined when there are no options to apply.
 */
export const signalOf = (ex: Executor, options: RunOptions): AbortSignal | ConfigurationError | undefined => {
  const { timeoutMs, signal } = options
  if (timeoutMs === undefined) return signal
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)
    return configurationError(`timeoutMs must be a non-negative number of milliseconds, got ${String(timeoutMs)}`)
  if (!ex.withSignal)
    return configurationError(
      `${ex.dialect.name} cannot interrupt a statement: a run's timeoutMs is refused there (an AbortSignal is checked between statements)`,
    )
  const deadline = AbortSignal.timeout(timeoutMs)
  return signal ? AbortSignal.any([signal, deadline]) : deadline
}

/**
 * The executor whose statements obey `signal`: refused once it has aborted, cancelled on the
 * server while running where the runner can (`withSignal`). A transaction's statements too.
 */
export const signalled = (ex: Executor, signal: AbortSignal): Executor =>
  checked(ex.withSignal ? ex.withSignal(signal) : ex, signal)

const checked = (ex: Executor, signal: AbortSignal): Executor =>
  // Inherits from the executor, so that its getters (`dialect`, `ready`) stay live.
  Object.create(ex, {
    all: {
      value: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) =>
        signal.aborted ? Promise.reject(abortFailure(signal, sql)) : ex.all(sql, params, bigint),
      enumerable: true,
    },
    decoded: {
      value:
        ex.decoded &&
        (<A>(
          sql: string,
          params: ReadonlyArray<unknown>,
          bigint: boolean,
          decode: (row: ReadonlyArray<unknown>) => A,
        ) => (signal.aborted ? Promise.reject(abortFailure(signal, sql)) : ex.decoded!(sql, params, bigint, decode))),
      enumerable: true,
    },
    run: {
      value: (sql: string, params: ReadonlyArray<unknown>) =>
        signal.aborted ? Promise.reject(abortFailure(signal, sql)) : ex.run(sql, params),
      enumerable: true,
    },
    allObjects: {
      value:
        ex.allObjects &&
        ((sql: string, params: ReadonlyArray<unknown>) =>
          signal.aborted ? Promise.reject(abortFailure(signal, sql)) : ex.allObjects!(sql, params)),
      enumerable: true,
    },
    // no direct call once aborted: the statement goes the awaited way, which refuses it
    sync: { value: ex.sync && (() => (signal.aborted ? undefined : ex.sync!())), enumerable: true },
    stream: {
      value:
        ex.stream &&
        async function* (sql: string, params: ReadonlyArray<unknown>, bigint: boolean, batchSize: number) {
          if (signal.aborted) throw abortFailure(signal, sql)
          for await (const batch of ex.stream!(sql, params, bigint, batchSize)) {
            yield batch
            if (signal.aborted) throw abortFailure(signal, sql)
          }
        },
      enumerable: true,
    },
    transaction: {
      value: <A>(f: (tx: Executor) => Promise<A>) =>
        signal.aborted ? Promise.reject(abortFailure(signal)) : ex.transaction((tx) => f(checked(tx, signal))),
      enumerable: true,
    },
    reserved: {
      value: ex.reserved && (<A>(f: (r: Executor) => Promise<A>) => ex.reserved!((r) => f(checked(r, signal)))),
      enumerable: true,
    },
  }) as Executor
