/**
 * `connect(url)`: a database handle from a URL. `sqlite://path` (relative to the working
 * directory, `sqlite:///abs/path` absolute, `sqlite://:memory:`), `postgres://…`, `mysql://…`.
 */
import { ConnectionError, TerrapinFailure, configurationError, connectionError } from '../errors'
import { dialects } from '../compile'
import { DialectName } from '../compile/dialect'
import { openSqlite } from './better-sqlite3'
import { OpenStreams, Owner, endable } from './endable'
import { Executor, ExecutorOptions, Isolation } from './executor'
import { openMysql } from './mysql2'
import { openPostgres } from './postgres'
import { Db, makeDb } from './statement'

/**
 * `connect`'s options (they win over the URL's query parameters): `pool`, `connectTimeoutMs`,
 * `idleTimeoutMs`, `statementTimeoutMs`, `onQuery`, `logParams`, `returning`.
 */
export interface ConnectOptions extends ExecutorOptions {
  /** Pool size (PostgreSQL, MySQL); also `?pool=` in the URL. */
  readonly pool?: number
  /** Connect timeout in milliseconds; also `?connectTimeout=` in the URL. */
  readonly connectTimeoutMs?: number
  /** Idle timeout in milliseconds for pooled connections; also `?idleTimeout=`. */
  readonly idleTimeoutMs?: number
  /**
   * A limit on every statement's running time, in milliseconds; also `?statementTimeout=` in
   * the URL (and a MariaDB URL's own `?max_statement_time=`, in seconds). See `ExecutorOptions`.
   */
  readonly statementTimeoutMs?: number
}

/**
 * Opens a runner on a URL. `synchronous`: its driver answers at once (SQLite), so a database it
 * could not open still answers `runSync` with the reason rather than "not synchronous".
 */
type Opener = ((url: URL, raw: string, options: ConnectOptions) => Executor) & { readonly synchronous?: boolean }

const sqliteOpener: Opener = Object.assign(
  (_url: URL, raw: string, options: ConnectOptions): Executor => {
    if (options.statementTimeoutMs !== undefined)
      throw new TerrapinFailure(
        configurationError(
          'SQLite cannot interrupt a statement: statementTimeoutMs is refused (a run can still take an AbortSignal)',
        ),
      )
    const rest = raw.slice('sqlite://'.length).split('?')[0]
    return openSqlite(rest === '' ? ':memory:' : decodeURIComponent(rest), options)
  },
  { synchronous: true },
)

/** Runners register here; each loads its driver only when opened, so a user installs only the one they use. */
const openers: Record<string, Opener> = {
  sqlite: sqliteOpener,
  postgres: (url, _raw, options) => openPostgres(url, options),
  mysql: (url, _raw, options) => openMysql(url, options),
}

const OPEN: unique symbol = Symbol.for('terrapin.openHandles')

export const registerOpener = (scheme: string, opener: Opener): void => {
  openers[scheme] = opener
}

/**
 * The handles `connect` opened and `closeAll` has not closed, kept on `globalThis` under a
 * registered symbol: an application that loads both builds of terrapin (ESM and CommonJS) has
 * two copies of this module, and `closeConnections()` from either must close what both opened.
 */
const open: Set<Executor> = ((globalThis as { [OPEN]?: Set<Executor> })[OPEN] ??= new Set<Executor>())

/** A URL without its password, for messages. */
export const redact = (url: string): string => url.replace(/:[^:@/]*@/, ':***@')

/**
 * Opens a database from a URL. Throws a `TerrapinFailure` holding a `ConfigurationError` for a
 * malformed URL or an unknown scheme (a start-up mistake, not a runtime condition).
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:') // 'sqlite://db.sqlite3', 'postgres://user:password@host:5432/db?pool=20', 'mysql://…'
 * await close(db)
 * ```
 */
