/**
 * The PostgreSQL runner over postgres.js. A pool of connections; a transaction reserves one
 * connection from BEGIN to COMMIT/ROLLBACK (postgres.js `begin`), nested ones are SAVEPOINTs.
 * Sessions run in UTC. `date` stays a `YYYY-MM-DD` string, `int8` and `numeric` come back as
 * strings (the dialect turns them into bigint and fixed-scale decimals), and JSON is sent as
 * the text the dialect encoded (postgres.js would otherwise stringify it a second time).
 */
import { parseUtc } from '../model/codecs'
import type postgresJs from 'postgres'
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
import { postgres as pgDialect } from '../compile/postgres'
import { Executor, Isolation, WriteResult } from './executor'
import { PoolOptions, SOCKET_ERRORS, cancelling, driverUrl, rowSink } from './pooled'
import { observed } from './hook'
import { Held, ServerTx, onHeld, serverTransaction } from './server-transaction'
import { BatchCursor, serverStream } from './server-stream'

type Sql = postgresJs.Sql
type TxSql = postgresJs.TransactionSql
/** A query's rows handed over one by one as they are parsed, none kept by the driver. */
type RowsOneByOne = { forEach: (f: (row: unknown[]) => void) => Promise<unknown> }
/** A query read in batches: the callback's promise asks for the next batch (or, with CLOSE, none). */
type Cursor = { cursor: (n: number, f: (rows: unknown[][]) => Promise<unknown>) => Promise<unknown> }
type Unsafe = (
  query: string,
  params: ReadonlyArray<unknown>,
  options: { prepare: boolean },
) => postgresJs.PendingQuery<postgresJs.Row[]>

// ------------------------------------------------------------------------------------------
// errors
// ------------------------------------------------------------------------------------------

/** Node and postgres.js codes of a connection that could not be made or was lost. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  ...SOCKET_ERRORS,
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // server: admin shutdown, crash shutdown, cannot connect now, too many connections,
  // bad password, no such role, no such database
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '28P01',
  '28000',
  '3D000',
])

/** `Key (a, b)=(…)` in a detail: the column names, never the values. */
const keyColumns = (detail: string | undefined): string | undefined => {
  const m = detail ? /^Key \(([^)]*)\)/.exec(detail) : null
  return m ? m[1] : undefined
}

/**
 * A statement prepared before the schema changed under it: `cached plan must not change result
 * type` once a migration changed a column it reads, `prepared statement … does not exist` once the
 * server forgot it. postgres.js forgets the statement and prepares it again on its own outside a
 * transaction; inside one the transaction is aborted by then, and running it again succeeds.
 */
const staleStatement = (routine: string | undefined): boolean =>
  routine === 'RevalidateCachedQuery' || routine === 'FetchPreparedStatement'

/**
 * SQLSTATE to the typed union. Messages of data exceptions (class 22) quote the offending
 * value after a colon, so that part is cut off.
 */
export const classifyPostgres = (e: unknown, sql?: string): TerrapinError => {
  const err = (e ?? {}) as {
    code?: string
    message?: string
    constraint_name?: string
    column_name?: string
    detail?: string
    routine?: string
  }
  const code = typeof err.code === 'string' ? err.code : ''
  const raw = err.message ?? String(e)
  const message = code.startsWith('22') ? raw.replace(/:.*$/s, '') : raw
  const constraint = err.constraint_name
  switch (code) {
    case '23505':
      return integrityError('unique', message, { constraint, column: keyColumns(err.detail), cause: e })
    case '23503':
      return integrityError('foreignKey', message, { constraint, column: keyColumns(err.detail), cause: e })
    case '23502':
      return integrityError('notNull', message, { column: err.column_name, cause: e })
    case '23514':
      return integrityError('check', message, { constraint, cause: e })
  }
  if (CONNECTION_CODES.has(code) || code.startsWith('08'))
    return connectionError(`PostgreSQL connection failed: ${message}`, e)
  // past statement_timeout, or cancelled (a cancel request, pg_cancel_backend)
  if (code === '57014')
    return queryError(message, { sql, code: /statement timeout/.test(raw) ? 'TIMEOUT' : 'CANCELLED', cause: e })
  // cardinality violation: also ON CONFLICT touching a row twice, told apart by the message
  if (code === '21000' && /more than one row returned by a subquery/.test(raw)) return subqueryRowsError(sql, e)
  // undefined_table
  if (code === '42P01') return missingTableError(message, { sql, code, cause: e })
  const retryable = code === '40001' || code === '40P01' || staleStatement(err.routine)
  return queryError(message, { sql, code: code || undefined, retryable, cause: e })
}

