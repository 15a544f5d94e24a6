/**
 * The PostgreSQL runner over postgres.js. A pool of connections; a transaction reserves one
 * connection from BEGIN to COMMIT/ROLLBACK (postgres.js `begin`), nested ones are SAVEPOINTs.
 * Sessions run in UTC. `date` stays a `YYYY-MM-DD` string, `int8` and `numeric` come back as
 * strings (the dialect turns them into bigint and fixed-scale decimals), and JSON is sent as
 * the text the dialect encoded (postgres.js would otherwise stringify it a second time).
 */
import { parseUtc } from '../model/codecs'
import type postgresJs from 'postgres'
import { TerrapinError, TerrapinFailure, configurationError, connectionError, integrityError, queryError } from '../errors'
import { postgres as pgDialect } from '../compile/postgres'
import { Executor, WriteResult } from './executor'
import { PoolOptions, SOCKET_ERRORS, cancelling, driverUrl, observed, rowSink } from './pooled'

type Sql = postgresJs.Sql
type TxSql = postgresJs.TransactionSql
/** A query's rows handed over one by one as they are parsed, none kept by the driver. */
type RowsOneByOne = { forEach: (f: (row: unknown[]) => void) => Promise<unknown> }
/** A query read in batches: the callback's promise asks for the next batch (or, with CLOSE, none). */
type Cursor = { cursor: (n: number, f: (rows: unknown[][]) => Promise<unknown>) => Promise<unknown> }
type Unsafe = (query: string, params: ReadonlyArray<unknown>, options: { prepare: boolean }) => postgresJs.PendingQuery<postgresJs.Row[]>

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
 * SQLSTATE to the typed union. Messages of data exceptions (class 22) quote the offending
 * value after a colon, so that part is cut off.
 */
export const classifyPostgres = (e: unknown, sql?: string): TerrapinError => {
  const err = (e ?? {}) as { code?: string; message?: string; constraint_name?: string; column_name?: string; detail?: string }
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
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return connectionError(`PostgreSQL connection failed: ${message}`, e)
  // past statement_timeout, or cancelled (a cancel request, pg_cancel_backend)
  if (code === '57014') return queryError(message, { sql, code: /statement timeout/.test(raw) ? 'TIMEOUT' : 'CANCELLED', cause: e })
  const retryable = code === '40001' || code === '40P01'
  return queryError(message, { sql, code: code || undefined, retryable, cause: e })
}

// ------------------------------------------------------------------------------------------
// runner
// ------------------------------------------------------------------------------------------

/**
 * The connection a transaction holds, as its statements (nested ones too) see it. Once it is
 * lost, postgres.js must be given nothing more for it, not even the ROLLBACK or COMMIT its
 * `begin` sends when the program ends: it would write to a socket that is gone (an uncaught
 * TypeError a tick later) or, once the pool has reconnected that connection for other work,
 * run the statement there, outside any transaction.
 */
interface Held {
  lost: boolean
  /**
   * How to settle each statement not yet settled. postgres.js rejects those it has sent when
   * the connection closes, but not those waiting for room in its pipeline (past `max_pipeline`,
   * 100): they would wait forever.
   */
  readonly waiting: Set<(e: unknown) => void>
  /** A statement may have changed the session: `RESET ALL` before COMMIT (a rollback undoes it). */
  dirty?: boolean
}

const lostError = (): Error => Object.assign(new Error("the transaction's connection was lost; nothing more was sent"), { code: 'CONNECTION_CLOSED' })

/** Marks the connection lost and fails the statements still waiting on it. */
const lose = (held: Held): void => {
  held.lost = true
  for (const fail of held.waiting) fail(lostError())
  held.waiting.clear()
}

/** A transaction's statement: refused once its connection is lost, and telling of the loss. */
const onHeld = async <A>(held: Held, f: () => Promise<A>): Promise<A> => {
  if (held.lost) throw lostError()
  let fail!: (e: unknown) => void
  const gone = new Promise<never>((_, reject) => (fail = reject))
  held.waiting.add(fail)
  try {
    return await Promise.race([f(), gone])
  } catch (e) {
    if (classifyPostgres(e)._tag === 'ConnectionError') lose(held)
    throw e
  } finally {
    held.waiting.delete(fail)
  }
}

/**
 * Whether `e` is a server error postgres.js attached to another statement than the one with these
 * `args`: the error a connection killed mid-statement left behind, which postgres.js 3.4 hands
 * to the first statement that connection is reopened for, without sending that statement.
 */
const leftOver = (e: unknown, args: ReadonlyArray<unknown>): boolean =>
  e instanceof Error && 'severity' in e && 'args' in e && (e as { args?: unknown }).args !== args

/** A promise that never settles: what a transaction's body becomes after its connection is lost. */
const stranded = (): Promise<never> => new Promise(() => undefined)

