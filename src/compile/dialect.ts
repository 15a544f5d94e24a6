/**
 * A dialect is a record of small functions: how to quote, where the placeholders go, how to
 * match text, fold case, take a date apart, order NULLs, encode a value, write the statements
 * whose form differs (upserts, locks, UPDATE and DELETE with an alias), the DDL, and what the
 * interpreter must know of a database (which row's insert id it reports, EXPLAIN). Everything
 * one database does differently is a member here, written in `compile/<dialect>.ts`: the
 * compiler (`compile/sql.ts` and its parts), the schema layer and the interpreter (`src/run/`
 * outside the runners) are functions over the record and never ask a dialect its name.
 */
import { ScalarKind } from '../model/fields'
import { Column } from '../model/model'
import { DatePart, Lock } from '../plan/ast'
import { Catalog } from './catalog'

/** The SQL dialects terrapin compiles to: MariaDB is `mysql`. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql'

/** The text-matching lookups. */
export type MatchKind = 'contains' | 'startswith' | 'endswith'

/** Everything one database does differently, as data and functions; one record per dialect (`dialects`). */
export interface Dialect {
  readonly name: DialectName
  /** Quotes an identifier, doubling the quote character inside it. */
  readonly quote: (ident: string) => string
  /** The placeholder of the `n`-th parameter (1-based). */
  readonly placeholder: (n: number) => string
  readonly true: string
  readonly false: string
  /** Case-sensitive (`ci` false) or Unicode case-insensitive match of `expr` against the parameter. */
  readonly match: (expr: string, placeholder: string, ci: boolean, kind: MatchKind) => string
  /** The parameter value for a match: the pattern built from the user's text. */
  readonly pattern: (kind: MatchKind, ci: boolean, value: string) => string
  /** Folds case for all of Unicode. */
  readonly fold: (expr: string) => string
  /**
   * `expr` matches the regular expression `placeholder` (a pattern of the portable subset of
   * `plan/regex.ts`, as `regexPattern` spelled it), case-sensitively; NULL where `expr` is.
   */
  readonly regex: (expr: string, placeholder: string) => string
  /** A portable pattern as this database's engine must read it to mean the same (`.` matching newlines, `$` the very end). */
  readonly regexPattern: (pattern: string) => string
  /**
   * Full-text search of a column declared `fulltext` for all the words of the parameter (`value`
   * makes the parameter from the words); absent where the database has none terrapin makes.
   */
  readonly search?: {
    readonly match: (expr: string, placeholder: string) => string
    readonly value: (words: ReadonlyArray<string>) => string
  }
  /** The index `fulltext: true` makes for `__search` (names quoted), where `search` needs or uses one. */
  readonly fulltextIndex?: (ifNotExists: string, name: string, table: string, column: string) => string
  /** An expression for a comparison or ordering of a column of this kind (e.g. numeric decimals). */
  readonly comparable: (col: Column, expr: string) => string
  /**
   * A column's value as a select list reads it back, where the column alone would not come back
   * exactly (MySQL's text protocol writes a DOUBLE to 15 significant digits); absent: as it is.
   */
  readonly readColumn?: (col: Column, expr: string) => string
  /** The integer value of a date part. */
  readonly datePart: (part: DatePart, expr: string, col: Column) => string
  /**
   * `expr ASC`/`DESC` with NULLs first ascending and last descending; `nullable` false when the
   * value cannot be NULL (a not-null column of the select's own table), where a NULLs clause
   * would only keep an index from giving the order.
   */
  readonly order: (expr: string, desc: boolean, nullable: boolean) => string
  /** `LIMIT`/`OFFSET` with literal integers. */
  readonly limitOffset: (limit: number | undefined, offset: number | undefined) => string
  /** A value as the driver takes it for a column. */
  readonly encode: (col: Column, value: unknown) => unknown
  /** `encode` for one column, its conversion looked up once (what a compiled statement keeps for each value it binds). */
  readonly encoder: (col: Column) => (value: unknown) => unknown
  /** A value as the driver returns it, made ready for the column's codec. */
  readonly decode: (col: Column, raw: unknown) => unknown
  /** `decode` for one column, its conversion looked up once (what a row decoder keeps for each column). */
  readonly decoder: (col: Column) => (raw: unknown) => unknown
  /** Whether INSERT … RETURNING is available. */
  readonly returning: boolean
  /**
   * `expr` is in a long list (`LONG_LIST`) sent as the one parameter `placeholder`. `col` is the
   * column the items are values of (undefined: integers, as a date part compares); a decimal's
   * `expr` is already the dialect's `comparable` form, which each item takes too.
   */
  readonly inList: (expr: string, placeholder: string, col: Column | undefined) => string
  /** The parameter of `inList`, from the items each encoded for the column. */
  readonly listValue: (items: ReadonlyArray<unknown>, col: Column | undefined) => unknown
  /** The most parameters one statement may bind: batches of a bulk write are cut to fit. */
  readonly maxParams: number
  /**
   * Rows per INSERT of a bulk insert given no `batchSize`: as many as fit on a server (one round
   * trip each); a few on SQLite, where a long multi-row INSERT costs more per row than short ones.
   */
  readonly insertBatch: number
  /**
   * Without RETURNING: a query for the step between the keys one multi-row INSERT generates
   * (MySQL's `auto_increment_increment`, 2 or 3 on replicated servers); absent when it is 1.
   */
  readonly autoIncrementStep?: string
  /** An INSERT that skips rows violating a unique constraint. */
  readonly insertIgnore: (table: string, columns: string, values: string) => string
  /** An INSERT with no column values. */
  readonly insertDefaults: (table: string) => string
  /** The SQL type of a column in CREATE TABLE. */
  readonly columnType: (col: Column) => string
  /** The clause that makes an integer key generated. */
  readonly autoIncrement: (col: Column) => string
  /**
   * A statement to run after rows were inserted with explicit values for a generated key, so
   * that later generated values do not collide with them (PostgreSQL's identity sequences do
   * not move by themselves; SQLite and MySQL need nothing).
   */
  readonly syncKey?: (table: string, column: string) => string
  /** Table options after CREATE TABLE (…). */
  readonly tableSuffix: string