// ------------------------------------------------------------------------------------------
// runner
// ------------------------------------------------------------------------------------------

// A transaction's statements run through `onHeld` (`server-transaction.ts`): once its connection
// is lost, postgres.js must be given nothing more for it, not even the ROLLBACK or COMMIT its
// `begin` sends when the program ends: it would write to a socket that is gone (an uncaught
// TypeError a tick later) or, once the pool has reconnected that connection for other work, run
// the statement there, outside any transaction. Statements waiting for room in its pipeline
// (past `max_pipeline`, 100) are not rejected by postgres.js when the connection closes: `lose`
// settles them.

/**
 * Whether `e` is a server error postgres.js attached to another statement than the one with these
 * `args`: the error a connection killed mid-statement left behind, which postgres.js 3.4 hands
 * to the first statement that connection is reopened for, without sending that statement.
 */
const leftOver = (e: unknown, args: ReadonlyArray<unknown>): boolean =>
  e instanceof Error && 'severity' in e && 'args' in e && (e as { args?: unknown }).args !== args

/**
 * A write's result. The driver's query is taken with `then`, not awaited in an async function:
 * awaiting a promise of a subclass (postgres.js's `Query`) costs two more turns of the microtask
 * queue, on every statement.
 */
const countOf = (r: { readonly count: number }): WriteResult => ({ changes: r.count })

/** A query that can be cancelled (postgres.js sends a cancel request for a running one). */
type Cancellable = { cancel: () => unknown }

const noop = (): void => undefined

/**
 * A handle on the pool or on one of its connections: the driver handle statements go to (the
 * pool, a transaction's or a reserved connection), the pool itself, the options, the held
 * transaction connection (inside a transaction) and the run's signal (its statements are then
 * cancelled on the server when it aborts).
 */
interface Conn {
  readonly sql: Sql | TxSql
  readonly pool: Sql
  readonly opts: PoolOptions
  readonly held?: Held
  readonly signal?: AbortSignal
}

const unsafe = (c: Conn, q: string, params: ReadonlyArray<unknown>): postgresJs.PendingQuery<postgresJs.Row[]> =>
  (c.sql.unsafe as unknown as Unsafe)(q, params, { prepare: true })

/** With a run's signal, the statement is cancelled on the server if it aborts while it runs. */
const watch = <A>(c: Conn, query: Cancellable, p: Promise<A>, q: string): Promise<A> =>
  c.signal ? cancelling(c.signal, p, () => void Promise.resolve(query.cancel()).catch(noop), q) : p

/**
 * A statement's call. Inside a transaction, guarded by `onHeld`; outside, sent once more if it
 * was refused with an error left over from another statement (it was never sent).
 */
const within = <A>(c: Conn, params: ReadonlyArray<unknown>, f: () => Promise<A>): (() => Promise<A>) => {
  const held = c.held
  return held
    ? () => onHeld(held, classifyPostgres, f)
    : () => f().catch((e: unknown) => (leftOver(e, params) ? f() : Promise.reject(e as Error)))
}

const lengthOf = (r: ReadonlyArray<unknown>): number => r.length

const all = (c: Conn, q: string, params: ReadonlyArray<unknown>): Promise<ReadonlyArray<ReadonlyArray<unknown>>> =>
  observed(
    c.opts,
    classifyPostgres,
    q,
    params,
    within(c, params, () => {
      const query = unsafe(c, q, params).values()
      return watch(c, query, query as unknown as Promise<unknown[][]>, q)
    }),
    lengthOf,
  )

/**
 * Each row decoded as postgres.js parses it (`forEach`): the raw row dies young instead of being
 * kept, with all the others, until the last row has arrived.
 */
const decoded = <A>(
  c: Conn,
  q: string,
  params: ReadonlyArray<unknown>,
  decode: (row: ReadonlyArray<unknown>) => A,
): Promise<A[]> =>
  observed(
    c.opts,
    classifyPostgres,
    q,
    params,
    within(c, params, async () => {
      const sink = rowSink(decode)
      const query = unsafe(c, q, params).values()
      await watch(c, query, (query as unknown as RowsOneByOne).forEach(sink.row), q)
      return sink.end()
    }),
    lengthOf,
  )

