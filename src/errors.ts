/**
 * Errors are values: a closed union discriminated by `_tag`. Runners classify every driver
 * error into one of these; nothing the driver throws escapes unclassified. Messages never
 * contain the bound values of a failing query (they may be logged).
 */

export interface DoesNotExist {
  readonly _tag: 'DoesNotExist'
  readonly model: string
  readonly message: string
}

/** `get` found more than one row. */
export interface MultipleObjectsReturned {
  readonly _tag: 'MultipleObjectsReturned'
  readonly model: string
  readonly message: string
}

/** The constraint an `IntegrityError` broke. */
export type IntegrityKind = 'unique' | 'foreignKey' | 'notNull' | 'check'

/** The database refused a write: a unique, foreign-key, not-null or check constraint. */
export interface IntegrityError {
  readonly _tag: 'IntegrityError'
  readonly kind: IntegrityKind
  /** The constraint's name where the database reports it. */
  readonly constraint?: string
  /** The column where the database reports it (or the columns of a unique constraint). */
  readonly column?: string
  readonly message: string
  readonly cause?: unknown
}

/** One problem of a `ValidationError`: the field (or path, `[3].title`) and what is wrong with it. */
export interface ValidationIssue {
  readonly field: string
  readonly message: string
}

/**
 * Input refused before any SQL was sent: unknown fields, wrong types, values out of range, failing
 * validators. Holds every issue.
 */
export interface ValidationError {
  readonly _tag: 'ValidationError'
  readonly model?: string
  readonly issues: ReadonlyArray<ValidationIssue>
  readonly message: string
}

/** A row read back does not match its model's codec (the table is not what the model says). */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly model: string
  readonly field: string
  readonly message: string
}

/** The database cannot be reached, the connection was lost, or the handle is closed. */
export interface ConnectionError {
  readonly _tag: 'ConnectionError'
  readonly message: string
  /** True for a transaction's connection lost before its COMMIT was sent: the server rolled it back. */
  readonly retryable?: boolean
  readonly cause?: unknown
}

/** A transaction cannot go on: poisoned by a failed statement, ended, or failed on every retry. */
export interface TransactionError {
  readonly _tag: 'TransactionError'
  readonly message: string
  readonly retryable: boolean
  readonly cause?: unknown
}

/** A mistake of set-up: a bad URL or option, an operation the dialect cannot do (`runSync` on PostgreSQL). */
export interface ConfigurationError {
  readonly _tag: 'ConfigurationError'
  readonly message: string
}

/**
 * Any other failure of a statement (SQL refused, timeout, cancel, deadlock); `retryable` tells
 * whether running it again may succeed.
 */
export interface QueryError {
  readonly _tag: 'QueryError'
  readonly message: string
  readonly sql?: string
  /**
   * SQLSTATE (PostgreSQL, MySQL) or the driver's error code (SQLite); a terrapin code where the
   * dialects must agree: `'TIMEOUT'` or `'CANCELLED'` for a statement stopped by a timeout or by a
   * run's signal (the server's own code is then in `cause`), `SUBQUERY_MULTIPLE_ROWS`.
   */
  readonly code?: string
  readonly retryable: boolean
  readonly cause?: unknown
  /** What to do about it, where terrapin knows (a missing table: create it, or migrate). */
  readonly hint?: string
}

/** The lifecycle hooks a model can have (`withHooks`). */
export type HookName = 'beforeSave' | 'afterSave' | 'beforeDelete' | 'afterDelete'

/**
 * A lifecycle hook failed: it threw, its promise rejected, or it returned a Left that is not a
 * terrapin error. The write it belonged to was rolled back. (A hook's Left that is a terrapin
 * error, a `ValidationError` say, is returned as it is.)
 */
export interface HookError {
  readonly _tag: 'HookError'
  readonly model: string
  readonly hook: HookName
  readonly message: string
  /** What the hook threw, rejected or returned. */
  readonly cause?: unknown
}

/** Every error terrapin returns: a union discriminated by `_tag`. */
export type TerrapinError =
  | DoesNotExist
  | MultipleObjectsReturned
  | IntegrityError
  | ValidationError
  | DecodeError
  | ConnectionError
  | TransactionError
  | ConfigurationError
  | QueryError
  | HookError

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** Makes a `DoesNotExist`. */
export const doesNotExist = (model: string): DoesNotExist => ({
  _tag: 'DoesNotExist',
  model,
  message: `${model} matching query does not exist`,
})

/** Makes a `MultipleObjectsReturned`. */
export const multipleObjectsReturned = (model: string, n: number): MultipleObjectsReturned => ({
  _tag: 'MultipleObjectsReturned',
  model,
  message: `get() returned more than one ${model} (${n >= 2 ? 'at least 2' : n})`,
})

/** Makes a `ValidationError` of several issues. */
export const validationError = (issues: ReadonlyArray<ValidationIssue>, model?: string): ValidationError => ({
  _tag: 'ValidationError',
  model,
  issues,
  message:
    (model ? `${model}: ` : '') + issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '),
})

/** Makes a `ValidationError` of one issue. */
export const invalid = (field: string, message: string, model?: string): ValidationError =>
  validationError([{ field, message }], model)