  // expressions

  /** The SQL type computed numbers are read as (AVG, SUM, a division). */
  readonly floatType: string
  /** A value as text. */
  readonly castText: (expr: string) => string
  /** A parameter used as text where the server cannot infer its type (PostgreSQL's `LOWER($1)`). */
  readonly textParam: (placeholder: string) => string
  /** A number parameter in an expression (PostgreSQL types it after the other operand, or not at all). */
  readonly numberParam: (placeholder: string, value: number) => string
  /** `Lower`: lower case by Unicode's full mapping (as JS `toLowerCase`), compared by code point. */
  readonly lower: (expr: string) => string
  /** `Upper`: upper case by Unicode's full mapping (`ß` → `SS`, as JS `toUpperCase`), compared by code point. */
  readonly upper: (expr: string) => string
  /** The length in characters (code points). */
  readonly length: (expr: string) => string
  /** Text joined; each item is already not NULL. */
  readonly concat: (exprs: ReadonlyArray<string>) => string
  /**
   * A condition on a json column `col` against a JSON parameter (`value()` renders one more
   * placeholder of it each call), with the meaning of `compile/json.ts`: equal, contains, or
   * contained by. Never NULL where `col` is not.
   */
  readonly jsonMatch: (
    op: 'exact' | 'contains' | 'containedBy',
    col: string,
    value: () => string,
    /** A placeholder of the value's `jsonGuards` (for a containment that needs them). */
    guards: () => string,
  ) => string
  /**
   * The value at a path in a json column, as SQL of the JSON type `as` (NULL where the path is
   * missing or holds another type); for `any`, the JSON type's name, NULL where missing or null.
   * `path()` renders one more placeholder of the path each call.
   */
  readonly jsonAt: (
    col: string,
    as: 'text' | 'number' | 'boolean' | 'any',
    path: () => string,
    /** One renderer per array index of the path: the path of the array it indexes (MySQL reads `[0]` of a scalar as the scalar). */
    arrays: ReadonlyArray<() => string>,
  ) => string
  /** The parameter a json path is bound as (PostgreSQL: a text[]; the others: `$."a"[0]`). */
  readonly jsonPathValue: (steps: ReadonlyArray<string | number>) => unknown
  /** The remainder of a truncating division, of floats too (the sign of `l`); `r` is never 0 (NULLIF). */
  readonly mod: (l: string, r: string) => string
  /** `MIN`/`MAX` of a column by its value; `arg` wraps what is aggregated (DISTINCT, a filter's CASE). */
  readonly extremum: (fn: 'MIN' | 'MAX', col: Column, ref: string, arg: (x: string) => string) => string
  /** A subquery of `IN (…)` that limits or offsets its rows (MySQL refuses LIMIT there, but not in a derived table). */
  readonly limitedIn: (sql: string) => string
  /**
   * A plan used as a value, its one column named `name`: more than one row is an error. Absent
   * where the database raises it itself (PostgreSQL, MySQL); given, the select is rendered with
   * at most two rows and its column named, and this wraps it.
   */
  readonly singleRow?: (select: string, name: string) => string

