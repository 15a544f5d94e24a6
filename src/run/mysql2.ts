/**
 * The MySQL / MariaDB runner over mysql2. A pool of connections; a transaction takes one
 * connection from the pool for BEGIN … COMMIT/ROLLBACK and gives it back (or destroys it when
 * ROLLBACK itself fails, so a broken connection never returns to the pool). Every new
 * connection gets an explicit `sql_mode` (backslash escapes on, which the LIKE escape relies
 * on; strict; a key of 0 stored as 0, not replaced by a generated one) and UTC. Values come back as strings where a JS number would lose them
 * (`BIGINT`, `DECIMAL`) and datetimes as text (the dialect reads them as UTC).
 */
import type * as mysql2 from 'mysql2/promise'
import {
  TerrapinError,
  TerrapinFailure,
  configurationError,
  connectionError,
  integrityError,
  queryError,
  subqueryRowsError,
  missingTableError,
} from '../errors'
import { mysql, mysqlDialectFor } from '../compile/mysql'
import { Dialect } from '../compile/dialect'
import { Executor, Isolation, WriteResult } from './executor'
import { abortFailure } from './cancel'
import { OWN_PARAMS, PoolOptions, SOCKET_ERRORS, driverUrl } from './pooled'
import { observed } from './hook'
import { Held as TxHeld, PlainTx, ServerTx, plainBracket, serverTransaction } from './server-transaction'
import { BatchCursor, serverStream } from './server-stream'

// ------------------------------------------------------------------------------------------
// errors
// ------------------------------------------------------------------------------------------

const CONNECTION_CODES: ReadonlySet<string> = new Set([
  ...SOCKET_ERRORS,
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  // a transaction's statement refused once its connection is known lost (`lostError`)
  'CONNECTION_CLOSED',
])

/** Server errnos meaning "no usable connection": bad login, no database, too many, gone, killed. */
const CONNECTION_ERRNOS: ReadonlySet<number> = new Set([
  1040, 1044, 1045, 1049, 1053, 1927, 2002, 2003, 2006, 2013, 4031,
])

/** Drops quoted values from a server message: `Duplicate entry 'x' for key` → `Duplicate entry for key`. */
const withoutValues = (m: string): string => m.replace(/\b(entry|value:?)\s+'(?:[^'\\]|\\.|'')*'/gi, '$1')

const quoted = (re: RegExp, m: string): string | undefined => re.exec(m)?.[1]

