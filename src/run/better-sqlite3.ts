/**
 * The SQLite runner over better-sqlite3. The driver is synchronous and a connection is one
 * session, so transactions take a lock: while one is open, other work on the same database
 * waits for it instead of seeing (and joining) its uncommitted writes. Transactions begin
 * IMMEDIATE: they hold the database's write lock from their start.
 */
import type BetterSqlite3 from 'better-sqlite3'
import {
  TerrapinError,
  TerrapinFailure,
  configurationError,
  connectionError,
  integrityError,
  queryError,
  transactionError,
  SUBQUERY_MULTIPLE_ROWS,
  subqueryRowsError,
} from '../errors'
import { sqlite } from '../compile/sqlite'
import { Dialect } from '../compile/dialect'
import { DECIMAL_KEY_FUNCTION, FOLD_FUNCTION, MULTIPLE_ROWS_FUNCTION, UPPER_FUNCTION, decimalKey, multipleRows } from '../compile/sqlite'
import { context } from './context'
import { Executor, ExecutorOptions, SyncCalls, WriteResult } from './executor'

// ------------------------------------------------------------------------------------------
// errors
// ------------------------------------------------------------------------------------------

const constraintColumn = (message: string): string | undefined => {
  const m = /constraint failed: (.+)$/i.exec(message)
  return m
    ? m[1]
        .split(',')
        .map((s) => s.trim().split('.').pop())
        .join(', ')
    : undefined
}

/** SQLite's extended result codes to the typed union. */
export const classifySqlite = (e: unknown, sql?: string): TerrapinError => {
  const err = e as { code?: string; message?: string }
  const code = err?.code ?? ''
  const message = err?.message ?? String(e)
  const column = constraintColumn(message)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return integrityError('unique', message, { column, cause: e })
  // ON DELETE RESTRICT reports itself as a trigger
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || (code.startsWith('SQLITE_CONSTRAINT') && message.includes('FOREIGN KEY')))
    return integrityError('foreignKey', message, { cause: e })
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return integrityError('notNull', message, { column, cause: e })
  if (code === 'SQLITE_CONSTRAINT_CHECK') return integrityError('check', message, { constraint: column, cause: e })
  if (code === SUBQUERY_MULTIPLE_ROWS) return subqueryRowsError(sql, e)
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB' || /connection is not open/.test(message)) return connectionError(message, e)
  return queryError(message, { sql, code: code || undefined, retryable: retryableSqlite(code), cause: e })
}

/**
 * Whether a result code says the database was busy or locked, so the same work may succeed
 * when run again: `SQLITE_BUSY`, `SQLITE_LOCKED` and their extended codes (`SQLITE_BUSY_SNAPSHOT`,
 * a WAL reader whose snapshot another connection's commit made stale when it came to write;
 * `SQLITE_BUSY_RECOVERY`, `SQLITE_BUSY_TIMEOUT`, `SQLITE_LOCKED_SHAREDCACHE`, `SQLITE_LOCKED_VTAB`, …).
 */
export const retryableSqlite = (code: string): boolean =>
  code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED_')

// ------------------------------------------------------------------------------------------
// runner
// ------------------------------------------------------------------------------------------

/** A prepared statement and the read mode it was last set to (each change is a native call). */
interface Cached {
  readonly st: BetterSqlite3.Statement
  bigint: boolean | undefined
}

/** One connection's mutable state: the statement cache and the transaction lock. */
interface Session {
  readonly db: BetterSqlite3.Database
  readonly stmts: Map<string, Cached>
  /** Resolves when the open transaction ends (undefined when none is open). */
  lock: Promise<void> | undefined
  savepoints: number
  readonly dialect: Dialect
  /** The statement prepared or found last, and its text. */
  lastSql: string | undefined
  lastStatement: Cached | undefined
}

/**
 * The connection's prepared statement for `sql`: prepared once, reused for every execution. The
 * one used last is found without hashing its text (a compiled statement's text is one string
 * object, so a hot loop compares a pointer).
 */
