/**
 * SQLite. `LIKE` and `LOWER` fold ASCII only, so case-sensitive matching uses `GLOB` and the
 * `i`-lookups use `terrapin_fold`, a deterministic Unicode fold the runner registers on every
 * connection. Datetimes are stored as UTC text (`YYYY-MM-DD HH:MM:SS.mmm`), which sorts
 * chronologically; decimals as fixed-scale text, compared numerically.
 */
import { canonicalTime } from '../model/codecs'
import { SUBQUERY_MULTIPLE_ROWS, SUBQUERY_ROWS_MESSAGE } from '../errors'
import {
  Conversion,
  Dialect,
  MatchKind,
  caseless,
  conversions,
  dollarPath,
  likePattern,
  quoteWith,
  utcText,
} from './dialect'
import { CatalogRows, LiveTable, str, kindOf, defaultOf } from './catalog'

/** The name of the Unicode case-fold function registered on SQLite connections. */
export const FOLD_FUNCTION = 'terrapin_fold'

/** The names of the JSON containment and equality functions registered on SQLite connections (`compile/json.ts`). */
export const JSON_CONTAINS_FUNCTION = 'terrapin_json_contains'
export const JSON_EQUAL_FUNCTION = 'terrapin_json_equal'

/**
 * The regular expression function registered on SQLite connections: SQLite reads `x REGEXP p`
 * as `regexp(p, x)` and defines no such function itself.
 */
export const REGEXP_FUNCTION = 'regexp'

/** The name of the Unicode upper-case function registered on SQLite connections. */
export const UPPER_FUNCTION = 'terrapin_upper'

/**
 * The name of the function a scalar subquery calls when it finds more than one row; it throws
 * {@link multipleRows}. Registered as not deterministic, so that SQLite never calls it ahead of
 * the row it is for.
 */
export const MULTIPLE_ROWS_FUNCTION = 'terrapin_multiple_rows'

/** The error a scalar subquery of more than one row raises on SQLite (classified by the runner). */
export const multipleRows = (): never => {
  throw Object.assign(new Error(SUBQUERY_ROWS_MESSAGE), { code: SUBQUERY_MULTIPLE_ROWS })
}

/** The name of the function that turns a decimal into a text key ordered by value. */
export const DECIMAL_KEY_FUNCTION = 'terrapin_decimal_key'

const KEY_INT = 65
const KEY_FRAC = 30

/** The length of every decimal key (so `key || value` sorts by value and `substr` recovers it). */
export const DECIMAL_KEY_LENGTH = 1 + KEY_INT + KEY_FRAC

/**
 * A decimal as text that sorts (and is equal) by value, with every digit kept: decimals are
 * stored as text, and CAST(… AS REAL) would keep only 15-17 of their digits. Non-negative
 * values are `1` + zero-padded digits; negative ones `0` + the nines' complement, so that a
 * larger magnitude sorts lower. Called by SQLite, with a value of one of its storage classes.
 */
export const decimalKey = (v: string | number | bigint | Buffer | null | undefined): string | null => {
  if (v === null || v === undefined) return null
  const s = String(v).trim()
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m) return null
  const digits = m[2].replace(/^0+/, '').padStart(KEY_INT, '0') + (m[3] ?? '').padEnd(KEY_FRAC, '0').slice(0, KEY_FRAC)
  const negative = m[1] === '-' && /[1-9]/.test(digits)
  return negative ? '0' + digits.replace(/\d/g, (c) => String(9 - Number(c))) : '1' + digits
}

const fold = (expr: string): string => `${FOLD_FUNCTION}(${expr})`

/** Escapes GLOB's metacharacters `*`, `?` and `[` by bracketing them. */
const escapeGlob = (s: string): string => s.replace(/[*?[]/g, (c) => `[${c}]`)

const globPattern = (kind: MatchKind, value: string): string => {
  const v = escapeGlob(value)
  return kind === 'contains' ? `*${v}*` : kind === 'startswith' ? `${v}*` : `*${v}`
}

const PARTS: Readonly<Record<string, string>> = {
  year: "CAST(strftime('%Y', X) AS INTEGER)",
  quarter: "((CAST(strftime('%m', X) AS INTEGER) + 2) / 3)",
  month: "CAST(strftime('%m', X) AS INTEGER)",
  week: "CAST(strftime('%V', X) AS INTEGER)",
  day: "CAST(strftime('%d', X) AS INTEGER)",
  hour: "CAST(strftime('%H', X) AS INTEGER)",
  minute: "CAST(strftime('%M', X) AS INTEGER)",
  second: "CAST(strftime('%S', X) AS INTEGER)",
}

/** With safe integers on (statements reading a bigint), every integer arrives as a bigint. */
const narrow: Conversion = (_col, raw) => (typeof raw === 'bigint' ? Number(raw) : raw)

const { encode, encoder, decode, decoder } = conversions(
  {
    boolean: (_col, v) => (v ? 1 : 0),
    datetime: (_col, v) => (v instanceof Date ? utcText(v) : v),
    bigint: (_col, v) => (typeof v === 'number' ? BigInt(v) : v),
    // stored as text and compared as text: one spelling per time
    time: (_col, v) => (typeof v === 'string' ? canonicalTime(v) : v),
  },
  {
    bigint: (_col, raw) => (typeof raw === 'bigint' ? raw : typeof raw === 'number' ? BigInt(raw) : raw),
    boolean: (_col, raw) => (raw === 1 || raw === 1n ? true : raw === 0 || raw === 0n ? false : raw),
    decimal: narrow,
  },
  narrow,
)

const TYPES: Readonly<Record<string, string>> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  text: 'TEXT',
  boolean: 'BOOLEAN',
  float: 'REAL',
  decimal: 'TEXT',
  datetime: 'TEXT',
  date: 'TEXT',
  time: 'TEXT',
  uuid: 'CHAR(36)',
  binary: 'BLOB',
  // Not 'JSON': that name has NUMERIC affinity, which turns the text '42' into an integer.
  json: 'TEXT',
}

