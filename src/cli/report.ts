/**
 * How the command line fails: a `CliError` carries its exit code (1 failed, 2 bad usage) and one
 * line that says what to do; `describe` turns any error (terrapin's typed errors, the engine's,
 * something thrown) into that line.
 */
import { isTerrapinError } from '../errors'

/** Exit codes: 0 done, 1 failed, 2 bad usage. */
export type ExitCode = 0 | 1 | 2

export interface CliError {
  readonly _tag: 'CliError'
  readonly exit: 1 | 2
  /** One line, saying what went wrong and what to do about it. */
  readonly message: string
  /** What was caught, for `--verbose`. */
  readonly cause?: unknown
}

/** A mistake in the command line itself (exit code 2). */
export const usage = (message: string): CliError => ({ _tag: 'CliError', exit: 2, message })

/** A command that could not do its work (exit code 1). */
export const failed = (message: string, cause?: unknown): CliError => ({ _tag: 'CliError', exit: 1, message, cause })

export const isCliError = (u: unknown): u is CliError =>
  typeof u === 'object' && u !== null && (u as CliError)._tag === 'CliError'

/** A `CliError` as something to throw (or reject with): an `Error` that carries it. */
export class CliFailure extends Error {
  readonly error: CliError
  constructor(error: CliError) {
    super(error.message)
    this.name = 'CliError'
    this.error = error
  }
}

/** Keeps the first line of a message: a driver's message may run on with details. */
const oneLine = (s: string): string => s.split('\n')[0].trim()

/** What to do about each kind of terrapin error, when its own message does not say. */
const HINTS: Readonly<Record<string, string>> = {
  ConnectionError: 'check that the database server runs and the URL in your config',
  ConfigurationError: 'fix the config module',
  QueryError: 'the database refused a statement',
}

/**
 * Any error as a `CliError`: the engine's and terrapin's typed errors keep their message (with a
 * hint where the message names no remedy); an unexpected throw becomes "failed: …".
 */
export const describe = (e: unknown, context?: string): CliError => {
  const prefix = context ? `${context}: ` : ''
  if (e instanceof CliFailure) return describe(e.error, context)
  if (isCliError(e)) return context ? { ...e, message: `${prefix}${e.message}` } : e
  if (
    isTerrapinError(e) ||
    (typeof e === 'object' && e !== null && typeof (e as { _tag?: unknown })._tag === 'string' && 'message' in e)
  ) {
    const tag = (e as { _tag: string })._tag
    const msg = oneLine(String((e as { message: unknown }).message))
    const hint = HINTS[tag]
    // The engine's messages may name the app themselves.
    const own = context && msg.includes(context) ? '' : prefix
    return failed(`${own}${msg}${hint && !msg.includes(hint) ? ` (${hint})` : ''}`, e)
  }
  if (e instanceof Error) {
    const inner = (e as { error?: unknown }).error
    if (inner !== undefined && isTerrapinError(inner)) return describe(inner, context)
    return failed(`${prefix}${oneLine(e.message)}`, e)
  }
  return failed(`${prefix}${oneLine(String(e))}`, e)
}

/** The details `--verbose` prints under the one line: the stack, or the error value. */
export const details = (e: CliError): string | undefined => {
  const c = e.cause
  if (c === undefined) return undefined
  if (c instanceof Error) return c.stack ?? c.message
  const inner = (c as { cause?: unknown }).cause
  const own = JSON.stringify(
    c,
    (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Error ? undefined : v),
    2,
  )
  return inner instanceof Error ? `${own}\n${inner.stack ?? inner.message}` : own
}