const prepare = (s: Session, sql: string): Cached => {
  if (sql === s.lastSql) return s.lastStatement!
  let c = s.stmts.get(sql)
  if (!c) {
    const st = s.db.prepare(sql)
    if (s.stmts.size > 1000) s.stmts.delete(s.stmts.keys().next().value as string)
    s.stmts.set(sql, (c = { st, bigint: undefined }))
  }
  s.lastSql = sql
  s.lastStatement = c
  return c
}

/** The driver binds no booleans: 1 and 0 (copied only when there is one). */
const toParams = (params: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  for (let i = 0; i < params.length; i++) if (typeof params[i] === 'boolean') return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))
  return params
}

// The driver's calls with the parameters as plain arguments, for the common counts. A native
// function called with a spread (`st.run(...p)`) or an array (`st.run(p)`, read element by
// element through V8's API) takes a slow path; a plain call is V8's fast API call.

const runArgs = (st: BetterSqlite3.Statement, p: ReadonlyArray<unknown>): BetterSqlite3.RunResult => {
  switch (p.length) {
    case 0:
      return st.run()
    case 1:
      return st.run(p[0])
    case 2:
      return st.run(p[0], p[1])
    case 3:
      return st.run(p[0], p[1], p[2])
    case 4:
      return st.run(p[0], p[1], p[2], p[3])
    default:
      return st.run(...p)
  }
}

const getArgs = (st: BetterSqlite3.Statement, p: ReadonlyArray<unknown>): unknown => {
  switch (p.length) {
    case 0:
      return st.get()
    case 1:
      return st.get(p[0])
    case 2:
      return st.get(p[0], p[1])
    case 3:
      return st.get(p[0], p[1], p[2])
    default:
      return st.get(...p)
  }
}

const allArgs = (st: BetterSqlite3.Statement, p: ReadonlyArray<unknown>): unknown[] => {
  switch (p.length) {
    case 0:
      return st.all()
    case 1:
      return st.all(p[0])
    case 2:
      return st.all(p[0], p[1])
    case 3:
      return st.all(p[0], p[1], p[2])
    default:
      return st.all(...p)
  }
}

/** The transactions (their locks) the current async context runs inside. */
const inside = context<ReadonlySet<Promise<void>>>()

const selfWait = (): TerrapinFailure =>
  new TerrapinFailure(
    transactionError(
      "this database is in a transaction started by this same task: use the transaction's handle inside it (the outer one would wait for the transaction to end)",
    ),
  )