/** The tables' descriptions from SQLite's catalog. */
const readCatalog = async (rows: CatalogRows, names: ReadonlyArray<string>): Promise<ReadonlyArray<LiveTable>> => {
  const out: LiveTable[] = []
  for (const name of names) {
    const [[sql]] = await rows(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, [name])
    const cols = await rows(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, [
      name,
    ])
    const uniques: string[][] = []
    const indexes: string[][] = []
    for (const [index, unique, origin] of await rows(`SELECT name, "unique", origin FROM pragma_index_list(?)`, [
      name,
    ])) {
      if (origin === 'pk') continue
      const ic = (await rows(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [str(index)])).map((r) =>
        str(r[0]),
      )
      ;(Number(unique) ? uniques : indexes).push(ic)
    }
    const fks = await rows(`SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, [
      name,
    ])
    out.push({
      name,
      columns: cols.map(([n, type, notnull, dflt, pk]) => ({
        name: str(n),
        ...kindOf(str(type)),
        null: !Number(notnull),
        ...(defaultOf(dflt) !== undefined ? { default: defaultOf(dflt)! } : {}),
        autoIncrement: Number(pk) > 0 && /\bAUTOINCREMENT\b/i.test(str(sql)),
      })),
      pk: cols.filter((c) => Number(c[4]) > 0).map((c) => str(c[0])),
      uniques,
      indexes,
      foreignKeys: fks.map(([from, table, to, del]) => ({
        column: str(from),
        table: str(table),
        to: str(to),
        onDelete: str(del).toUpperCase(),
      })),
    })
  }
  return out
}

/** An item `JSON.stringify` would not write as SQLite reads it (a bigint, a boolean). */
const notJsonAsIs = (v: unknown): boolean => typeof v === 'bigint' || typeof v === 'boolean'

/** An encoded value as a JSON item: 64-bit integers in full, booleans as the 1 and 0 SQLite stores. */
const jsonItem = (v: unknown): string =>
  typeof v === 'bigint' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : JSON.stringify(v)

export const sqlite: Dialect = {
  name: 'sqlite',
  quote: quoteWith('"'),
  placeholder: () => '?',
  true: '1',
  false: '0',
  match: (expr, ph, ci) =>
    ci ? `${caseless(fold(expr))} LIKE ${caseless(fold(ph))} ESCAPE '\\'` : `${expr} GLOB ${ph}`,
  pattern: (kind, ci, value) => (ci ? likePattern(kind, value) : globPattern(kind, value)),
  fold,
  regex: (expr, ph) => `${expr} REGEXP ${ph}`,
  // the runner's `regexp` (run/regex-match.ts) reads the subset as meant
  regexPattern: (pattern) => pattern,
  comparable: (col, expr) => (col.kind === 'decimal' ? `${DECIMAL_KEY_FUNCTION}(${expr})` : expr),
  // A function replacement: a string one would expand `$'` and `$&` inside quoted identifiers.
  datePart: (part, expr) => PARTS[part].replace('X', () => expr),
  // SQLite's own order already is the semantics': NULLs sort below every value, first ascending
  // and last descending.
  order: (expr, desc) => `${expr} ${desc ? 'DESC' : 'ASC'}`,
  limitOffset: (limit, offset) =>
    limit === undefined
      ? offset
        ? ` LIMIT -1 OFFSET ${offset}`
        : ''
      : ` LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  encode,
  encoder,
  decode,
  decoder,
  // JSON text read by json_each: an item comes out as the integer, real or text it was, as a
  // parameter would have been bound, and takes the column's affinity the same way.
  inList: (expr, ph, col) =>
    `${expr} IN (SELECT ${col?.kind === 'decimal' ? `${DECIMAL_KEY_FUNCTION}(value)` : 'value'} FROM json_each(${ph}))`,
  listValue: (items) => (items.some(notJsonAsIs) ? `[${items.map(jsonItem).join(',')}]` : JSON.stringify(items)),
  returning: true,
  // SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32 (better-sqlite3 bundles its own SQLite)
  maxParams: 32766,
  // Past a few dozen rows a longer VALUES list no longer costs less per row (instructions counted
  // under callgrind: batches of 64 to 250 the same, 8 half as much again); shorter batches are
  // more statements, each bound, stepped and read on its own.
  insertBatch: 100,
  insertIgnore: (table, columns, values) => `INSERT OR IGNORE INTO ${table} ${columns} VALUES ${values}`,
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,
  columnType: (col) =>
    col.kind === 'char' || (col.kind === 'enum' && col.scalar.options.maxLength !== undefined)
      ? `VARCHAR(${col.scalar.options.maxLength})`
      : col.kind === 'enum'
        ? 'INTEGER'
        : TYPES[col.kind],
  autoIncrement: () => 'AUTOINCREMENT',
  tableSuffix: '',
  floatType: 'REAL',
  castText: (x) => `CAST(${x} AS TEXT)`,
  textParam: (ph) => ph,
  numberParam: (ph) => ph,
  lower: fold,
  upper: (x) => `${UPPER_FUNCTION}(${x})`,
  length: (x) => `length(${x})`,
  concat: (xs) => `(${xs.join(' || ')})`,
  // math functions (mod, pow, ln, floor) are built into better-sqlite3's SQLite; `+ 0` turns fmod's -0 into 0
  jsonMatch: (op, col, v) =>
    op === 'exact'
      ? `${JSON_EQUAL_FUNCTION}(${col}, ${v()})`
      : op === 'contains'
        ? `${JSON_CONTAINS_FUNCTION}(${col}, ${v()})`
        : `${JSON_CONTAINS_FUNCTION}(${v()}, ${col})`,
  jsonAt: (col, as, p) => {
    const type = `json_type(${col}, ${p()})`
    if (as === 'any') return `NULLIF(${type}, 'null')`
    const is = as === 'text' ? `= 'text'` : as === 'number' ? `IN ('integer', 'real')` : `IN ('true', 'false')`
    return `(CASE WHEN ${type} ${is} THEN json_extract(${col}, ${p()}) END)`
  },
  jsonPathValue: dollarPath,
  mod: (l, r) => `(mod(${l}, ${r}) + 0)`,
  // Decimals are text: MIN/MAX by the value-ordered key, then the value after it.
  extremum: (fn, col, ref, arg) =>
    col.kind === 'decimal'
      ? `substr(${fn}(${arg(`${DECIMAL_KEY_FUNCTION}(${ref}) || ${ref}`)}), ${DECIMAL_KEY_LENGTH + 1})`
      : `${fn}(${arg(ref)})`,
  limitedIn: (sql) => sql,
  // SQLite takes the first row of a scalar subquery; counting at most two tells one from many.
  singleRow: (select, name) =>
    `(SELECT CASE WHEN COUNT(*) > 1 THEN ${MULTIPLE_ROWS_FUNCTION}() ELSE MAX(${name}) END FROM (${select}))`,
  // no row locks, and none needed: a transaction holds the database's write lock from BEGIN
  // IMMEDIATE, so no other one writes in between
  lock: () => '',
  upsert: (table, names, values, target, update) =>
    `INSERT INTO ${table} ${names} VALUES ${values} ON CONFLICT (${target.join(', ')}) ${update.length > 0 ? `DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING'}`,
  caseParam: (ph) => ph,
  setTarget: (_alias, column) => column,
  deleteFrom: (table, alias, where) => `DELETE FROM ${table} AS ${alias}${where}`,
  // an INTEGER PRIMARY KEY is the rowid: BIGINT or SMALLINT would make another column
  generatedKeyType: () => 'INTEGER',
  columnCheck: (col, name) => (col.kind === 'boolean' ? `CHECK (${name} IN (0, 1))` : undefined),
  inlineForeignKeys: true,
  indexesForeignKeys: false,
  // SQLite keeps no comments: descriptions stay in the models (and `describe`)
  comments: {},
  addForeignKeyIfMissing: () => {
    throw new Error('terrapin: SQLite declares foreign keys in CREATE TABLE')
  },
  insertIdRow: 'last',
  setsDefaultOnDelete: true,
  explain: 'EXPLAIN QUERY PLAN ',
  // the last column is the step's description
  explainLine: (row) => String(row[row.length - 1]),

  // ---- migrations: ALTER TABLE changes no column in place, so those migrations rebuild the table ----
  dropIndex: (_table, name) => `DROP INDEX ${quoteWith('"')(name)}`,
  columnUniqueName: (table, column) => `${table}_${column}_key`,
  transactionalDdl: true,
  catalog: {
    tables: `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    read: readCatalog,
  },
  migrationGuard: {
    before: 'PRAGMA foreign_keys = OFF',
    after: 'PRAGMA foreign_keys = ON',
    check: 'PRAGMA foreign_key_check',
  },
}