  // statements

  /** The row-lock clause of a read (`selectForUpdate`). */
  readonly lock: (lock: Lock) => string
  /** INSERT … ON CONFLICT (target) DO UPDATE / ON DUPLICATE KEY UPDATE; column names quoted. */
  readonly upsert: (
    table: string,
    names: string,
    values: string,
    target: ReadonlyArray<string>,
    update: ReadonlyArray<string>,
    pk: string,
  ) => string
  /** A parameter in a branch of `CASE`, typed as the column's values where the server would guess text. */
  readonly caseParam: (placeholder: string, col: Column) => string
  /** The column an UPDATE sets (quoted alias and column). */
  readonly setTarget: (alias: string, column: string) => string
  /** A DELETE from the table aliased `alias` (both quoted) with its WHERE clause (or ''). */
  readonly deleteFrom: (table: string, alias: string, where: string) => string

  // schema

  /** The SQL type of an integer primary key the database generates. */
  readonly generatedKeyType: (col: Column) => string
  /** A CHECK a column of this kind needs (SQLite's booleans are integers that must stay 0 or 1). */
  readonly columnCheck: (col: Column, quotedName: string) => string | undefined
  /** Foreign keys are declared in CREATE TABLE, whichever order the tables are made in (SQLite checks them only when rows are written). */
  readonly inlineForeignKeys: boolean
  /** The database indexes a foreign key's column by itself (InnoDB): no index of ours beside it. */
  readonly indexesForeignKeys: boolean
  /**
   * Descriptions (a field's `description`, a model's `meta.description`) as database comments:
   * `column` and `table` give a clause for the column definition and the CREATE TABLE options
   * (MySQL's `COMMENT '…'`), `statement` one run after CREATE TABLE (PostgreSQL's `COMMENT ON`,
   * `column` undefined for the table's own, `text` null to remove it); none where the database
   * keeps no comments (SQLite). Each escapes the text as a string literal of its dialect.
   */
  readonly comments: {
    readonly column?: (text: string) => string
    readonly table?: (text: string) => string
    readonly statement?: (table: string, column: string | undefined, text: string | null) => string
  }
  /**
   * ALTER TABLE `table` ADD CONSTRAINT `name` `body` (a `FOREIGN KEY …` clause; names unquoted),
   * doing nothing when the constraint exists. Unused where foreign keys are inline.
   */
  readonly addForeignKeyIfMissing: (table: string, name: string, body: string) => string

  // running

  /**
   * Which row's generated key a multi-row INSERT reports (`WriteResult.lastInsertRowid`), where
   * rows are read back by key (no RETURNING): SQLite's last row, MySQL's first.
   */
  readonly insertIdRow: 'first' | 'last'
  /**
   * The database carries out `onDelete: 'SET DEFAULT'` itself. InnoDB accepts the clause and
   * enforces RESTRICT instead: a delete then sets the referencing keys first, in a transaction.
   */
  readonly setsDefaultOnDelete: boolean
  /**
   * Where INSERT IGNORE skips more than unique conflicts (MySQL drops a row whose foreign key is
   * missing, with a warning): the statement listing the last statement's warnings, and the
   * driver error a warning row stands for (undefined for a skipped duplicate, which is wanted).
   */
  readonly ignoredWarnings?: {
    readonly sql: string
    /** The error a warning row stands for. */
    readonly error: (row: ReadonlyArray<unknown>) => unknown
  }
  /** `explain` prefix: the statement that describes how the database would run a select. */
  readonly explain: string
  /** One line of `explain`'s text, from one row of its result. */
  readonly explainLine: (row: ReadonlyArray<unknown>) => string