const make = (s: Session, opts: ExecutorOptions, inTx: boolean): Executor => {
  const observe = <A>(sql: string, params: ReadonlyArray<unknown>, f: () => A, count: (a: A) => number): A => {
    if (!opts.onQuery) return f()
    const t0 = performance.now()
    try {
      const out = f()
      opts.onQuery({ sql, params: opts.logParams ? params : undefined, durationMs: performance.now() - t0, rows: count(out) })
      return out
    } catch (e) {
      opts.onQuery({ sql, params: opts.logParams ? params : undefined, durationMs: performance.now() - t0, rows: 0, error: classifySqlite(e, sql) })
      throw e
    }
  }
  // Outside a transaction, wait for one in progress on this connection — unless that
  // transaction is the caller's own (its outer handle used inside it), which would wait forever.
  const ready = async (): Promise<void> => {
    while (!inTx && s.lock) {
      if (inside.get()?.has(s.lock)) throw selfWait()
      await s.lock
    }
  }
  /** The statement reading rows as arrays, with exact 64-bit integers or not. */
  const reader = (sql: string, bigint: boolean): BetterSqlite3.Statement => {
    const c = prepare(s, sql)
    if (c.bigint !== bigint) {
      c.st.raw(true)
      c.st.safeIntegers(bigint)
      c.bigint = bigint
    }
    return c.st
  }
  const allNow = (sql: string, params: ReadonlyArray<unknown>, bigint: boolean): unknown[][] => allArgs(reader(sql, bigint), toParams(params)) as unknown[][]
  const oneNow = (sql: string, params: ReadonlyArray<unknown>, bigint: boolean): unknown[] | undefined =>
    getArgs(reader(sql, bigint), toParams(params)) as unknown[] | undefined
  const runNow = (sql: string, params: ReadonlyArray<unknown>): WriteResult => runArgs(prepare(s, sql).st, toParams(params))
  const all = async (sql: string, params: ReadonlyArray<unknown>, bigint: boolean): Promise<ReadonlyArray<ReadonlyArray<unknown>>> => {
    if (!inTx && s.lock) await ready()
    return opts.onQuery
      ? observe(
          sql,
          params,
          () => allNow(sql, params, bigint),
          (r) => r.length,
        )
      : allNow(sql, params, bigint)
  }
  const run = async (sql: string, params: ReadonlyArray<unknown>): Promise<WriteResult> => {
    if (!inTx && s.lock) await ready()
    return opts.onQuery
      ? observe(
          sql,
          params,
          () => runNow(sql, params),
          (r) => r.changes,
        )
      : runNow(sql, params)
  }
  /** Rows as objects keyed by column name (a raw `sql` read); a statement that reads nothing runs and gives none. */
  const objectsNow = (sql: string, params: ReadonlyArray<unknown>): Record<string, unknown>[] => {
    const c = prepare(s, sql)
    const st = c.st
    if (!st.reader) {
      st.run(...toParams(params))
      return []
    }
    // Objects, not arrays: the cached statement's read mode is no longer the one recorded.
    c.bigint = undefined
    st.raw(false)
    st.safeIntegers(false)
    return st.all(...toParams(params)) as Record<string, unknown>[]
  }
  const allObjects = async (sql: string, params: ReadonlyArray<unknown>): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
    if (!inTx && s.lock) await ready()
    return observe(
      sql,
      params,
      () => objectsNow(sql, params),
      (r) => r.length,
    )
  }
  // better-sqlite3 iterates synchronously; a batch is read at a time, and the connection stays
  // busy (other statements on it fail) until the loop ends.
  async function* stream(
    sql: string,
    params: ReadonlyArray<unknown>,
    bigint: boolean,
    batchSize: number,
  ): AsyncIterable<ReadonlyArray<ReadonlyArray<unknown>>> {
    if (!inTx && s.lock) await ready()
    const t0 = performance.now()
    let rows = 0
    let failure: unknown
    // A statement of its own: the cached one may be needed while this one iterates.
    const st = s.db.prepare(sql)
    st.raw(true)
    st.safeIntegers(bigint)
    const it = st.iterate(...toParams(params)) as IterableIterator<unknown[]>
    try {
      for (;;) {
        const batch: unknown[][] = []
        let r = it.next()
        while (!r.done) {
          batch.push(r.value)
          if (batch.length >= batchSize) break
          r = it.next()
        }
        rows += batch.length
        if (batch.length > 0) yield batch
        if (r.done) break
      }
    } catch (e) {
      failure = e
      throw e
    } finally {
      it.return?.()
      opts.onQuery?.({
        sql,
        params: opts.logParams ? params : undefined,
        durationMs: performance.now() - t0,
        rows,
        error: failure === undefined ? undefined : classifySqlite(failure, sql),
      })
    }
  }
  /** A direct call (`bigint`: read exact 64-bit integers), reported to `onQuery` when there is a hook. */
  const watched =
    <A>(f: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) => A, count: (a: A) => number) =>
    (sql: string, params: ReadonlyArray<unknown>, bigint = false): A =>
      opts.onQuery ? observe(sql, params, () => f(sql, params, bigint), count) : f(sql, params, bigint)
  // The driver is synchronous: the interpreter calls it directly unless a transaction it is not
  // part of holds the connection.
  const direct: SyncCalls = {
    all: watched(allNow, (r) => r.length),
    run: watched(runNow, (r) => r.changes),
    one: watched(oneNow, (r) => (r ? 1 : 0)),
    objects: watched(objectsNow, (r) => r.length),
  }
  const sync = (): SyncCalls | undefined => (!inTx && s.lock ? undefined : direct)
  const syncRefusal = (): TerrapinError =>
    s.lock && inside.get()?.has(s.lock)
      ? selfWait().error
      : queryError('a transaction of another task holds this database: runSync cannot wait for it to end (run(db) waits); nothing was sent', {
          code: 'SQLITE_BUSY',
          retryable: true,
        })
  const exec = (sql: string): void => {
    observe(
      sql,
      [],
      () => s.db.exec(sql),
      () => 0,
    )
  }
  const transaction = async <A>(f: (tx: Executor) => Promise<A>): Promise<A> => {
    if (inTx) {
      const name = `terrapin_sp${++s.savepoints}`
      exec(`SAVEPOINT ${name}`)
      try {
        const out = await f(self)
        exec(`RELEASE ${name}`)
        return out
      } catch (e) {
        exec(`ROLLBACK TO ${name}`)
        exec(`RELEASE ${name}`)
        throw e
      }
    }
    // Check and take the lock with no await in between, or two callers both see it free.
    while (s.lock) {
      if (inside.get()?.has(s.lock)) throw selfWait()
      await s.lock
    }
    let release!: () => void
    s.lock = new Promise<void>((r) => (release = r))
    const tx = make(s, opts, true)
    try {
      // IMMEDIATE: the write lock is taken at BEGIN, before the program reads, so that a
      // read-modify-write is correct (`selectForUpdate`'s promise, kept for the whole database)
      // and a transaction never fails half-way because another connection wrote since it read
      // (a deferred one would get SQLITE_BUSY_SNAPSHOT at its first write). Every isolation level
      // asked for is met: SQLite's transactions are serializable.
      exec('BEGIN IMMEDIATE')
      try {
        const lock = s.lock
        const out = await inside.run(new Set([...(inside.get() ?? []), lock]), () => f(tx))
        exec('COMMIT')
        return out
      } catch (e) {
        if (s.db.inTransaction) exec('ROLLBACK')
        throw e
      }
    } finally {
      s.lock = undefined
      s.savepoints = 0
      release()
    }
  }
  const self: Executor = {
    dialect: s.dialect,
    all,
    run,
    transaction,
    sync,
    syncRefusal,
    classify: classifySqlite,
    close: async () => {
      await ready()
      if (s.db.open) s.db.close()
    },
    inTransaction: inTx,
    oneConnection: true,
    allObjects,
    stream,
  }
  return self
}