/** errno to the typed union, with the constraint and column parsed from the message. */
export const classifyMysql = (e: unknown, sql?: string): TerrapinError => {
  const err = (e ?? {}) as {
    errno?: number
    code?: string
    sqlState?: string
    sqlMessage?: string
    message?: string
    fatal?: boolean
    sql?: string
  }
  // mysql2 keeps the statement with its values interpolated: drop it from the cause.
  if (typeof err === 'object' && 'sql' in err) delete err.sql
  const raw = err.sqlMessage ?? err.message ?? String(e)
  const message = withoutValues(raw)
  const errno = err.errno ?? 0
  const code = err.code ?? ''
  switch (errno) {
    case 1062:
    case 1586: {
      const key = quoted(/for key '(?:[^']*\.)?([^'.]*)'/, raw)
      const column = key && key !== 'PRIMARY' && !key.startsWith('uq_') ? key : undefined
      return integrityError('unique', message, { constraint: key, column, cause: e })
    }
    case 1451:
    case 1452:
    case 1216:
    case 1217:
      return integrityError('foreignKey', message, {
        constraint: quoted(/CONSTRAINT `([^`]*)`/, raw),
        column: quoted(/FOREIGN KEY \(`([^`]*)`\)/, raw),
        cause: e,
      })
    case 1048:
    case 1364:
      return integrityError('notNull', message, { column: quoted(/(?:Column|Field) '([^']*)'/, raw), cause: e })
    case 3819:
    case 4025:
      return integrityError('check', message, {
        constraint: quoted(/[Cc]onstraint [`']([^`']*)[`']/, raw) ?? quoted(/CONSTRAINT `([^`]*)`/, raw),
        cause: e,
      })
  }
  if (CONNECTION_CODES.has(code) || CONNECTION_ERRNOS.has(errno) || (err.fatal && !errno))
    return connectionError(`MySQL connection failed: ${message}`, e)
  // past max_statement_time (MariaDB) or max_execution_time (MySQL); interrupted (KILL QUERY)
  if (errno === 1969 || errno === 3024) return queryError(message, { sql, code: 'TIMEOUT', cause: e })
  if (errno === 1317) return queryError(message, { sql, code: 'CANCELLED', cause: e })
  if (errno === 1242) return subqueryRowsError(sql, e)
  // ER_NO_SUCH_TABLE
  if (errno === 1146) return missingTableError(message, { sql, code: err.sqlState ?? (code || undefined), cause: e })
  const retryable = errno === 1213 || errno === 1205
  return queryError(message, { sql, code: err.sqlState ?? (code || undefined), retryable, cause: e })
}

// ------------------------------------------------------------------------------------------
// runner
// ------------------------------------------------------------------------------------------

/** The session every connection runs in. */
const SESSION =
  "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO', time_zone = '+00:00'"

/**
 * The session with a limit on every statement's running time: MariaDB's `max_statement_time`
 * (seconds, every statement), else MySQL's `max_execution_time` (milliseconds, SELECT only).
 */
const sessionFor = (serverVersion: string, statementTimeoutMs: number | undefined): string =>
  statementTimeoutMs === undefined
    ? SESSION
    : /mariadb/i.test(serverVersion)
      ? `${SESSION}, max_statement_time = ${statementTimeoutMs / 1000}`
      : `${SESSION}, max_execution_time = ${statementTimeoutMs}`

/** A driver callback: the error, or the rows (a result header for a write). */
type Done = (err: unknown, result: unknown) => void

/** A statement as text, or with its options (objects instead of arrays, for raw reads). */
type Statement = string | { sql: string; values: unknown[]; rowsAsArray: boolean }

/**
 * The callback-style connection under mysql2's promise wrapper, or a pool of them. Statements go
 * through it directly: the wrapper captures a stack trace per call and a statement
 * given as an options object is copied by spreads; the pool is opened with `rowsAsArray`, so a
 * statement given as text and values reads arrays.
 */
interface Core {
  query(statement: Statement, values: unknown[] | undefined, done: Done): unknown
}

/** A connection of the callback API, with the id `KILL QUERY` names it by. */
type CoreConnection = Core & { readonly threadId: number }

/** mysql2's callback pool, as far as the runner uses it. */
interface CorePool {
  getConnection(f: (err: unknown, conn: CoreConnection & { release: () => void; destroy: () => void }) => void): void
}

/** Sends `KILL QUERY <id>` from a connection of its own (the pool's may all be busy). */
type Kill = (threadId: number) => Promise<void>

const statementText = (statement: Statement): string => (typeof statement === 'string' ? statement : statement.sql)

/**
 * One statement on one connection, killed on the server if `signal` aborts while it runs; its
 * error is then the signal's. `killed` tells that a kill was sent (it is answered by then).
 */
const killable = (
  conn: CoreConnection,
  signal: AbortSignal,
  kill: Kill,
  statement: Statement,
  values: unknown[] | undefined,
  done: (err: unknown, result: unknown, killed: boolean) => void,
): void => {
  let killing: Promise<void> | undefined
  const onAbort = (): void => void (killing = kill(conn.threadId))
  signal.addEventListener('abort', onAbort, { once: true })
  conn.query(statement, values, (e, result) => {
    signal.removeEventListener('abort', onAbort)
    if (!killing) return done(e, result, false)
    void killing.then(() => done(e ? abortFailure(signal, statementText(statement)) : null, result, true))
  })
}

/** A transaction's connection whose statements `signal` cancels. */
const killableConnection = (conn: CoreConnection, signal: AbortSignal, kill: Kill): Core => ({
  query: (statement, values, done) => killable(conn, signal, kill, statement, values, done),
})

/**
 * Statements on the pool that `signal` cancels: while waiting for a connection (given back when
 * it comes), or while running (`killable`). A connection whose statement ended before the kill
 * reached it is destroyed rather than given back, so that the kill can land on nothing else.
 */
const killablePooled = (pool: CorePool, signal: AbortSignal, kill: Kill): Core => ({
  query: (statement, values, done) => {
    let gaveUp = false
    const early = (): void => {
      gaveUp = true
      done(abortFailure(signal, statementText(statement)), undefined)
    }
    signal.addEventListener('abort', early, { once: true })
    pool.getConnection((err, conn) => {
      signal.removeEventListener('abort', early)
      if (gaveUp) return void (err || conn.release())
      if (err) return done(err, undefined)
      killable(conn, signal, kill, statement, values, (e, result, killed) => {
        if ((killed && !e) || READ_ONLY.has((e as { errno?: number } | null)?.errno)) conn.destroy()
        else conn.release()
        done(e, result)
      })
    })
  },
})

/** Errors of a server gone read-only (a failover): mysql2's pool drops such a connection, so does the runner. */
const READ_ONLY: ReadonlySet<unknown> = new Set([1290, 1792, 1836])

/**
 * Statements on the pool: a connection taken for each and given back, as Kysely's driver does.
 * Not mysql2's own `pool.query`: the results it reads are still reachable at the next minor
 * collection, which then copies every one of them to the old generation: client CPU that
 * outweighs the read's own.
 */
const pooled = (pool: CorePool): Core => ({
  query: (statement, values, done) =>
    pool.getConnection((err, conn) => {
      if (err) return done(err, undefined)
      conn.query(statement, values, (e, result) => {
        if (READ_ONLY.has((e as { errno?: number } | null)?.errno)) conn.destroy()
        else conn.release()
        done(e, result)
      })
    }),
})

/** A streamed result's rows, as a readable stream that can be ended with an error. */
type RowStream = NodeJS.ReadableStream & { destroy: (e: unknown) => void }

/** The callback-style connection (it alone can stream); it tells a lost connection as its own `error`. */
interface CallbackConnection {
  query: (options: { sql: string; values: unknown[]; rowsAsArray: boolean }) => {
    stream: (o: { highWaterMark: number }) => RowStream
  }
  once(event: 'error', f: (e: unknown) => void): unknown
  removeListener(event: 'error', f: (e: unknown) => void): unknown
  release: () => void
  destroy: () => void
}

/** What the runner learns from the server (MariaDB 10.5+ has INSERT … RETURNING, …). */
interface Server {
  dialect: Dialect
  known: boolean
  pending: Promise<void> | undefined
  retry: () => Promise<void>
  readonly kill: Kill
}

/**
 * A transaction's connection, as its statements (nested ones too) see it: the shared record
 * (a changed session has it destroyed, not given back, at the end) and the connection, as the
 * callback API (`conn`) and as taken from the pool (`taken`, given back or destroyed).
 */
interface Held extends TxHeld {
  readonly conn: CoreConnection
  readonly taken: mysql2.PoolConnection
}

/** A handle inside a transaction. */
type InTx = Conn & { readonly held: Held }

/** One statement on the callback API, as a promise of its rows (or result header). */
const query = (core: Core, statement: Statement, params?: ReadonlyArray<unknown>): Promise<unknown> =>
  new Promise((resolve, reject) =>
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the driver's own error, passed on for classification by its code
    core.query(statement, params as unknown[] | undefined, (err, result) => (err ? reject(err) : resolve(result))),
  )

/**
 * Whether a statement failed in mysql2 itself, on a connection it already knew closed: it was
 * never sent (so a COMMIT refused so did not commit).
 */
const unsent = (e: unknown): boolean => {
  const err = e as { code?: string; message?: string; errno?: number }
  return (
    err?.code === 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR' ||
    err?.code === 'PROTOCOL_ENQUEUE_AFTER_QUIT' ||
    (!err?.errno && /closed state/.test(err?.message ?? ''))
  )
}

/**
 * A handle on the pool or on one of its connections: where statements go (`core`: the pool, a
 * transaction's or a reserved connection, with a run's signal), the pool, what the runner knows
 * of the server, the options, the held transaction connection and the run's signal.
 */
interface Conn {
  readonly core: Core
  readonly pool: mysql2.Pool
  readonly server: Server
  readonly opts: PoolOptions
  readonly held?: Held
  readonly signal?: AbortSignal
}

const lengthOf = (r: ReadonlyArray<unknown>): number => r.length

const all = (c: Conn, sql: string, params: ReadonlyArray<unknown>): Promise<ReadonlyArray<ReadonlyArray<unknown>>> =>
  observed(c.opts, classifyMysql, sql, params, () => query(c.core, sql, params) as Promise<unknown[][]>, lengthOf)

// No `decoded`: mysql2 hands rows over singly only as events, and an event per row costs more
// than the array of raw rows it saves (PostgreSQL's runner, whose driver hands rows over
// without events, is the one that decodes row by row).

const run = (c: Conn, sql: string, params: ReadonlyArray<unknown>): Promise<WriteResult> =>
  observed(
    c.opts,
    classifyMysql,
    sql,
    params,
    async () => {
      const r = (await query(c.core, sql, params)) as mysql2.ResultSetHeader
      return { changes: r.affectedRows, lastInsertRowid: r.insertId }
    },
    (r) => r.changes,
  )

const allObjects = (
  c: Conn,
  sql: string,
  params: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> =>
  observed(
    c.opts,
    classifyMysql,
    sql,
    params,
    async () => {
      const rows = await query(c.core, { sql, values: params as unknown[], rowsAsArray: false })
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
    },
    lengthOf,
  )

/** A stream's connection: one of its own taken from the pool (`own`), or the transaction's. */
const streamConnection = async (c: Conn): Promise<{ conn: CallbackConnection; own: boolean }> =>
  c.held
    ? { conn: c.held.conn as unknown as CallbackConnection, own: false }
    : {
        conn: await new Promise<CallbackConnection>((resolve, reject) =>
          c.pool.pool.getConnection((e, conn) => (e ? reject(e) : resolve(conn as unknown as CallbackConnection))),
        ),
        own: true,
      }

/**
 * One statement's result as a cursor (`serverBatches` reads it). mysql2 streams a result row by
 * row and pauses the socket while the consumer is behind. A connection lost mid-result is told to
 * the connection only (a statement without a callback), so the cursor listens there: otherwise
 * the loop would wait for rows that never come. A connection taken for the stream alone (`own`)
 * is given back after it, or destroyed if the result was not read to its end (it cannot be
 * abandoned on the wire).
 */
const rowCursor = async (
  c: Conn,
  sql: string,
  params: ReadonlyArray<unknown>,
  batchSize: number,
): Promise<BatchCursor> => {
  const { conn, own } = await streamConnection(c)
  // (a connection already closed tells it from within `query`, before there is a stream)
  let rs: RowStream | undefined
  let early: { error: unknown } | undefined
  const lost = (e: unknown): void => (rs ? rs.destroy(e) : void (early = { error: e }))
  conn.once('error', lost)
  const done = (complete: boolean): void => {
    conn.removeListener('error', lost)
    if (own) {
      if (complete) conn.release()
      else conn.destroy()
    }
  }
  try {
    rs = conn.query({ sql, values: params as unknown[], rowsAsArray: true }).stream({ highWaterMark: batchSize })
    if (early) throw early.error
  } catch (e) {
    done(false)
    throw e
  }
  const rows = (rs as AsyncIterable<unknown[]>)[Symbol.asyncIterator]()
  return {
    next: async () => {
      const batch: unknown[][] = []
      while (batch.length < batchSize) {
        const r = await rows.next()
        if (r.done) break
        batch.push(r.value)
      }
      return batch.length > 0 ? batch : undefined
    },
    close: (complete) => {
      // left early: the row stream ended too
      if (!complete) void rows.return?.().catch(() => undefined)
      done(complete)
    },
  }
}

/** A connection taken from the pool, as the callback API has it. */
const onConnection = (conn: mysql2.PoolConnection): CoreConnection =>
  (conn as unknown as { connection: CoreConnection }).connection

/** A connection whose statements a run's signal kills, if there is one. */
const withSignal = (c: Conn, conn: CoreConnection): Core =>
  c.signal ? killableConnection(conn, c.signal, c.server.kill) : conn

/**
 * The transaction's statements: SET TRANSACTION is for the next transaction only, so nothing of
 * it stays on the connection.
 */
const opening = (isolation?: Isolation): ReadonlyArray<string> =>
  isolation ? [`SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`, 'BEGIN'] : ['BEGIN']

/**
 * A transaction on a connection of the pool, as plain statements (`plainBracket`). The
 * connection goes back to the pool after, unless ROLLBACK failed or a statement changed its
 * session (SET is not transactional: a changed session outlives a rollback too): then it is
 * destroyed.
 */
const MYSQL_BRACKET: PlainTx<Conn> = {
  reserve: async (c, shared) => {
    const taken = await c.pool.getConnection()
    const held: Held = Object.assign(shared, { conn: onConnection(taken), taken })
    return { core: withSignal(c, held.conn), pool: c.pool, server: c.server, opts: c.opts, held, signal: c.signal }
  },
  send: (c, sql) => query(c.core, sql),
  release: (c, healthy) => {
    const { held } = c as InTx
    if (healthy && !held.dirty) held.taken.release()
    else held.taken.destroy()
  },
}

/** The runner's part of the shared transaction bookkeeping (`serverTransaction`). */
const MYSQL_TX: ServerTx<Conn> = {
  classify: classifyMysql,
  options: (c) => c.opts,
  heldOf: (c) => c.held,
  opening,
  ...plainBracket(MYSQL_BRACKET, opening),
  // a changed session is dropped with its connection (`release`)
  reset: () => undefined,
  beginAgain: () => false,
  unsent,
}

/**
 * A connection of its own for statements that may change its session; destroyed after them, so
 * that a fresh one (with terrapin's session) takes its place in the pool.
 */
const reserved = async <A>(c: Conn, f: (ex: Executor) => Promise<A>): Promise<A> => {
  const conn = await c.pool.getConnection()
  try {
    return await f(
      make({ core: withSignal(c, onConnection(conn)), pool: c.pool, server: c.server, opts: c.opts, signal: c.signal }),
    )
  } finally {
    conn.destroy()
  }
}

/** The same handle, its statements killed on the server when `signal` aborts. */
const signalled = (c: Conn, signal: AbortSignal): Executor =>
  make({
    ...c,
    core: c.held
      ? killableConnection(c.held.conn, signal, c.server.kill)
      : killablePooled(c.pool.pool, signal, c.server.kill),
    signal,
  })

/** The executor of a handle: each member one of the functions above. */
const make = (c: Conn): Executor => {
  const { held, server } = c
  const self: Executor = {
    get dialect() {
      return server.dialect
    },
    get ready() {
      return server.known ? undefined : (server.pending ??= server.retry())
    },
    all: (sql, params) => all(c, sql, params),
    run: (sql, params) => run(c, sql, params),
    allObjects: (sql, params) => allObjects(c, sql, params),
    stream: (sql, params, _bigint, batchSize) =>
      serverStream(c.opts, sql, params, {
        classify: classifyMysql,
        held,
        open: () => rowCursor(c, sql, params, batchSize),
        again: () => false,
      }),
    transaction: (f, isolation) => serverTransaction(MYSQL_TX, c, (tx) => f(make(tx)), isolation),
    withSignal: (s) => signalled(c, s),
    reserved: held ? undefined : (f) => reserved(c, f),
    sessionChanged: held && (() => void (held.dirty = true)),
    classify: classifyMysql,
    // Closing a pool whose connections failed reports that failure again: nothing to act on.
    close: () => c.pool.end().catch(() => undefined),
    inTransaction: held !== undefined,
    poolSize: c.opts.pool ?? 10,
  }
  return self
}

/** A MySQL URL's own names for the statement timeout: MariaDB's (seconds) and MySQL's (milliseconds). */
const SERVER_TIMEOUT_PARAMS: ReadonlyArray<string> = ['max_statement_time', 'max_execution_time']

/**
 * Query parameters of a MySQL URL handed to mysql2. The others are refused: mysql2 would drop an
 * unknown one with a console warning (a `?max_statement_time=` that limits nothing), and would
 * let one override the options terrapin's decoding relies on (`dateStrings`, `rowsAsArray`, …).
 */
const DRIVER_PARAMS: ReadonlySet<string> = new Set([
  'ssl',
  'socketPath',
  'compress',
  'flags',
  'charset',
  'insecureAuth',
  'enableCleartextPlugin',
  'enableKeepAlive',
  'keepAliveInitialDelay',
  'localAddress',
  'maxPreparedStatements',
  'connectAttributes',
  'password1',
  'password2',
  'password3',
  'queueLimit',
  'waitForConnections',
])

/**
 * The statement timeout in milliseconds: the option given in code, else the URL's
 * `?max_statement_time=` (seconds) or `?max_execution_time=` (milliseconds); a message for a
 * URL parameter that no one would read.
 */
const statementTimeout = (url: URL, opts: PoolOptions): number | undefined | string => {
  for (const key of url.searchParams.keys()) {
    if (!OWN_PARAMS.includes(key) && !SERVER_TIMEOUT_PARAMS.includes(key) && !DRIVER_PARAMS.has(key))
      return `unknown parameter ?${key}= in a MySQL URL (terrapin reads ${[...OWN_PARAMS, ...SERVER_TIMEOUT_PARAMS].join(', ')}; mysql2 is given ${[...DRIVER_PARAMS].join(', ')})`
  }
  if (opts.statementTimeoutMs !== undefined) return opts.statementTimeoutMs
  for (const [key, scale] of [
    ['max_statement_time', 1000],
    ['max_execution_time', 1],
  ] as const) {
    const v = url.searchParams.get(key)
    if (v === null) continue
    const n = Number(v)
    if (v.trim() === '' || !Number.isFinite(n) || n < 0)
      return `${key} must be a non-negative number, got ${JSON.stringify(v)}`
    return Math.round(n * scale)
  }
  return undefined
}

/**
 * Opens a pool on a `mysql://` URL (MySQL or MariaDB). The driver is loaded here, so a project
 * that never connects to MySQL need not install it.
 */
export const openMysql = (url: URL, opts: PoolOptions = {}): Executor => {
  let driver: typeof mysql2
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a database of this kind is opened, so that the driver is an optional peer
    driver = require('mysql2/promise') as typeof mysql2
  } catch {
    throw new TerrapinFailure(configurationError(`the MySQL driver is not installed; run \`npm install mysql2\``))
  }
  const timeout = statementTimeout(url, opts)
  if (typeof timeout === 'string') throw new TerrapinFailure(configurationError(timeout))
  const u = driverUrl(url, SERVER_TIMEOUT_PARAMS)
  u.protocol = 'mysql:'
  const pool = createPool(driver, u, opts, timeout)
  const server: Server = {
    dialect: mysql,
    known: false,
    pending: undefined,
    retry: () => Promise.resolve(),
    kill: killer(driver, u, opts),
  }
  // Plans wait until the first connection has told which server this is; a failure is the
  // first query's error, and the next query tries again.
  server.retry = () => attempt(pool, server, opts)
  server.pending = server.retry()
  return make({ core: pooled(pool.pool), pool, server, opts })
}

/** The pool; each new connection runs its session setup before anything else queued on it. */
const createPool = (driver: typeof mysql2, u: URL, opts: PoolOptions, timeout: number | undefined): mysql2.Pool => {
  const pool = driver.createPool({
    uri: u.href,
    connectionLimit: opts.pool ?? 10,
    // mysql2 closes idle connections only beyond `maxIdle`: with an idle timeout, any of them
    maxIdle: opts.idleTimeoutMs === undefined ? (opts.pool ?? 10) : 0,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    idleTimeout: opts.idleTimeoutMs ?? 60_000,
    charset: 'UTF8MB4_UNICODE_CI',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
    // rows as arrays unless a statement asks otherwise (see `Core`)
    rowsAsArray: true,
  })
  pool.pool.on('connection', (conn) => {
    const version =
      (conn as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket?.serverVersion ?? ''
    conn.query(sessionFor(version, timeout), (err: unknown) => {
      if (err) conn.destroy()
    })
  })
  return pool
}

/** `KILL QUERY` from a connection of its own (the pool's may all be busy). */
const killer =
  (driver: typeof mysql2, u: URL, opts: PoolOptions): Kill =>
  async (threadId) => {
    try {
      const c = await driver.createConnection({ uri: u.href, connectTimeout: opts.connectTimeoutMs ?? 10_000 })
      try {
        await c.query(`KILL QUERY ${Number(threadId)}`)
      } finally {
        c.destroy()
      }
    } catch {
      // not killed (the server unreachable): the statement runs to its end, and fails then
    }
  }

/** Asks the server its version, which decides the dialect record (and RETURNING, unless set). */
const learn = async (pool: mysql2.Pool, server: Server, opts: PoolOptions): Promise<void> => {
  const conn = await pool.getConnection()
  try {
    const [rows] = (await conn.query({ sql: 'SELECT VERSION()', rowsAsArray: true })) as unknown as [unknown[][]]
    const found = mysqlDialectFor(String(rows[0][0]))
    server.dialect =
      opts.returning === undefined || opts.returning === found.returning
        ? found
        : Object.freeze({ ...found, returning: opts.returning })
  } finally {
    conn.release()
  }
}

/** One attempt at `learn`: the server known after it, or asked again by the next plan. */
const attempt = (pool: mysql2.Pool, server: Server, opts: PoolOptions): Promise<void> => {
  const p = learn(pool, server, opts).then(
    () => {
      server.known = true
      server.pending = undefined
    },
    (e: unknown) => {
      server.pending = undefined
      throw e
    },
  )
  p.catch(() => undefined) // nobody may ask: not an unhandled rejection
  return p
}
