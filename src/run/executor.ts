/**
 * The one interface every driver runner implements. Runners are thin: the driver call, error
 * classification, nothing else. Rows come back as arrays of column values, in select order.
 */
import { TerrapinError } from '../errors'
import { Dialect } from '../compile/dialect'

/** What the `onQuery` hook receives after each statement. */
export interface QueryEvent {
  readonly sql: string
  /** Bound values, only when the database was opened with `logParams: true`. */
  readonly params?: ReadonlyArray<unknown>
  readonly durationMs: number
  /** Rows returned (reads) or affected (writes). */
  readonly rows: number
  readonly error?: TerrapinError
}

/** `connect(url, { onQuery })`: called after each statement with its SQL, duration, row count or error. */
export type QueryHook = (event: QueryEvent) => void

/**
 * What a statement that returns no rows reports. Shaped as better-sqlite3's own record, which the
 * SQLite runner passes on as it is (a copy per statement is memory a hot update pays for).
 */
export interface WriteResult {
  readonly changes: number
  /** The key generated last (SQLite: the last row's; MySQL: the first row's). */
  readonly lastInsertRowid?: unknown
}

/**
 * A value, or a promise of it: what the interpreter passes along, so that a plan on a
 * synchronous driver runs without a promise until the outer boundary of `run`.
 */
export type MaybePromise<A> = A | Promise<A>

/** Whether a `MaybePromise` is still to come. */
export const isPromise = <A>(x: MaybePromise<A>): x is Promise<A> => x instanceof Promise

/** The direct calls of a synchronous driver: answers (or throws) at once. */
export interface SyncCalls {
  readonly all: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) => ReadonlyArray<ReadonlyArray<unknown>>
  readonly run: (sql: string, params: ReadonlyArray<unknown>) => WriteResult
  /** The first row of a read, or undefined: for statements that return at most one row. */
  readonly one?: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) => ReadonlyArray<unknown> | undefined
  /** Rows as objects keyed by column name, as `Executor.allObjects`. */
  readonly objects?: (sql: string, params: ReadonlyArray<unknown>) => ReadonlyArray<Readonly<Record<string, unknown>>>
}

/** A transaction's isolation level, as SQL names it. */
export type Isolation = 'read committed' | 'repeatable read' | 'serializable'

/**
 * A runner's connection to one database (`db.executor`): runs SQL, holds the pool, opens
 * transactions. Plans are run through `run`, not through it.
 */
export interface Executor {
  readonly dialect: Dialect
  /** Rows as arrays. `bigint` asks for exact 64-bit integers where the driver can. */
  readonly all: (
    sql: string,
    params: ReadonlyArray<unknown>,
    bigint: boolean,
  ) => Promise<ReadonlyArray<ReadonlyArray<unknown>>>
  /**
   * Rows decoded one by one as the driver reads them, so that no array of raw rows outlives the
   * read (for drivers that hand rows over singly; without it, `all` and then decoding). A failure
   * of `decode` ends the decoding (the rest of the result is read and dropped) and is the
   * promise's rejection.
   */
  readonly decoded?: <A>(
    sql: string,
    params: ReadonlyArray<unknown>,
    bigint: boolean,
    decode: (row: ReadonlyArray<unknown>) => A,
  ) => Promise<A[]>
  /** A statement that returns no rows. */
  readonly run: (sql: string, params: ReadonlyArray<unknown>) => Promise<WriteResult>
  /**
   * Runs `f` on one connection between BEGIN and COMMIT; ROLLBACK when `f` rejects. Inside a
   * transaction, a nested call uses a SAVEPOINT, so only the inner part rolls back. `isolation`
   * is for an outermost transaction only (the caller checks).
   */
  readonly transaction: <A>(f: (tx: Executor) => Promise<A>, isolation?: Isolation) => Promise<A>
  /** Maps anything the driver throws to the typed union. */
  readonly classify: (error: unknown, sql?: string) => TerrapinError
  /** Closes the connections, after the work in progress. */
  readonly close: () => Promise<void>
  /** True inside `transaction`. */
  readonly inTransaction: boolean
  /**
   * Every statement runs on the one connection (SQLite): what a statement leaves in its session
   * (an insert id) is there for the next, without a transaction to hold a connection.
   */
  readonly oneConnection?: boolean
  /** How many connections the pool opens at most (PostgreSQL, MySQL); absent for one connection. */
  readonly poolSize?: number
  /**
   * Pending while the runner is still learning its server (MySQL or MariaDB, which version),
   * since that decides `dialect`; plans wait for it before they compile. Rejects with the
   * driver's error when the server cannot be reached.
   */
  readonly ready?: Promise<void>
  /** Rows as objects keyed by column name (raw `sql` reads). */
  readonly allObjects?: (
    sql: string,
    params: ReadonlyArray<unknown>,
  ) => Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>
  /**
   * The rows of a read in batches of about `batchSize`, holding only one batch in memory (a
   * cursor on PostgreSQL, a streamed result on MySQL, `iterate` on SQLite). Breaking out of the
   * loop releases the cursor; a connection lost mid-way ends the loop with the driver's error.
   */
  readonly stream?: (
    sql: string,
    params: ReadonlyArray<unknown>,
    bigint: boolean,
    batchSize: number,
  ) => AsyncIterable<ReadonlyArray<ReadonlyArray<unknown>>>
  /**
   * A synchronous driver's direct calls, when they may be used now (nothing else holds the
   * connection); undefined otherwise, and for asynchronous drivers. The same statements as
   * `all`/`run`, without a promise per call.
   */
  readonly sync?: () => SyncCalls | undefined
  /**
   * Why `sync()` gives no calls now (another task's transaction holds the connection, or this
   * handle's transaction has ended): what `runSync`, which cannot wait as `run` does, returns.
   */
  readonly syncRefusal?: () => TerrapinError
  /**
   * The same executor, whose statements running when `signal` aborts are cancelled on the
   * server (and their connections freed); absent where the driver cannot interrupt one (SQLite).
   */
  readonly withSignal?: (signal: AbortSignal) => Executor
  /**
   * Outside a transaction, on a pool: runs `f` on one connection of its own, whose session is
   * reset before another user gets it. For raw statements that may change session state.
   */
  readonly reserved?: <A>(f: (ex: Executor) => Promise<A>) => Promise<A>
  /**
   * Inside a transaction, on a pool: tells that a statement may have changed the session of its
   * connection, which is then reset when the transaction ends (committed or rolled back).
   */
  readonly sessionChanged?: () => void
}

/** Options every runner takes. */
export interface ExecutorOptions {
  readonly onQuery?: QueryHook
  /** Include bound values in `onQuery` events (off by default: they may be secrets). */
  readonly logParams?: boolean
  /**
   * Use INSERT … RETURNING (SQLite, MySQL/MariaDB). Detected by default (MariaDB 10.5+ has it,
   * MySQL has not); set it for a MySQL-compatible server that the version check misjudges.
   * Without it, `create` reads its row back by insert id on the same connection.
   */
  readonly returning?: boolean
  /**
   * A server-side limit on every statement's running time, in milliseconds (PostgreSQL
   * `statement_timeout`, MariaDB `max_statement_time`, MySQL `max_execution_time`, which MySQL
   * applies to SELECT only). A statement past it fails with a `QueryError` of code `'TIMEOUT'`.
   * Not on SQLite, which cannot interrupt a statement (a `ConfigurationError`).
   */
  readonly statementTimeoutMs?: number
}