  // ---- migrations (src/migrate): schema changes of a table that exists ----

  /**
   * The statements that change a column's type (`type` holds the new one, as `columnType` names
   * it) and nullability in place; absent where ALTER TABLE cannot (SQLite), whose migrations
   * rebuild the table instead. `comment` is the column's (its field's `description`): restated
   * where the statement redefines the whole column (MySQL's MODIFY COLUMN), or it would be lost;
   * so is `generated`, a key the database numbers (MySQL's AUTO_INCREMENT).
   */
  readonly alterColumn?: (
    table: string,
    column: string,
    type: string,
    nullable: boolean,
    changed: { readonly type: boolean; readonly null: boolean },
    comment?: string,
    generated?: boolean,
  ) => ReadonlyArray<string>
  /** Drops a named unique constraint (absent: the table is rebuilt). */
  readonly dropUnique?: (table: string, name: string) => string
  /** Drops a named foreign key (absent: the table is rebuilt). */
  readonly dropForeignKey?: (table: string, name: string) => string
  /** Statements after a table was renamed that rename what the database named after it (PostgreSQL's `<table>_pkey`). */
  readonly renamedTable?: (from: string, to: string) => ReadonlyArray<string>
  /** Drops an index of a table. */
  readonly dropIndex: (table: string, name: string) => string
  /** The name the database gives the constraint of a column declared `UNIQUE` in CREATE TABLE. */
  readonly columnUniqueName: (table: string, column: string) => string
  /** Whether DDL runs inside a transaction (MySQL commits before and after each DDL statement). */
  readonly transactionalDdl: boolean
  /** How the database's catalog describes its tables (migrations' introspection). */
  readonly catalog: Catalog
  /**
   * What runs around a migration, outside its transaction (`before`, `after`), and the query
   * whose rows are problems found before the commit (SQLite: foreign keys off while a table is
   * rebuilt, then `PRAGMA foreign_key_check`).
   */
  readonly migrationGuard?: { readonly before: string; readonly after: string; readonly check: string }
  /**
   * The lock that keeps two upgrades of an app apart: `acquire` waits for it and selects 1 once
   * held (anything else: not got), inside a transaction that holds it; `release` (when the lock
   * outlives transactions) frees it. Absent where a migration's transaction locks the whole
   * database itself (SQLite).
   */
  readonly migrationLock?: {
    /** The statement that takes the lock named `key`. */
    readonly acquire: (key: string) => string
    /** The statement that gives it back (none where the lock ends with its transaction). */
    readonly release?: (key: string) => string
  }
}

/** A row of EXPLAIN as one line: its non-null values, separated by spaces. */
export const explainColumns = (row: ReadonlyArray<unknown>): string =>
  row
    .map((v) => (v === null ? '' : String(v as string | number | bigint)))
    .join(' ')
    .trim()

/** Doubles the quote character: identifiers with odd characters are always safe. */
export const quoteWith =
  (q: string) =>
  (ident: string): string =>
    q + ident.split(q).join(q + q) + q

/**
 * Case-insensitive matching folds with the dialect's lower case, then maps final sigma to
 * sigma: lower case turns a word-final Σ into ς (JS, ICU) or σ (MariaDB), and whether two
 * texts match must not depend on where a letter stands.
 */
export const caseless = (folded: string): string => `REPLACE(${folded}, 'ς', 'σ')`

/** What a row lock does about a locked row: wait (''), fail at once, or skip it. */
export const lockWait = (lock: Lock): string => (lock.nowait ? ' NOWAIT' : lock.skipLocked ? ' SKIP LOCKED' : '')

/** Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => '\\' + c)

/** A LIKE pattern with the user's text matched literally. */
export const likePattern = (kind: MatchKind, value: string): string => {
  const v = escapeLike(value)
  return kind === 'contains' ? `%${v}%` : kind === 'startswith' ? `${v}%` : `%${v}`
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** `00`…`99`. */
const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i)

