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
  missingTableError,
} from '../errors'
import { jsonContainsSql, jsonEqualSql } from '../compile/json'
import { REGEXP_FUNCTION, sqlite } from '../compile/sqlite'
import { Dialect } from '../compile/dialect'
import {
  DECIMAL_KEY_FUNCTION,
  FOLD_FUNCTION,
  JSON_CONTAINS_FUNCTION,
  JSON_EQUAL_FUNCTION,
  MULTIPLE_ROWS_FUNCTION,
  UPPER_FUNCTION,
  decimalKey,
  multipleRows,
} from '../compile/sqlite'
import { context } from './context'
import { compileRegex, regexMatches } from './regex-match'
import { Executor, ExecutorOptions, SyncCalls, WriteResult } from './executor'
import { observedNow, reported } from './hook'

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
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return integrityError('unique', message, { column, cause: e })
  // ON DELETE RESTRICT reports itself as a trigger
  if (
    code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
    (code.startsWith('SQLITE_CONSTRAINT') && message.includes('FOREIGN KEY'))
  )
    return integrityError('foreignKey', message, { cause: e })
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return integrityError('notNull', message, { column, cause: e })
  if (code === 'SQLITE_CONSTRAINT_CHECK') return integrityError('check', message, { constraint: column, cause: e })
  if (code === SUBQUERY_MULTIPLE_ROWS) return subqueryRowsError(sql, e)
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB' || /connection is not open/.test(message))
    return connectionError(message, e)
  if (/^no such table: /.test(message)) return missingTableError(message, { sql, code: code || undefined, cause: e })
  return queryError(message, { sql, code: code || undefined, retryable: retryableSqlite(code), cause: e })
}

/**
 * Whether a result code says the database was busy or locked, so the same work may succeed
 * when run again: `SQLITE_BUSY`, `SQLITE_LOCKED` and their extended codes (`SQLITE_BUSY_SNAPSHOT`,
 * a WAL reader whose snapshot another connection's commit made stale when it came to write;
 * `SQLITE_BUSY_RECOVERY`, `SQLITE_BUSY_TIMEOUT`, `SQLITE_LOCKED_SHAREDCACHE`, `SQLITE_LOCKED_VTAB`, …).
 */
export const retryableSqlite = (code: string): boolean =>
  code === 'SQLITE_BUSY' ||
  code === 'SQLITE_LOCKED' ||
  code.startsWith('SQLITE_BUSY_') ||
  code.startsWith('SQLITE_LOCKED_')

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
  for (let i = 0; i < params.length; i++)
    if (typeof params[i] === 'boolean') return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))
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

/** A handle on a session: the database's own (`inTx` false) or an open transaction's. */
interface Conn {
  readonly s: Session
  readonly opts: ExecutorOptions
  readonly inTx: boolean
}

/** `observedNow` with this runner's classification. */
const observe = <A>(
  opts: ExecutorOptions,
  sql: string,
  params: ReadonlyArray<unknown>,
  f: () => A,
  count: (a: A) => number,
): A => observedNow(opts, classifySqlite, sql, params, f, count)

/**
 * Outside a transaction, waits for one in progress on this connection — unless that
 * transaction is the caller's own (its outer handle used inside it), which would wait forever.
 */
const waitTurn = async (c: Conn): Promise<void> => {
  while (!c.inTx && c.s.lock) {
    if (inside.get()?.has(c.s.lock)) throw selfWait()
    await c.s.lock
  }
}

/** The statement reading rows as arrays, with exact 64-bit integers or not. */
const reader = (s: Session, sql: string, bigint: boolean): BetterSqlite3.Statement => {
  const c = prepare(s, sql)
  if (c.bigint !== bigint) {
    c.st.raw(true)
    c.st.safeIntegers(bigint)
    c.bigint = bigint
  }
  return c.st
}

const allNow = (s: Session, sql: string, params: ReadonlyArray<unknown>, bigint: boolean): unknown[][] =>
  allArgs(reader(s, sql, bigint), toParams(params)) as unknown[][]
const oneNow = (s: Session, sql: string, params: ReadonlyArray<unknown>, bigint: boolean): unknown[] | undefined =>
  getArgs(reader(s, sql, bigint), toParams(params)) as unknown[] | undefined
const runNow = (s: Session, sql: string, params: ReadonlyArray<unknown>): WriteResult =>
  runArgs(prepare(s, sql).st, toParams(params))