/** Unicode-aware case fold (SQLite's own LOWER folds ASCII only). */
const fold = (s: unknown): unknown => (typeof s === 'string' ? s.toLowerCase() : s)

/**
 * Opens a SQLite database file (`:memory:` for an in-memory one) with foreign keys on, WAL for
 * files, and terrapin's fold function registered.
 */
export const openSqlite = (filename: string, opts: ExecutorOptions & { readonly timeoutMs?: number } = {}): Executor => {
  let Driver: typeof BetterSqlite3
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Driver = require('better-sqlite3')
  } catch (e) {
    throw new TerrapinFailure(configurationError(`the SQLite driver is not installed; run \`npm install better-sqlite3\``))
  }
  const db = new Driver(filename, { timeout: opts.timeoutMs ?? 5000 })
  db.pragma('foreign_keys = ON')
  if (filename !== ':memory:' && filename !== '') db.pragma('journal_mode = WAL')
  db.function(FOLD_FUNCTION, { deterministic: true }, fold)
  db.function(DECIMAL_KEY_FUNCTION, { deterministic: true }, decimalKey)
  db.function(UPPER_FUNCTION, { deterministic: true }, (x: unknown) => (typeof x === 'string' ? x.toUpperCase() : x))
  db.function(MULTIPLE_ROWS_FUNCTION, multipleRows)
  const dialect = opts.returning === false ? Object.freeze({ ...sqlite, returning: false }) : sqlite
  return make({ db, stmts: new Map(), lock: undefined, savepoints: 0, dialect, lastSql: undefined, lastStatement: undefined }, opts, false)
}