export const connect = (url: string, options: ConnectOptions = {}): Db => {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1].toLowerCase()
  const opener = scheme && openers[scheme === 'postgresql' ? 'postgres' : scheme === 'mariadb' ? 'mysql' : scheme]
  if (!opener)
    throw new TerrapinFailure(
      configurationError(`not a database URL: ${redact(url)} (use sqlite://path, postgres://… or mysql://…)`),
    )
  let parsed: URL
  try {
    // a SQLite path is not a host: only its query parameters are read
    parsed = new URL(
      scheme === 'sqlite' ? `sqlite://localhost${url.includes('?') ? url.slice(url.indexOf('?')) : ''}` : url,
    )
  } catch {
    throw new TerrapinFailure(configurationError(`not a database URL: ${redact(url)}`))
  }
  const merged = withUrlOptions(parsed, options)
  if (typeof merged === 'string') throw new TerrapinFailure(configurationError(`${merged} in ${redact(url)}`))
  let ex: Executor
  try {
    ex = opener(parsed, url, merged)
  } catch (e) {
    // A missing driver is a set-up mistake (thrown); a database that cannot be opened (a SQLite
    // file in a missing folder) is a runtime condition, the error of every query.
    if (e instanceof TerrapinFailure) throw e
    const name = (scheme === 'postgresql' ? 'postgres' : scheme === 'mariadb' ? 'mysql' : scheme) as DialectName
    ex = unopened(
      name,
      connectionError(`cannot open ${redact(url)}: ${e instanceof Error ? e.message : String(e)}`, e),
      opener.synchronous === true,
    )
  }
  const safe = guarded(ex)
  open.add(safe)
  return makeDb(safe)
}

/**
 * The runner's executor, made safe to close at any time: `close` waits for the transactions in
 * progress (a pool would otherwise kill their connections mid-way), and every call after it
 * fails with a `ConnectionError` (never a driver crash), on every dialect alike. Streams in
 * progress it ends instead, since one may be left unfinished for good, holding its connection
 * (and SQLite's cannot close while one is read): their loop fails with that error at its next
 * batch.
 */
const guarded = (ex: Executor): Executor => {
  const g: Guard = { ex, self: ex, closing: undefined, active: new Set(), streams: new Set(), owner: undefined! }
  g.owner = { open: g.streams, isOpen: () => !g.closing, refused: closed }
  return (g.self = view(g, ex))
}

/** What a handle made safe to close keeps: whether it is closing, what is in progress. */
interface Guard {
  /** The runner's executor. */
  readonly ex: Executor
  /** The handle `connect` gave (kept in `open` until closed). */
  self: Executor
  closing: Promise<void> | undefined
  /** Statements and transactions in progress, which `close` waits for. */
  readonly active: Set<Promise<unknown>>
  /** How to end each stream in progress. */
  readonly streams: OpenStreams
  owner: Owner
}

const closed = (): TerrapinFailure => new TerrapinFailure(connectionError('the database is closed'))

/** `p`, kept among the work in progress until it settles. */
const track = <A>(g: Guard, p: Promise<A>): Promise<A> => {
  g.active.add(p)
  const done = () => void g.active.delete(p)
  p.then(done, done)
  return p
}

/** Closes once: ends the streams, waits for the work in progress, then closes the runner. */
const closeGuarded = (g: Guard): Promise<void> =>
  (g.closing ??= (async () => {
    open.delete(g.self)
    await Promise.allSettled([...g.streams].map((end) => end()))
    await Promise.allSettled([...g.active])
    await g.ex.close()
  })())

/** The handle's statement calls: each refused once the database is closing, else tracked. */
const statements = (g: Guard, inner: Executor): PropertyDescriptorMap => ({
  all: {
    value: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) =>
      g.closing ? Promise.reject(closed()) : track(g, inner.all(sql, params, bigint)),
    enumerable: true,
  },
  decoded: {
    value:
      inner.decoded &&
      (<A>(sql: string, params: ReadonlyArray<unknown>, bigint: boolean, decode: (row: ReadonlyArray<unknown>) => A) =>
        g.closing ? Promise.reject(closed()) : track(g, inner.decoded!(sql, params, bigint, decode))),
    enumerable: true,
  },
  run: {
    value: (sql: string, params: ReadonlyArray<unknown>) =>
      g.closing ? Promise.reject(closed()) : track(g, inner.run(sql, params)),
    enumerable: true,
  },
  // raw `sql` reads: refused alike once closed (the pool's own error would differ by driver)
  allObjects: {
    value:
      inner.allObjects &&
      ((sql: string, params: ReadonlyArray<unknown>) =>
        g.closing ? Promise.reject(closed()) : track(g, inner.allObjects!(sql, params))),
    enumerable: true,
  },
})

/**
 * The handle over `inner` (the runner's executor or its view with a run's signal). It inherits
 * from it: its `dialect` may be a getter (MySQL vs MariaDB is known only after the first
 * handshake), which spreading would freeze.
 */