/** Rows as objects keyed by column name (a raw `sql` read); a statement that reads nothing runs and gives none. */
const objectsNow = (s: Session, sql: string, params: ReadonlyArray<unknown>): Record<string, unknown>[] => {
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

const lengthOf = (r: ReadonlyArray<unknown>): number => r.length
const changesOf = (r: WriteResult): number => r.changes
const oneOrNone = (r: unknown): number => (r ? 1 : 0)

const all = async (
  c: Conn,
  sql: string,
  params: ReadonlyArray<unknown>,
  bigint: boolean,
): Promise<ReadonlyArray<ReadonlyArray<unknown>>> => {
  if (!c.inTx && c.s.lock) await waitTurn(c)
  return c.opts.onQuery
    ? observe(c.opts, sql, params, () => allNow(c.s, sql, params, bigint), lengthOf)
    : allNow(c.s, sql, params, bigint)
}

const run = async (c: Conn, sql: string, params: ReadonlyArray<unknown>): Promise<WriteResult> => {
  if (!c.inTx && c.s.lock) await waitTurn(c)
  return c.opts.onQuery
    ? observe(c.opts, sql, params, () => runNow(c.s, sql, params), changesOf)
    : runNow(c.s, sql, params)
}

const allObjects = async (
  c: Conn,
  sql: string,
  params: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  if (!c.inTx && c.s.lock) await waitTurn(c)
  return observe(c.opts, sql, params, () => objectsNow(c.s, sql, params), lengthOf)
}

/**
 * better-sqlite3 iterates synchronously; a batch is read at a time, and the connection stays
 * busy (other statements on it fail) until the loop ends.
 */
async function* stream(
  c: Conn,
  sql: string,
  params: ReadonlyArray<unknown>,
  bigint: boolean,
  batchSize: number,
): AsyncIterable<ReadonlyArray<ReadonlyArray<unknown>>> {
  if (!c.inTx && c.s.lock) await waitTurn(c)
  // A statement of its own: the cached one may be needed while this one iterates.
  const st = c.s.db.prepare(sql)
  st.raw(true)
  st.safeIntegers(bigint)
  yield* reported(
    c.opts,
    classifySqlite,
    sql,
    params,
    batchesOf(st.iterate(...toParams(params)) as IterableIterator<unknown[]>, batchSize),
  )
}

/** The rows of an iterator in batches of `batchSize`, read as each batch is asked for. */
function* batchesOf(
  it: IterableIterator<unknown[]>,
  batchSize: number,
): Generator<ReadonlyArray<ReadonlyArray<unknown>>> {
  try {
    for (;;) {
      const batch: unknown[][] = []
      let r = it.next()
      while (!r.done) {
        batch.push(r.value)
        if (batch.length >= batchSize) break
        r = it.next()
      }
      if (batch.length > 0) yield batch
      if (r.done) break
    }
  } finally {
    it.return?.()
  }
}

/**
 * The driver's direct calls (`bigint`: read exact 64-bit integers), reported to `onQuery` when
 * there is a hook. The interpreter calls them unless a transaction it is not part of holds the
 * connection.
 */
const syncCalls = (c: Conn): SyncCalls => {
  const { s, opts } = c
  return {
    all: (sql, params, bigint = false) =>
      opts.onQuery
        ? observe(opts, sql, params, () => allNow(s, sql, params, bigint), lengthOf)
        : allNow(s, sql, params, bigint),
    run: (sql, params) =>
      opts.onQuery ? observe(opts, sql, params, () => runNow(s, sql, params), changesOf) : runNow(s, sql, params),
    one: (sql, params, bigint = false) =>
      opts.onQuery
        ? observe(opts, sql, params, () => oneNow(s, sql, params, bigint), oneOrNone)
        : oneNow(s, sql, params, bigint),
    objects: (sql, params) =>
      opts.onQuery
        ? observe(opts, sql, params, () => objectsNow(s, sql, params), lengthOf)
        : objectsNow(s, sql, params),
  }
}

const syncRefusal = (s: Session): TerrapinError =>
  s.lock && inside.get()?.has(s.lock)
    ? selfWait().error
    : queryError(
        'a transaction of another task holds this database: runSync cannot wait for it to end (run(db) waits); nothing was sent',
        {
          code: 'SQLITE_BUSY',
          retryable: true,
        },
      )

const exec = (c: Conn, sql: string): void => {
  observe(
    c.opts,
    sql,
    [],
    () => c.s.db.exec(sql),
    () => 0,
  )
}

/** Inside a transaction: `f` between SAVEPOINT and RELEASE, rolled back to the savepoint when it rejects. */
const savepoint = async <A>(c: Conn, self: Executor, f: (tx: Executor) => Promise<A>): Promise<A> => {
  const name = `terrapin_sp${++c.s.savepoints}`
  exec(c, `SAVEPOINT ${name}`)
  try {
    const out = await f(self)
    exec(c, `RELEASE ${name}`)
    return out
  } catch (e) {
    exec(c, `ROLLBACK TO ${name}`)
    exec(c, `RELEASE ${name}`)
    throw e
  }
}

/** `f` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it rejects), holding the session's lock. */
const transaction = async <A>(c: Conn, f: (tx: Executor) => Promise<A>): Promise<A> => {
  const s = c.s
  // Check and take the lock with no await in between, or two callers both see it free.
  while (s.lock) {
    if (inside.get()?.has(s.lock)) throw selfWait()
    await s.lock
  }
  let release!: () => void
  s.lock = new Promise<void>((r) => (release = r))
  const tx = make(s, c.opts, true)
  try {
    // IMMEDIATE: the write lock is taken at BEGIN, before the program reads, so that a
    // read-modify-write is correct (`selectForUpdate`'s promise, kept for the whole database)
    // and a transaction never fails half-way because another connection wrote since it read
    // (a deferred one would get SQLITE_BUSY_SNAPSHOT at its first write). Every isolation level
    // asked for is met: SQLite's transactions are serializable.
    exec(c, 'BEGIN IMMEDIATE')
    try {
      const lock = s.lock
      const out = await inside.run(new Set([...(inside.get() ?? []), lock]), () => f(tx))
      exec(c, 'COMMIT')
      return out
    } catch (e) {
      if (s.db.inTransaction) exec(c, 'ROLLBACK')
      throw e
    }
  } finally {
    s.lock = undefined
    s.savepoints = 0
    release()
  }
}

/** The executor of a handle on the session: each member one of the functions above. */
const make = (s: Session, opts: ExecutorOptions, inTx: boolean): Executor => {
  const c: Conn = { s, opts, inTx }
  const direct = syncCalls(c)
  const self: Executor = {
    dialect: s.dialect,
    all: (sql, params, bigint) => all(c, sql, params, bigint),
    run: (sql, params) => run(c, sql, params),
    transaction: (f) => (inTx ? savepoint(c, self, f) : transaction(c, f)),
    sync: () => (!inTx && s.lock ? undefined : direct),
    syncRefusal: () => syncRefusal(s),
    classify: classifySqlite,
    close: async () => {
      await waitTurn(c)
      if (s.db.open) s.db.close()
    },
    inTransaction: inTx,
    oneConnection: true,
    allObjects: (sql, params) => allObjects(c, sql, params),
    stream: (sql, params, bigint, batchSize) => stream(c, sql, params, bigint, batchSize),
  }
  return self
}

/** Unicode-aware case fold (SQLite's own LOWER folds ASCII only). */
const fold = (s: unknown): unknown => (typeof s === 'string' ? s.toLowerCase() : s)

/** Compiled patterns by source: a query calls `regexp` once per row with the same pattern. */
const patterns = new Map<string, ReturnType<typeof compileRegex>>()
const MAX_PATTERNS = 256

/**
 * `x REGEXP p` as the portable subset means it, in time linear in the text (`run/regex-match.ts`;
 * JS's backtracking RegExp would hang on `.*.*.*x`); NULL when either side is.
 */
const regexp = (pattern: unknown, text: unknown): number | null => {
  if (typeof pattern !== 'string' || typeof text !== 'string') return null
  let re = patterns.get(pattern)
  if (!re) {
    if (patterns.size >= MAX_PATTERNS) patterns.clear()
    patterns.set(pattern, (re = compileRegex(pattern)))
  }
  return regexMatches(re, text) ? 1 : 0
}

/**
 * Opens a SQLite database file (`:memory:` for an in-memory one) with foreign keys on, WAL for
 * files, and terrapin's fold function registered.
 */
export const openSqlite = (
  filename: string,
  opts: ExecutorOptions & { readonly timeoutMs?: number } = {},
): Executor => {
  let Driver: typeof BetterSqlite3
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a database of this kind is opened, so that the driver is an optional peer
    Driver = require('better-sqlite3') as typeof BetterSqlite3
  } catch {
    throw new TerrapinFailure(
      configurationError(`the SQLite driver is not installed; run \`npm install better-sqlite3\``),
    )
  }
  const db = new Driver(filename, { timeout: opts.timeoutMs ?? 5000 })
  db.pragma('foreign_keys = ON')
  if (filename !== ':memory:' && filename !== '') db.pragma('journal_mode = WAL')
  db.function(FOLD_FUNCTION, { deterministic: true }, fold)
  db.function(JSON_CONTAINS_FUNCTION, { deterministic: true }, jsonContainsSql)
  db.function(JSON_EQUAL_FUNCTION, { deterministic: true }, jsonEqualSql)
  db.function(DECIMAL_KEY_FUNCTION, { deterministic: true }, decimalKey)
  db.function(UPPER_FUNCTION, { deterministic: true }, (x: unknown) => (typeof x === 'string' ? x.toUpperCase() : x))
  db.function(MULTIPLE_ROWS_FUNCTION, multipleRows)
  db.function(REGEXP_FUNCTION, { deterministic: true }, regexp)
  const dialect = opts.returning === false ? Object.freeze({ ...sqlite, returning: false }) : sqlite
  return make(
    { db, stmts: new Map(), lock: undefined, savepoints: 0, dialect, lastSql: undefined, lastStatement: undefined },
    opts,
    false,
  )
}
