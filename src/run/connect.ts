/**
 * `connect(url)`: a database handle from a URL. `sqlite://path` (relative to the working
 * directory, `sqlite:///abs/path` absolute, `sqlite://:memory:`), `postgres://…`, `mysql://…`.
 */
import { TerrapinFailure, configurationError } from '../errors'
import { openSqlite } from './better-sqlite3'
import { Executor, ExecutorOptions } from './executor'
import { Db, makeDb } from './run'

export interface ConnectOptions extends ExecutorOptions {
  /** Pool size (PostgreSQL, MySQL); also `?pool=` in the URL. */
  readonly pool?: number
  /** Connect timeout in milliseconds; also `?connectTimeout=` in the URL. */
  readonly connectTimeoutMs?: number
  /** Idle timeout in milliseconds for pooled connections; also `?idleTimeout=`. */
  readonly idleTimeoutMs?: number
}

type Opener = (url: URL, raw: string, options: ConnectOptions) => Executor

const sqliteOpener: Opener = (_url, raw, options) => {
  const rest = raw.slice('sqlite://'.length).split('?')[0]
  return openSqlite(rest === '' ? ':memory:' : decodeURIComponent(rest), options)
}

/** Runners register here so that a user installs only the driver they use. */
const openers: Record<string, Opener> = { sqlite: sqliteOpener }

export const registerOpener = (scheme: string, opener: Opener): void => {
  openers[scheme] = opener
}

const open = new Set<Executor>()

/** A URL without its password, for messages. */
const redact = (url: string): string => url.replace(/:[^:@/]*@/, ':***@')

/**
 * Opens a database from a URL. Throws a `TerrapinFailure` holding a `ConfigurationError` for a
 * malformed URL or an unknown scheme (a start-up mistake, not a runtime condition).
 *
 * @example
 * const db = connect('sqlite://db.sqlite3')
 */
export const connect = (url: string, options: ConnectOptions = {}): Db => {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1].toLowerCase()
  const opener = scheme && openers[scheme === 'postgresql' ? 'postgres' : scheme === 'mariadb' ? 'mysql' : scheme]
  if (!opener) throw new TerrapinFailure(configurationError(`not a database URL: ${redact(url)} (use sqlite://path, postgres://… or mysql://…)`))
  let parsed: URL
  try {
    parsed = new URL(scheme === 'sqlite' ? 'sqlite://localhost' : url)
  } catch {
    throw new TerrapinFailure(configurationError(`not a database URL: ${redact(url)}`))
  }
  const ex = opener(parsed, url, options)
  open.add(ex)
  const close = ex.close
  return makeDb({ ...ex, close: async () => { open.delete(ex); await close() } })
}

/** Closes every database `connect` opened and has not been closed. */
export const closeAll = async (): Promise<void> => {
  const all = [...open]
  open.clear()
  await Promise.all(all.map((ex) => ex.close()))
}

/** Closes one database handle. */
export const close = (db: Db): Promise<void> => db.executor.close()
