/**
 * What the pooled runners (PostgreSQL, MySQL) share besides the `onQuery` hook (`hook.ts`): the
 * connection options terrapin reads from a URL before handing it on, session changes, cancelling
 * a running statement, the socket errors, and what a COMMIT that lost its connection means.
 */
import { TerrapinError, TerrapinFailure, transactionError } from '../errors'
import { abortFailure } from './cancel'
import { ExecutorOptions } from './executor'
import { Classify } from './hook'

/** What `rowSink` gives: a row handler and the end of the read. */
export interface RowSink<A> {
  readonly row: (row: ReadonlyArray<unknown>) => void
  readonly end: () => A[]
}

/**
 * Rows decoded one by one as the driver hands them over (`Executor.decoded`, PostgreSQL's). After
 * a row fails to decode, the rest are read and dropped; `end` then throws the first failure, else
 * gives the rows.
 */
export const rowSink = <A>(decode: (row: ReadonlyArray<unknown>) => A): RowSink<A> => {
  const out: A[] = []
  let failure: { error: unknown } | undefined
  return {
    row: (row: ReadonlyArray<unknown>): void => {
      if (failure) return
      try {
        out.push(decode(row))
      } catch (e) {
        failure = { error: e }
      }
    },
    end: (): A[] => {
      if (failure) throw failure.error
      return out
    },
  }
}

/** Connection options every pooled runner takes (from `connect`'s options and URL). */
export interface PoolOptions extends ExecutorOptions {
  readonly pool?: number
  readonly connectTimeoutMs?: number
  readonly idleTimeoutMs?: number
}

/** Query parameters of a database URL that terrapin reads itself (not passed to the driver). */
export const OWN_PARAMS: ReadonlyArray<string> = ['pool', 'connectTimeout', 'idleTimeout', 'statementTimeout']

/** The URL without terrapin's own query parameters (and those the runner read itself, `also`). */
export const driverUrl = (url: URL, also: ReadonlyArray<string> = []): URL => {
  const u = new URL(url.href)
  for (const p of OWN_PARAMS) u.searchParams.delete(p)
  for (const p of also) u.searchParams.delete(p)
  return u
}

/**
 * Whether a raw statement may change the state of its session, which would then outlive it on a
 * pooled connection: `SET …`/`RESET …`/`USE …`/`DISCARD …` at its start, PostgreSQL's
 * `set_config(…)`, MySQL's assignment of a user variable (`:=`, `INTO @…`). Conservative: a
 * statement that only mentions them costs a reset, never a leak.
 */
export const changesSession = (sql: string): boolean => SESSION_STATEMENT.test(sql)

const SESSION_STATEMENT =
  /^(?:\s|\(|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:SET|RESET|USE|DISCARD)\b|\bset_config\s*\(|:=|\bINTO\s+@/i

/**
 * A running statement's promise, its statement cancelled by `cancel` if `signal` aborts before
 * it settles; a failure after the abort is the signal's typed error.
 */
export const cancelling = <A>(signal: AbortSignal, p: Promise<A>, cancel: () => void, sql: string): Promise<A> => {
  const onAbort = (): void => cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  return p.then(
    (a) => {
      signal.removeEventListener('abort', onAbort)
      return a
    },
    (e: unknown) => {
      signal.removeEventListener('abort', onAbort)
      throw signal.aborted ? abortFailure(signal, sql) : e
    },
  )
}

/** Node's codes of a socket that could not connect or was lost (every pooled driver surfaces them). */
export const SOCKET_ERRORS: ReadonlyArray<string> = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]

/**
 * What a transaction whose COMMIT failed with `e` rejects with: `lostAtCommit` when the
 * connection was lost, else `e`.
 */
export const atCommit = (e: unknown, classify: Classify): unknown => {
  const lost = classify(e, 'COMMIT')
  return lost._tag === 'ConnectionError' ? lostAtCommit(lost) : e
}

/**
 * A connection lost while its COMMIT was on the way: the server may have committed or not, and
 * the client cannot know, so running the transaction again is not safe (not retryable).
 */
export const lostAtCommit = (cause: TerrapinError): TerrapinFailure =>
  new TerrapinFailure(
    transactionError(
      `the connection was lost during COMMIT: the transaction may or may not have committed (check before running it again): ${cause.message}`,
      false,
      cause,
    ),
  )