const view = (g: Guard, inner: Executor): Executor =>
  Object.create(inner, {
    // A closed database has nothing to get ready for: its calls fail with ConnectionError.
    ready: { get: () => (g.closing ? undefined : inner.ready), enumerable: true },
    ...statements(g, inner),
    sync: { value: inner.sync && (() => (g.closing ? undefined : inner.sync!())), enumerable: true },
    // why `sync` gave nothing: once closed, that it is closed (not the runner's "busy")
    syncRefusal: {
      value: inner.syncRefusal && (() => (g.closing ? closed().error : inner.syncRefusal!())),
      enumerable: true,
    },
    transaction: {
      value: <A>(f: (tx: Executor) => Promise<A>, isolation?: Isolation) =>
        g.closing ? Promise.reject(closed()) : track(g, inner.transaction(f, isolation)),
      enumerable: true,
    },
    stream: {
      value:
        inner.stream &&
        ((sql: string, params: ReadonlyArray<unknown>, bigint: boolean, batchSize: number) =>
          endable(g.owner, () => inner.stream!(sql, params, bigint, batchSize))),
      enumerable: true,
    },
    withSignal: {
      value: inner.withSignal && ((signal: AbortSignal) => view(g, inner.withSignal!(signal))),
      enumerable: true,
    },
    reserved: {
      value:
        inner.reserved &&
        (<A>(f: (r: Executor) => Promise<A>) => (g.closing ? Promise.reject(closed()) : track(g, inner.reserved!(f)))),
      enumerable: true,
    },
    close: { value: () => closeGuarded(g), enumerable: true },
  }) as Executor

/**
 * An executor whose every call fails with the error that kept the database from opening: plans,
 * raw `sql` (its rows or its count), streams, transactions, and on SQLite `runSync`, which is
 * refused with it (as on an open database that is busy) rather than told the dialect is not
 * synchronous.
 */
const unopened = (name: DialectName, error: ConnectionError, synchronous: boolean): Executor => {
  const fail = (): Promise<never> => Promise.reject(new TerrapinFailure(error))
  const stream = (): AsyncIterable<never> => ({
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new TerrapinFailure(error)) }),
  })
  return {
    dialect: dialects[name],
    all: fail,
    run: fail,
    allObjects: fail,
    stream,
    transaction: fail,
    ...(synchronous ? { sync: () => undefined, syncRefusal: () => error } : {}),
    classify: (e) => (e instanceof TerrapinFailure ? e.error : error),
    close: () => Promise.resolve(),
    inTransaction: false,
  }
}

const URL_OPTIONS: ReadonlyArray<
  readonly [string, 'pool' | 'connectTimeoutMs' | 'idleTimeoutMs' | 'statementTimeoutMs']
> = [
  ['pool', 'pool'],
  ['connectTimeout', 'connectTimeoutMs'],
  ['idleTimeout', 'idleTimeoutMs'],
  ['statementTimeout', 'statementTimeoutMs'],
]

/**
 * `?pool=5&connectTimeout=2000&idleTimeout=30000&statementTimeout=5000` under the options given
 * in code (which win).
 */
const withUrlOptions = (url: URL, options: ConnectOptions): ConnectOptions | string => {
  const out: Record<string, unknown> = { ...options }
  for (const [param, key] of URL_OPTIONS) {
    const v = url.searchParams.get(param)
    if (v === null || out[key] !== undefined) continue
    const n = Number(v)
    if (!Number.isInteger(n) || n < (key === 'pool' ? 1 : 0))
      return `${param} must be a ${key === 'pool' ? 'positive' : 'non-negative'} integer, got ${JSON.stringify(v)}`
    out[key] = n
  }
  const t = out.statementTimeoutMs
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 0))
    return `statementTimeoutMs must be a non-negative integer of milliseconds, got ${JSON.stringify(t)}`
  return out
}

/** Closes every database `connect` opened and has not been closed. */
export const closeAll = async (): Promise<void> => {
  const all = [...open]
  open.clear()
  await Promise.all(all.map((ex) => ex.close()))
}

/** How many databases `connect` opened are not closed yet (the documentation's examples are checked with it). */
export const openDatabases = (): number => open.size

/** Closes one database handle. */
export const close = (db: Db): Promise<void> => db.executor.close()