/**
 * A write's result. The driver's query is taken with `then`, not awaited in an async function:
 * awaiting a promise of a subclass (postgres.js's `Query`) costs two more turns of the microtask
 * queue, on every statement.
 */
const countOf = (r: { readonly count: number }): WriteResult => ({ changes: r.count })

/** A query that can be cancelled (postgres.js sends a cancel request for a running one). */
type Cancellable = { cancel: () => unknown }

const noop = (): void => undefined

const make = (sql: Sql | TxSql, pool: Sql, opts: PoolOptions, held?: Held, signal?: AbortSignal): Executor => {
  const inTx = held !== undefined
  const unsafe = sql.unsafe as unknown as Unsafe
  // with a run's signal, the statement is cancelled on the server if it aborts while it runs
  function watch<A>(query: Cancellable, p: Promise<A>, q: string): Promise<A> {
    return signal ? cancelling(signal, p, () => void Promise.resolve(query.cancel()).catch(noop), q) : p
  }
  // Inside a transaction, guarded by `onHeld`; outside, sent once more if it was refused with
  // an error left over from another statement (it was never sent).
  function within<A>(params: ReadonlyArray<unknown>, f: () => Promise<A>): () => Promise<A> {
    return held ? () => onHeld(held, f) : () => f().catch((e: unknown) => (leftOver(e, params) ? f() : Promise.reject(e)))
  }
  const all = (q: string, params: ReadonlyArray<unknown>): Promise<ReadonlyArray<ReadonlyArray<unknown>>> =>
    observed(
      opts,
      classifyPostgres,
      q,
      params,
      within(params, () => {
        const query = unsafe(q, params, { prepare: true }).values()
        return watch(query, query as unknown as Promise<unknown[][]>, q)
      }),
      (r) => r.length,
    )
  // Each row decoded as postgres.js parses it (`forEach`): the raw row dies young instead of
  // being kept, with all the others, until the last row has arrived.
  const decoded = <A>(q: string, params: ReadonlyArray<unknown>, _bigint: boolean, decode: (row: ReadonlyArray<unknown>) => A): Promise<A[]> =>
    observed(
      opts,
      classifyPostgres,
      q,
      params,
      within(params, async () => {
        const sink = rowSink(decode)
        const query = unsafe(q, params, { prepare: true }).values()
        await watch(query, (query as unknown as RowsOneByOne).forEach(sink.row), q)
        return sink.end()
      }),
      (r) => r.length,
    )
  const run = (q: string, params: ReadonlyArray<unknown>): Promise<WriteResult> =>
    observed(
      opts,
      classifyPostgres,
      q,
      params,
      within(params, () => {
        const query = unsafe(q, params, { prepare: true })
        return watch(query, query.then(countOf), q)
      }),
      (r) => r.changes,
    )
  const transaction = async <A>(f: (tx: Executor) => Promise<A>): Promise<A> => {
    // postgres.js sends BEGIN/SAVEPOINT and COMMIT/RELEASE or ROLLBACK itself (rolling back
    // when `body` rejects, and when any statement inside failed even if the program caught
    // it); the hook still hears of them, as on the other dialects.
    const hook = opts.onQuery
    const [open, close, undo] = inTx ? ['SAVEPOINT', 'RELEASE SAVEPOINT', 'ROLLBACK TO SAVEPOINT'] : ['BEGIN', 'COMMIT', 'ROLLBACK']
    let t0 = performance.now()
    // an object, so that TypeScript does not narrow it across the callback
    const at: { phase: 'opening' | 'running' | 'failed' | 'closing' } = { phase: 'opening' }
    const emit = (q: string, error?: unknown): void =>
      hook?.({ sql: q, durationMs: performance.now() - t0, rows: 0, error: error === undefined ? undefined : classifyPostgres(error, q) })
    const conn: Held = held ?? { lost: false, waiting: new Set() }
    // A savepoint on a connection known to be lost: postgres.js would write its SAVEPOINT to a
    // socket that is gone (an uncaught TypeError a tick later).
    if (conn.lost) {
      const e = lostError()
      emit(open, e)
      throw e
    }
    const body = async (s: TxSql): Promise<A> => {
      emit(open)
      at.phase = 'running'
      let out: A
      try {
        out = await f(make(s, pool, opts, conn, signal))
      } catch (e) {
        at.phase = 'failed'
        // no ROLLBACK on a lost connection: `begin` has already rejected (postgres.js rejects it
        // when the connection closes), and that is the error the caller gets
        if (conn.lost) return stranded()
        throw e
      } finally {
        t0 = performance.now()
      }
      if (conn.lost) return stranded() // nor a COMMIT
      // a session changed in the transaction would outlive its COMMIT on the pool's connection
      if (conn.dirty && !inTx) await s.unsafe('RESET ALL')
      at.phase = 'closing'
      return out
    }
    const begin = (): Promise<unknown> => (inTx ? (sql as TxSql).savepoint(body) : pool.begin(body))
    try {
      // A BEGIN the server refused for its connection's sake (or that got an error left over from
      // another statement, see `leftOver`) ran nothing of the program: it is tried once more.
      const out = (await begin().catch((e: unknown) =>
        !inTx && at.phase === 'opening' && e instanceof Error && 'severity' in e && classifyPostgres(e)._tag === 'ConnectionError'
          ? begin()
          : Promise.reject(e),
      )) as A
      emit(close)
      return out
    } catch (e) {
      // The connection closed while the program may still be running: its later statements
      // must not reach postgres.js.
      if (!inTx && classifyPostgres(e)._tag === 'ConnectionError') lose(conn)
      // BEGIN failed, the program failed (ROLLBACK), the connection was lost (the server rolls
      // back), or the end failed (COMMIT, or a statement the program had caught made
      // postgres.js roll back)
      if (at.phase === 'failed' && !conn.lost) emit(undo)
      else emit(at.phase === 'opening' ? open : at.phase === 'closing' ? close : undo, e)
      throw e
    }
  }

  const allObjects = (q: string, params: ReadonlyArray<unknown>): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> =>
    observed(
      opts,
      classifyPostgres,
      q,
      params,
      within(params, async () => {
        const query = unsafe(q, params, { prepare: true })
        return [...((await watch(query, query as unknown as Promise<unknown>, q)) as Record<string, unknown>[])]
      }),
      (r) => r.length,
    )
  // postgres.js fetches `batchSize` rows per Execute of a portal: one batch in memory at a time.
  // Its cursor is taken with a callback, whose query rejects when the connection is lost between
  // batches (as an iterator it would end as if the rows had run out). The callback's promise
  // asks for the next batch, or with CLOSE for none; after a loss it is left unanswered, since
  // postgres.js would write either to a socket that is gone.
  async function* stream(q: string, params: ReadonlyArray<unknown>, _bigint: boolean, batchSize: number): AsyncIterable<ReadonlyArray<ReadonlyArray<unknown>>> {
    const t0 = performance.now()
    let rows = 0
    let failure: unknown
    let ready: { batch: unknown[][]; more: (x?: unknown) => void } | undefined
    let end: { error?: unknown } | undefined
    let wake = (): void => undefined
    let more: ((x?: unknown) => void) | undefined
    const open = (): void => {
      const cursor = unsafe(q, params, { prepare: true }).values() as unknown as Cursor
      cursor
        .cursor(batchSize, (batch) => new Promise((r) => ((ready = { batch, more: r }), wake())))
        .then(
          () => ((end = {}), wake()),
          (error: unknown) => ((end = { error }), wake()),
        )
    }
    let retried = false
    try {
      if (held?.lost) throw lostError()
      open()
      for (;;) {
        if (!ready && !end) await new Promise<void>((r) => (wake = r))
        if (ready) {
          const batch = ready.batch
          more = ready.more
          ready = undefined
          rows += batch.length
          yield batch
          if (!end) more()
          more = undefined
        } else if (end!.error !== undefined) {
          // refused with an error left over from another statement (see `leftOver`): never sent,
          // so opened once more, as `within` sends a statement again
          if (!held && !retried && rows === 0 && leftOver(end!.error, params)) {
            retried = true
            end = undefined
            open()
            continue
          }
          throw end!.error
        } else break
      }
    } catch (e) {
      failure = e
      if (held && classifyPostgres(e)._tag === 'ConnectionError') lose(held)
      throw e
    } finally {
      // the loop was left early: release the portal
      if (more && !end) more(pool.CLOSE)
      opts.onQuery?.({
        sql: q,
        params: opts.logParams ? params : undefined,
        durationMs: performance.now() - t0,
        rows,
        error: failure === undefined ? undefined : classifyPostgres(failure, q),
      })
    }
  }
  // A connection of its own for statements that may change its session, reset before it goes
  // back (`RESET ALL` gives back the values terrapin connected with; DISCARD ALL would also drop
  // the prepared statements postgres.js keeps).
  const reserved = async <A>(f: (ex: Executor) => Promise<A>): Promise<A> => {
    const r = await pool.reserve()
    try {
      return await f(make(r, pool, opts, undefined, signal))
    } finally {
      await r.unsafe('RESET ALL').catch(noop)
      r.release()
    }
  }
  return {
    dialect: pgDialect,
    all,
    decoded,
    run,
    allObjects,
    stream,
    transaction,
    withSignal: (s) => make(sql, pool, opts, held, s),
    reserved: held ? undefined : reserved,
    sessionChanged: held && (() => void (held.dirty = true)),
    classify: classifyPostgres,
    close: () => pool.end({ timeout: 5 }),
    inTransaction: inTx,
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    driver = require('postgres')
  } catch (e) {
    throw new TerrapinFailure(configurationError(`the PostgreSQL driver is not installed; run \`npm install postgres\``))
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
  return make(pool, pool, opts)
}