const run = (c: Conn, q: string, params: ReadonlyArray<unknown>): Promise<WriteResult> =>
  observed(
    c.opts,
    classifyPostgres,
    q,
    params,
    within(c, params, () => {
      const query = unsafe(c, q, params)
      return watch(c, query, query.then(countOf), q)
    }),
    (r) => r.changes,
  )

const allObjects = (
  c: Conn,
  q: string,
  params: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> =>
  observed(
    c.opts,
    classifyPostgres,
    q,
    params,
    within(c, params, async () => {
      const query = unsafe(c, q, params)
      return [...((await watch(c, query, query as unknown as Promise<unknown>, q)) as Record<string, unknown>[])]
    }),
    lengthOf,
  )

/**
 * A BEGIN the server refused for its connection's sake, or that got an error left over from
 * another statement (see `leftOver`): it ran nothing.
 */
const refusedBegin = (e: unknown): boolean =>
  e instanceof Error && 'severity' in e && classifyPostgres(e)._tag === 'ConnectionError'

/**
 * The runner's part of the shared transaction bookkeeping (`serverTransaction`): postgres.js's
 * `begin` and `savepoint` bracket the program. They send BEGIN/SAVEPOINT and COMMIT or ROLLBACK
 * (TO) themselves, rolling back when the program rejects and when any statement inside failed
 * even if the program caught it, and `begin` rejects the moment its connection closes.
 */
const PG_TX: ServerTx<Conn> = {
  classify: classifyPostgres,
  options: (c) => c.opts,
  heldOf: (c) => c.held,
  opening: (isolation) => [isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN'],
  begin: <A>(c: Conn, held: Held, isolation: Isolation | undefined, body: (tx: Conn) => Promise<A>) => {
    const program = (s: TxSql): Promise<A> => body({ sql: s, pool: c.pool, opts: c.opts, held, signal: c.signal })
    return (
      isolation ? c.pool.begin(`ISOLATION LEVEL ${isolation.toUpperCase()}`, program) : c.pool.begin(program)
    ) as Promise<A>
  },
  savepoint: <A>(c: Conn, name: string, body: (sp: Conn) => Promise<A>) =>
    (c.sql as TxSql).savepoint(name, (s) => body({ ...c, sql: s })) as Promise<A>,
  // SET is transactional here: RESET ALL before COMMIT puts the session back (a rollback undoes it too)
  reset: (tx) => tx.sql.unsafe('RESET ALL'),
  beginAgain: refusedBegin,
  // postgres.js sends what it is given, or fails it with the connection's error
  unsent: () => false,
}

/** A cursor's state between postgres.js's callback and the loop that reads it. */
interface CursorState {
  ready: { batch: unknown[][]; more: (x?: unknown) => void } | undefined
  end: { error?: unknown } | undefined
  wake: () => void
  more: ((x?: unknown) => void) | undefined
}

/**
 * One statement's cursor (`serverBatches` reads it). postgres.js fetches `batchSize` rows per
 * Execute of a portal: one batch in memory at a time. Its cursor is taken with a callback, whose
 * query rejects when the connection is lost between batches (as an iterator it would end as if
 * the rows had run out). The callback's promise asks for the next batch, or with CLOSE for none;
 * after a loss it is left unanswered, since postgres.js would write either to a socket that is gone.
 */
const pgCursor = (c: Conn, q: string, params: ReadonlyArray<unknown>, batchSize: number): BatchCursor => {
  const cur: CursorState = { ready: undefined, end: undefined, wake: noop, more: undefined }
  const cursor = unsafe(c, q, params).values() as unknown as Cursor
  cursor
    .cursor(batchSize, (batch) => new Promise((r) => ((cur.ready = { batch, more: r }), cur.wake())))
    .then(
      () => ((cur.end = {}), cur.wake()),
      (error: unknown) => ((cur.end = { error }), cur.wake()),
    )
  return {
    next: async () => {
      const more = cur.more
      cur.more = undefined
      if (more && !cur.end) more()
      if (!cur.ready && !cur.end) await new Promise<void>((r) => (cur.wake = r))
      if (cur.ready) {
        const { batch } = cur.ready
        cur.more = cur.ready.more
        cur.ready = undefined
        return batch
      }
      if (cur.end!.error === undefined) return undefined
      throw cur.end!.error as Error
    },
    // left early: the portal released
    close: () => (cur.more && !cur.end ? cur.more(c.pool.CLOSE) : undefined),
  }
}

/**
 * A connection of its own for statements that may change its session, reset before it goes back
 * (`RESET ALL` gives back the values terrapin connected with; DISCARD ALL would also drop the
 * prepared statements postgres.js keeps).
 */
const reserved = <A>(c: Conn, f: (ex: Executor) => Promise<A>): Promise<A> =>
  // A transaction holds one connection for the statements, as `reserve()` would; postgres.js's
  // `reserve()` never settles when it has to open a connection for it with fetch_types off (the
  // pool's setting). SET is transactional here: RESET ALL before COMMIT puts the session back,
  // and a failure's ROLLBACK undoes it too.
  c.pool.begin(async (s) => {
    const out = await f(make({ sql: s, pool: c.pool, opts: c.opts, signal: c.signal }))
    await s.unsafe('RESET ALL')
    return out
  }) as Promise<A>

/** The executor of a handle: each member one of the functions above. */
const make = (c: Conn): Executor => {
  const held = c.held
  return {
    dialect: pgDialect,
    all: (q, params) => all(c, q, params),
    decoded: (q, params, _bigint, decode) => decoded(c, q, params, decode),
    run: (q, params) => run(c, q, params),
    allObjects: (q, params) => allObjects(c, q, params),
    stream: (q, params, _bigint, batchSize) =>
      serverStream(c.opts, q, params, {
        classify: classifyPostgres,
        held,
        open: () => pgCursor(c, q, params, batchSize),
        // refused with an error left over from another statement (see `leftOver`): never sent,
        // so opened once more, as `within` sends a statement again
        again: (e) => !held && leftOver(e, params),
      }),
    transaction: (f, isolation) => serverTransaction(PG_TX, c, (tx) => f(make(tx)), isolation),
    withSignal: (signal) => make({ ...c, signal }),
    reserved: held ? undefined : (f) => reserved(c, f),
    sessionChanged: held && (() => void (held.dirty = true)),
    classify: classifyPostgres,
    close: () => c.pool.end({ timeout: 5 }),
    inTransaction: held !== undefined,
    poolSize: c.opts.pool ?? 10,
  }
}

const text = (x: unknown): string => (typeof x === 'string' ? x : JSON.stringify(x))

/**
 * Opens a pool on a `postgres://` URL. The driver is loaded here, so a project that never
 * connects to PostgreSQL need not install it.
 */
export const openPostgres = (url: URL, opts: PoolOptions = {}): Executor => {
  let driver: typeof postgresJs
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a database of this kind is opened, so that the driver is an optional peer
    driver = require('postgres') as typeof postgresJs
  } catch {
    throw new TerrapinFailure(
      configurationError(`the PostgreSQL driver is not installed; run \`npm install postgres\``),
    )
  }
  const pool = driver(driverUrl(url).href, {
    max: opts.pool ?? 10,
    connect_timeout: (opts.connectTimeoutMs ?? 10_000) / 1000,
    idle_timeout: opts.idleTimeoutMs === undefined ? undefined : opts.idleTimeoutMs / 1000,
    fetch_types: false,
    onnotice: () => undefined,
    // UTC sessions; standard strings, which the LIKE escape '\' relies on
    connection: {
      TimeZone: 'UTC',
      application_name: 'terrapin',
      standard_conforming_strings: 'on',
      ...(opts.statementTimeoutMs === undefined ? {} : { statement_timeout: opts.statementTimeoutMs }),
    },
    types: {
      // a calendar day stays text; Date would invent a time zone
      day: { to: 1082, from: [1082], serialize: (x: unknown) => String(x), parse: (x: string) => x },
      // timestamps read exactly (the driver's own parsing turns year 1 into 2001)
      stamp: {
        to: 1184,
        from: [1184, 1114],
        serialize: (x: unknown) => (x instanceof Date ? x.toISOString() : String(x)),
        parse: (x: string) => parseUtc(x) ?? x,
      },
      // JSON is read as text and parsed by the dialect, like on the other dialects
      json: { to: 3802, from: [114, 3802], serialize: text, parse: (x: string) => x },
    },
  })
  return make({ sql: pool, pool, opts })
}