/** Makes a `ConfigurationError`. */
export const configurationError = (message: string): ConfigurationError => ({
  _tag: 'ConfigurationError',
  message,
})

/** Makes a `ConnectionError`. */
export const connectionError = (message: string, cause?: unknown): ConnectionError => ({
  _tag: 'ConnectionError',
  message,
  cause,
})

/** Makes a `QueryError`. */
export const queryError = (
  message: string,
  fields: { sql?: string; code?: string; retryable?: boolean; cause?: unknown } = {},
): QueryError => ({
  _tag: 'QueryError',
  message,
  sql: fields.sql,
  code: fields.code,
  retryable: fields.retryable ?? false,
  cause: fields.cause,
})

/** The hint of a statement on a table the database does not have. */
export const MISSING_TABLE_HINT =
  'create the tables with generateSchemas(db, models), or apply the migrations with `terrapin upgrade` (upgrade() in code)'

/**
 * The QueryError of a statement on a missing table (SQLite's "no such table", PostgreSQL's
 * 42P01, MySQL's 1146): the database's message and code, with the hint of what to run.
 */
export const missingTableError = (
  message: string,
  fields: { sql?: string; code?: string; cause?: unknown } = {},
): QueryError => ({
  ...queryError(`${message}: ${MISSING_TABLE_HINT}`, fields),
  hint: MISSING_TABLE_HINT,
})

/**
 * The `code` of the QueryError a plan used as a value (`Subquery`) gives when it yields more
 * than one row, on every dialect (PostgreSQL's SQLSTATE 21000 "more than one row returned by a
 * subquery used as an expression", MySQL's errno 1242; SQLite, which would take the first row,
 * is made to fail too).
 */
export const SUBQUERY_MULTIPLE_ROWS = 'SUBQUERY_MULTIPLE_ROWS'

/** The message of that error, the same on every dialect. */
export const SUBQUERY_ROWS_MESSAGE = 'a subquery used as a value returned more than one row'

/** The QueryError of a scalar subquery of more than one row (the driver's error as its cause). */
export const subqueryRowsError = (sql: string | undefined, cause: unknown): QueryError =>
  queryError(SUBQUERY_ROWS_MESSAGE, { sql, code: SUBQUERY_MULTIPLE_ROWS, cause })

/** Makes an `IntegrityError`. */
export const integrityError = (
  kind: IntegrityKind,
  message: string,
  fields: { constraint?: string; column?: string; cause?: unknown } = {},
): IntegrityError => ({ _tag: 'IntegrityError', kind, message, ...fields })

/** Makes a `TransactionError`. */
export const transactionError = (message: string, retryable = false, cause?: unknown): TransactionError => ({
  _tag: 'TransactionError',
  message,
  retryable,
  cause,
})

/** Makes a `HookError`. */
export const hookError = (model: string, hook: HookName, message: string, cause?: unknown): HookError => ({
  _tag: 'HookError',
  model,
  hook,
  message: `${model}.${hook}: ${message}`,
  cause,
})

/** Makes a `DecodeError`. */
export const decodeError = (model: string, field: string, message: string): DecodeError => ({
  _tag: 'DecodeError',
  model,
  field,
  message,
})

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

const TAGS: ReadonlySet<string> = new Set([
  'DoesNotExist',
  'MultipleObjectsReturned',
  'IntegrityError',
  'ValidationError',
  'DecodeError',
  'ConnectionError',
  'TransactionError',
  'ConfigurationError',
  'QueryError',
  'HookError',
])

/** True for any member of the {@link TerrapinError} union. */
export const isTerrapinError = (u: unknown): u is TerrapinError =>
  typeof u === 'object' && u !== null && TAGS.has((u as { _tag?: unknown })._tag as string)

/**
 * Whether retrying the whole transaction may succeed (deadlock, serialization failure, a statement
 * prepared before a migration changed its table, its connection lost before COMMIT).
 */
export const isRetryable = (e: TerrapinError): boolean =>
  (e._tag === 'QueryError' || e._tag === 'TransactionError' || e._tag === 'ConnectionError') && e.retryable === true

/**
 * The brand of a `TerrapinFailure`, under a registered symbol: an application may load both
 * builds of terrapin (its ESM and its CommonJS one, say through a dependency), each with its own
 * class, and a failure from either must pass `instanceof TerrapinFailure` in both.
 */
const FAILURE: unique symbol = Symbol.for('terrapin.TerrapinFailure')

/**
 * The error a Promise-based API rejects with: a real `Error` (so stack traces and `instanceof
 * Error` work) that carries the typed value in `error` and copies its fields. `instanceof
 * TerrapinFailure` holds for a failure from any copy of terrapin loaded in the process.
 */
export class TerrapinFailure extends Error {
  static {
    Object.defineProperty(this.prototype, FAILURE, { value: true })
  }
  /** True for a failure made by any copy of terrapin in the process, whichever class it was made by. */
  static override [Symbol.hasInstance](u: unknown): boolean {
    return typeof u === 'object' && u !== null && (u as { readonly [FAILURE]?: unknown })[FAILURE] === true
  }
  readonly error: TerrapinError
  readonly _tag: TerrapinError['_tag']
  constructor(error: TerrapinError) {
    super(error.message)
    this.name = error._tag
    this.error = error
    this._tag = error._tag
    Object.assign(this, error)
  }
}