/**
 * `YYYY-MM-DD HH:MM:SS.mmm` in UTC: sortable as text, read back as UTC. Written in arithmetic
 * from the time value (Howard Hinnant's civil_from_days), not with seven `getUTC…` calls and
 * their padding: it runs once per datetime of every row a bulk insert writes.
 */
export const utcText = (d: Date): string => {
  const t = d.getTime()
  const days = Math.floor(t / 86400000)
  let r = t - days * 86400000
  const h = Math.floor(r / 3600000)
  r -= h * 3600000
  const mi = Math.floor(r / 60000)
  r -= mi * 60000
  const sec = Math.floor(r / 1000)
  const ms = r - sec * 1000
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return (
    (year >= 1000 ? String(year) : pad(year, 4)) +
    '-' +
    TWO_DIGITS[month] +
    '-' +
    TWO_DIGITS[day] +
    ' ' +
    TWO_DIGITS[h] +
    ':' +
    TWO_DIGITS[mi] +
    ':' +
    TWO_DIGITS[sec] +
    '.' +
    (ms >= 100 ? String(ms) : ms >= 10 ? '0' + ms : '00' + ms)
  )
}

/**
 * A decimal as text with the column's decimal places (`'1.5'` → `'1.500000'`). Digits beyond
 * them are kept unless they are zeros: a filter value `'1.995'` on a 2-place column must not
 * become `'1.99'` (and match it).
 */
export const fixedDecimal = (col: Column, v: unknown): string => {
  const places = col.scalar.options.decimalPlaces ?? 6
  const s = typeof v === 'number' ? v.toFixed(places) : String(v)
  const neg = s.startsWith('-')
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.')
  const digits =
    frac.length <= places ? frac.padEnd(places, '0') : frac.slice(0, places) + frac.slice(places).replace(/0+$/, '')
  const body = `${int.replace(/^0+(?=\d)/, '')}${digits.length > 0 ? '.' + digits : ''}`
  return neg && /[1-9]/.test(body) ? '-' + body : body
}

/** A conversion of one value of a column, between JS and a driver. */
export type Conversion = (col: Column, v: unknown) => unknown

/** Conversions by column kind. */
export type Conversions = Partial<Readonly<Record<ScalarKind, Conversion>>>

const same: Conversion = (_col, v) => v

/** What every driver takes the same way: JSON as text, decimals at the column's scale, lower-case uuids. */
const SHARED_ENCODE: Conversions = {
  json: (_col, v) => JSON.stringify(v),
  decimal: fixedDecimal,
  uuid: (_col, v) => (typeof v === 'string' ? v.toLowerCase() : v),
}

/** What every driver returns the same way: JSON text, 64-bit integers as text or numbers, decimals. */
const SHARED_DECODE: Conversions = {
  json: (_col, raw) => (typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw),
  bigint: (_col, raw) => (typeof raw === 'string' || typeof raw === 'number' ? BigInt(raw) : raw),
  decimal: (col, raw) => (typeof raw === 'string' ? fixedDecimal(col, raw) : raw),
}

/**
 * A dialect's `encode` and `decode`: the shared conversions with the dialect's own on top;
 * `otherwise` decodes the kinds neither names (default: as the driver returns them).
 */
export const conversions = (
  encode: Conversions,
  decode: Conversions,
  otherwise: Conversion = same,
): Pick<Dialect, 'encode' | 'encoder' | 'decode' | 'decoder'> => {
  const enc: Conversions = { ...SHARED_ENCODE, ...encode }
  const dec: Conversions = { ...SHARED_DECODE, ...decode }
  return {
    encode: (col, v) => (enc[col.kind] ?? same)(col, v),
    encoder: (col) => {
      const f = enc[col.kind]
      return f ? (v) => f(col, v) : (v) => v
    },
    decode: (col, raw) => (dec[col.kind] ?? otherwise)(col, raw),
    decoder: (col) => {
      const f = dec[col.kind] ?? otherwise
      return (raw) => f(col, raw)
    },
  }
}

/** A JSON path as SQLite and MySQL spell it: `$."author"."name"`, `$."tags"[0]` (keys hold no `"` or `\`). */
export const dollarPath = (steps: ReadonlyArray<string | number>): string =>
  '$' + steps.map((s) => (typeof s === 'number' ? `[${s}]` : `."${s}"`)).join('')
