/**
 * MySQL / MariaDB. Tables use a binary no-pad collation (`utf8mb4_0900_bin` on MySQL 8,
 * `utf8mb4_nopad_bin` on MariaDB), so text compares and sorts by code point and `'ab'` never
 * equals `'ab '`. The runner picks the record for its server (`mysqlDialectFor`). Inside string literals a backslash escapes, so the LIKE escape
 * character is written `'\\'`. MySQL already sorts NULLs first ascending and last descending.
 */
import { DatePart } from '../plan/ast'
import { replaceEndAnchors } from '../plan/regex'
import {
  Dialect,
  MatchKind,
  caseless,
  conversions,
  dollarPath,
  explainColumns,
  likePattern,
  lockWait,
  quoteWith,
  utcText,
} from './dialect'
import { parseUtc } from '../model/codecs'
import { CatalogRows, LiveTable, str, list, kindOf, defaultOf, commentOf } from './catalog'

const bq = quoteWith('`')

const PARTS: Readonly<Record<DatePart, string>> = {
  year: 'YEAR(X)',
  quarter: 'QUARTER(X)',
  month: 'MONTH(X)',
  week: 'WEEK(X, 3)',
  day: 'DAY(X)',
  hour: 'HOUR(X)',
  minute: 'MINUTE(X)',
  second: 'SECOND(X)',
}

const { encode, encoder, decode, decoder } = conversions(
  {
    boolean: (_col, v) => (v ? 1 : 0),
    datetime: (_col, v) => (v instanceof Date ? utcText(v) : v),
    // a bare integer: compared with a quoted string, MySQL would compare as doubles
    bigint: (_col, v) => (typeof v === 'number' || typeof v === 'string' ? BigInt(v) : v),
  },
  {
    boolean: (_col, raw) => (raw === 1 ? true : raw === 0 ? false : raw),
    datetime: (_col, raw) => (typeof raw === 'string' ? (parseUtc(raw) ?? raw) : raw),
    // read as text (`readColumn`): every digit the double needs
    float: (_col, raw) => (typeof raw === 'string' ? Number(raw) : raw),
  },
)

const TYPES: Readonly<Record<string, string>> = {
  int: 'INT',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  text: 'LONGTEXT',
  boolean: 'BOOLEAN',
  float: 'DOUBLE',
  datetime: 'DATETIME(3)',
  date: 'DATE',
  time: 'TIME(3)',
  uuid: 'CHAR(36)',
  binary: 'LONGBLOB',
  json: 'LONGTEXT',
}

const DECIMAL_TEXT = /^-?(\d+\.?\d*|\.\d+)$/

/** The tables' descriptions from MySQL/MariaDB's catalog. */
const readCatalog = async (rows: CatalogRows, names: ReadonlyArray<string>): Promise<ReadonlyArray<LiveTable>> => {
  const out: LiveTable[] = []
  for (const name of names) {
    const cols = await rows(
      `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT,
         (SELECT TABLE_COMMENT FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = ?)
       FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [name, name],
    )
    // a FULLTEXT index is a field's `fulltext`, not one of its indexes
    const stats = await rows(
      `SELECT INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_TYPE <> 'FULLTEXT'
       GROUP BY INDEX_NAME, NON_UNIQUE ORDER BY INDEX_NAME`,
      [name],
    )
    const fks = await rows(
      `SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
       WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? ORDER BY k.CONSTRAINT_NAME`,
      [name],
    )
    // InnoDB indexes a foreign key's column by itself, under the key's name
    const fkNames = new Set(fks.map((f) => str(f[0])))
    const keys = stats.filter((s) => str(s[0]) !== 'PRIMARY')
    out.push({
      name,
      // every row of `cols` carries the table's comment
      ...commentOf(cols[0]?.[6]),
      columns: cols.map(([n, type, nullable, dflt, extra, comment]) => ({
        name: str(n),
        ...kindOf(str(type)),
        null: nullable === 'YES',
        ...(defaultOf(dflt) !== undefined ? { default: defaultOf(dflt)! } : {}),
        autoIncrement: /auto_increment/i.test(str(extra)),
        ...commentOf(comment),
      })),
      pk: list(stats.find((s) => str(s[0]) === 'PRIMARY')?.[2]),
      uniques: keys.filter((s) => !Number(s[1])).map((s) => list(s[2])),
      indexes: keys.filter((s) => Number(s[1]) && !fkNames.has(str(s[0]))).map((s) => list(s[2])),
      foreignKeys: fks.map(([, column, table, to, del]) => ({
        column: str(column),
        table: str(table),
        to: str(to),
        onDelete: str(del),
      })),
    })
  }
  return out
}

/**
 * A decimal item as the driver writes SQL in (`toSqlString`), cast as `comparable` casts a
 * parameter. The text is an encoded decimal (`fixedDecimal`), checked again before it is
 * written into SQL.
 */
const decimalItem = (v: unknown): { toSqlString: () => string } => {
  const s = String(v)
  if (!DECIMAL_TEXT.test(s)) throw new Error(`terrapin: ${JSON.stringify(s)} is not a decimal`)
  return { toSqlString: () => `CAST('${s}' AS DECIMAL(65, 30))` }
}

/**
 * JSON_CONTAINS differs from PostgreSQL's containment where an array meets a non-array: it finds
 * a scalar or an object inside an array, PostgreSQL does not. The guards (`jsonGuards`, a JSON
 * list of paths and what may not be there) rule that out along the document's object keys.
 */
const mysqlJson = (
  op: 'exact' | 'contains' | 'containedBy',
  col: string,
  v: () => string,
  guards: () => string,
  equal: (a: string, b: string) => string,
): string => {
  if (op === 'exact') return equal(col, v())
  const holds = op === 'contains' ? `JSON_CONTAINS(${col}, ${v()})` : `JSON_CONTAINS(${v()}, ${col})`
  const at = `JSON_TYPE(JSON_EXTRACT(${col}, \`g\`.\`p\`))`
  return (
    `(${holds} AND NOT EXISTS (SELECT 1 FROM JSON_TABLE(${guards()}, '$[*]' COLUMNS (\`p\` VARCHAR(4000) PATH '$[0]', ` +
    `\`k\` CHAR(1) PATH '$[1]')) AS \`g\` WHERE (\`g\`.\`k\` = 'A' AND ${at} = 'ARRAY') OR ` +
    `(\`g\`.\`k\` = 'N' AND ${at} <> 'ARRAY') OR (\`g\`.\`k\` = 'O' AND ${at} = 'OBJECT')))`
  )
}

export const mysql: Dialect = {
  name: 'mysql',
  quote: quoteWith('`'),
  placeholder: () => '?',
  true: '1',
  false: '0',
  // A case-sensitive `contains` is a substring search (`INSTR`, in the collation LIKE would use):
  // no pattern to match, so less server time than `LIKE '%…%'`.
  match: (expr, ph, ci, kind) =>
    ci
      ? `${caseless(`LOWER(${expr})`)} LIKE ${caseless(`LOWER(${ph})`)} ESCAPE '\\\\'`
      : kind === 'contains'
        ? `INSTR(${expr}, ${ph}) > 0`
        : `${expr} LIKE ${ph} ESCAPE '\\\\'`,
  pattern: (kind, ci, value) => (!ci && kind === 'contains' ? value : likePattern(kind, value)),
  fold: (expr) => `LOWER(${expr})`,
  regex: (expr, ph) => `${expr} REGEXP ${ph}`,
  // PCRE: `.` matching newlines (s) and case as written whatever the collation (-i); `\z` the very end
  regexPattern: (pattern) => `(?s-i)${replaceEndAnchors(pattern, '\\z')}`,
  // every word required (+), each quoted so that no character of it is an operator
  search: {
    match: (expr, ph) => `MATCH(${expr}) AGAINST(${ph} IN BOOLEAN MODE)`,
    value: (words) => words.map((w) => `+"${w}"`).join(' '),
  },
  fulltextIndex: (ine, name, table, column) => `CREATE FULLTEXT INDEX ${ine}${name} ON ${table} (${column})`,
  // A decimal compared with a string parameter would be compared as a double: compare decimals
  // (wide enough for any column, so that a value with more places is not rounded to the column's).
  comparable: (col, expr) => (col.kind === 'decimal' ? `CAST(${expr} AS DECIMAL(65, 30))` : expr),
  // A function replacement: a string one would expand `$'` and `$&` inside quoted identifiers.
  datePart: (part, expr) => PARTS[part].replace('X', () => expr),
  order: (expr, desc) => `${expr} ${desc ? 'DESC' : 'ASC'}`,
  limitOffset: (limit, offset) =>
    limit === undefined
      ? offset
        ? ` LIMIT 18446744073709551615 OFFSET ${offset}`
        : ''
      : ` LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
  encode,
  encoder,
  decode,
  decoder,
  // the text protocol writes a DOUBLE to 15 significant digits (91293349681.88661 came back as
  // 91293349681.8866); as text, with as many as it needs to read back the same double
  readColumn: (col, expr) => (col.kind === 'float' ? `CAST(${expr} AS CHAR)` : expr),
  // The runner sends statements with their values written in by the driver (mysql2's `query`),
  // which writes an array as a comma-separated list: `IN (?)` becomes the same text as a
  // placeholder per item would. A decimal item keeps the cast `comparable` gives a parameter.
  inList: (expr, ph) => `${expr} IN (${ph})`,
  listValue: (items, col) => (col?.kind === 'decimal' ? items.map(decimalItem) : items),
  returning: false,
  maxParams: 65535,
  insertBatch: 1000,
  autoIncrementStep: 'SELECT @@SESSION.auto_increment_increment',
  insertIgnore: (table, columns, values) => `INSERT IGNORE INTO ${table} ${columns} VALUES ${values}`,
  insertDefaults: (table) => `INSERT INTO ${table} () VALUES ()`,
  columnType: (col) => {
    const o = col.scalar.options
    if (col.kind === 'char' || (col.kind === 'enum' && o.maxLength !== undefined)) return `VARCHAR(${o.maxLength})`
    if (col.kind === 'enum') return 'INT'
    if (col.kind === 'decimal') return `DECIMAL(${o.maxDigits ?? 20}, ${o.decimalPlaces ?? 6})`
    return TYPES[col.kind]
  },
  autoIncrement: () => 'AUTO_INCREMENT',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_bin',
  floatType: 'DOUBLE',
  castText: (x) => `CAST(${x} AS CHAR)`,
  textParam: (ph) => ph,
  // a fraction bound in the text protocol reads as a DECIMAL literal (0.1 + 0.2 = 0.3): a double, as in JS
  numberParam: (ph, v) => (Number.isSafeInteger(v) ? ph : `CAST(${ph} AS DOUBLE)`),
  lower: (x) => `LOWER(${x})`,
  // The server's simple mapping leaves ß alone where Unicode (and JS, ICU) make it SS.
  upper: (x) => `REPLACE(UPPER(${x}), 'ß', 'SS')`,
  length: (x) => `CHAR_LENGTH(${x})`,
  concat: (xs) => `CONCAT(${xs.join(', ')})`,
  jsonMatch: (op, col, v, g) => mysqlJson(op, col, v, g, (a, b) => `${a} = CAST(${b} AS JSON)`),
  jsonAt: (col, as, p, arrays) => {
    // placeholders in the order of the text: the type's, the arrays', the value's
    const type = `JSON_TYPE(JSON_EXTRACT(${col}, ${p()}))`
    const inArrays = arrays.map((a) => ` AND JSON_TYPE(JSON_EXTRACT(${col}, ${a()})) = 'ARRAY'`).join('')
    const is =
      as === 'any'
        ? `${type} <> 'NULL'`
        : as === 'text'
          ? `${type} = 'STRING'`
          : as === 'number'
            ? `${type} IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`
            : `${type} = 'BOOLEAN'`
    const at = `JSON_EXTRACT(${col}, ${p()})`
    const value =
      as === 'any'
        ? `JSON_TYPE(${at})`
        : as === 'text'
          ? `JSON_UNQUOTE(${at}) COLLATE utf8mb4_bin`
          : as === 'number'
            ? `CAST(${at} AS DOUBLE)`
            : `${at} = 'true'`
    return `(CASE WHEN ${is}${inArrays} THEN ${value} END)`
  },
  jsonPathValue: dollarPath,
  // MariaDB's MOD of a negative decimal by a decimal can give a -0.00 that is not = 0, so a
  // NULLIF(…, 0) around it misses and a division by it fails: adding 0 normalises the zero
  mod: (l, r) => `(MOD(${l}, ${r}) + 0)`,
  extremum: (fn, _col, ref, arg) => `${fn}(${arg(ref)})`,
  limitedIn: (sql) => `SELECT * FROM (${sql}) AS \`s\``,
  lock: (lock) => `${lock.mode === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE'}${lockWait(lock)}`,
  upsert: (table, names, values, _target, update, pk) =>
    `INSERT INTO ${table} ${names} VALUES ${values} ON DUPLICATE KEY UPDATE ${(update.length > 0 ? update.map((c) => `${c} = VALUES(${c})`) : [`${pk} = ${pk}`]).join(', ')}`,
  caseParam: (ph) => ph,
  // MySQL's UPDATE … AS alias names the set column through the alias
  setTarget: (alias, column) => `${alias}.${column}`,
  deleteFrom: (table, alias, where) => `DELETE ${alias} FROM ${table} AS ${alias}${where}`,
  generatedKeyType: (col) => mysql.columnType(col),
  columnCheck: () => undefined,
  inlineForeignKeys: false,
  indexesForeignKeys: true,
  comments: { column: (text) => `COMMENT ${literal(text)}`, table: (text) => ` COMMENT=${literal(text)}` },
  addForeignKeyIfMissing: (table, name, body) =>
    `ALTER TABLE ${quoteWith('`')(table)} ADD CONSTRAINT ${quoteWith('`')(name)} ${body.replace(/^FOREIGN KEY /, 'FOREIGN KEY IF NOT EXISTS ')}`,
  insertIdRow: 'first',
  setsDefaultOnDelete: false,
  // a warning of errno 1062 is a skipped duplicate; any other stands for the error it names
  ignoredWarnings: {
    sql: 'SHOW WARNINGS',
    error: (w) => (Number(w[1]) === 1062 ? undefined : { errno: Number(w[1]), sqlMessage: String(w[2]) }),
  },
  explain: 'EXPLAIN ',
  explainLine: explainColumns,

  // ---- migrations ----
  // MODIFY COLUMN redefines the whole column: its comment is restated
  alterColumn: (table, column, type, nullable, _changed, comment, generated) => [
    `ALTER TABLE ${bq(table)} MODIFY COLUMN ${bq(column)} ${type}${nullable ? ' NULL' : ' NOT NULL'}${generated ? ' AUTO_INCREMENT' : ''}${comment === undefined ? '' : ` COMMENT ${literal(comment)}`}`,
  ],
  dropUnique: (table, name) => `ALTER TABLE ${bq(table)} DROP INDEX ${bq(name)}`,
  dropForeignKey: (table, name) => `ALTER TABLE ${bq(table)} DROP FOREIGN KEY ${bq(name)}`,
  dropIndex: (table, name) => `DROP INDEX ${bq(name)} ON ${bq(table)}`,
  // the index of an inline UNIQUE takes the column's name
  columnUniqueName: (_table, column) => column,
  transactionalDdl: false,
  catalog: {
    tables: `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    read: readCatalog,
  },
  // a session's lock, released by hand; waits up to ten minutes
  migrationLock: {
    acquire: (key) => `SELECT GET_LOCK('${key.replace(/'/g, "''")}', 600)`,
    release: (key) => `SELECT RELEASE_LOCK('${key.replace(/'/g, "''")}')`,
  },
}

/**
 * MariaDB 10.10+ folds case with the Unicode 14 tables of its `uca1400` collations (plain
 * `LOWER` leaves e.g. `ẞ` alone), then compares the folded text by code point again.
 */
const ucaFold = (expr: string): string => `(LOWER(${expr} COLLATE utf8mb4_uca1400_ai_ci) COLLATE utf8mb4_nopad_bin)`

const MARIADB_TABLES = ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin'

/** Text as a string literal of MariaDB (a backslash escapes inside one). */
const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

/** The letters with a case (what Unicode calls cased), and what may stand between them and a final sigma. */
const CASED = '\\p{Lu}\\p{Ll}\\p{Lt}'
const IGNORABLE = "\\p{Mn}\\p{Me}\\p{Cf}\\p{Lm}\\p{Sk}'.:·’"

/**
 * A capital sigma that ends a word (Unicode's Final_Sigma condition: a cased letter before it,
 * at most one case-ignorable character between; none after it, case-ignorable ones skipped),
 * with what stands around it in groups 1 to 3 (`FINAL_SIGMA_KEPT`). Written without `?`, which
 * a driver writing values into the statement could take for a placeholder.
 */
const FINAL_SIGMA = literal(`([${CASED}][${IGNORABLE}]{0,1})Σ([${IGNORABLE}]*)([^${CASED}${IGNORABLE}]|$)`)
const FINAL_SIGMA_KEPT = literal('\\1ς\\2\\3')

/**
 * The characters whose upper case is more than one character (SpecialCasing's unconditional
 * mappings: `ß` → `SS`, `ﬀ` → `FF`, `ᾳ` → `ΑΙ`, …), which the server's simple mapping leaves
 * alone or maps to one character. Each maps to its expansion.
 */
const EXPANSIONS: ReadonlyArray<readonly [string, string]> = Array.from(
  '\u00df\u0149\u01f0\u0390\u03b0\u0587\u1e96\u1e97\u1e98\u1e99\u1e9a\u1f50\u1f52\u1f54\u1f56\u1f80\u1f81\u1f82' +
    '\u1f83\u1f84\u1f85\u1f86\u1f87\u1f88\u1f89\u1f8a\u1f8b\u1f8c\u1f8d\u1f8e\u1f8f\u1f90\u1f91\u1f92\u1f93\u1f94' +
    '\u1f95\u1f96\u1f97\u1f98\u1f99\u1f9a\u1f9b\u1f9c\u1f9d\u1f9e\u1f9f\u1fa0\u1fa1\u1fa2\u1fa3\u1fa4\u1fa5\u1fa6' +
    '\u1fa7\u1fa8\u1fa9\u1faa\u1fab\u1fac\u1fad\u1fae\u1faf\u1fb2\u1fb3\u1fb4\u1fb6\u1fb7\u1fbc\u1fc2\u1fc3\u1fc4' +
    '\u1fc6\u1fc7\u1fcc\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2\u1fe3\u1fe4\u1fe6\u1fe7\u1ff2\u1ff3\u1ff4\u1ff6\u1ff7\u1ffc' +
    '\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06\ufb13\ufb14\ufb15\ufb16\ufb17',
).map((c) => [c, c.toUpperCase()] as const)

/**
 * MariaDB 10.10+: lower case as JS and ICU give it — a word-final Σ becomes ς and İ becomes i̇
 * (the server's simple mapping gives σ and i) — then the Unicode 14 tables of `uca1400`.
 */
const mariadbLower = (x: string): string =>
  `(LOWER(REGEXP_REPLACE(REPLACE(${x}, '\u0130', 'i\u0307') COLLATE utf8mb4_nopad_bin, ${FINAL_SIGMA}, ${FINAL_SIGMA_KEPT}) COLLATE utf8mb4_uca1400_ai_ci) COLLATE utf8mb4_nopad_bin)`

/** MariaDB 10.10+: upper case with SpecialCasing's expansions, then the Unicode 14 tables of `uca1400`. */
const mariadbUpper = (x: string): string =>
  `(UPPER(${EXPANSIONS.reduce((e, [c, up]) => `REPLACE(${e}, '${c}', '${up}')`, x)} COLLATE utf8mb4_uca1400_ai_ci) COLLATE utf8mb4_nopad_bin)`

/**
 * MariaDB has no JSON type to cast to: JSON_EQUALS (10.7+) compares documents. In a WHERE it holds
 * of a NULL field (10.11), hence the IS NOT NULL.
 */
const mariadbJson: Dialect['jsonMatch'] = (op, col, v, g) =>
  mysqlJson(op, col, v, g, (a, b) => `(${a} IS NOT NULL AND JSON_EQUALS(${a}, ${b}))`)

/** MariaDB before 10.5: no RETURNING. */
const mariadbLegacy: Dialect = Object.freeze({ ...mysql, tableSuffix: MARIADB_TABLES, jsonMatch: mariadbJson })

/** MariaDB 10.5–10.9: INSERT … RETURNING, and MariaDB's name for the no-pad binary collation. */
export const mariadb105: Dialect = Object.freeze({
  ...mysql,
  returning: true,
  tableSuffix: MARIADB_TABLES,
  jsonMatch: mariadbJson,
})

/** MariaDB 10.10+: RETURNING and a Unicode 14 case fold. */
export const mariadb: Dialect = Object.freeze({
  ...mysql,
  returning: true,
  tableSuffix: MARIADB_TABLES,
  jsonMatch: mariadbJson,
  fold: ucaFold,
  lower: mariadbLower,
  upper: mariadbUpper,
  match: (expr: string, ph: string, ci: boolean, kind: MatchKind) =>
    ci ? `${caseless(ucaFold(expr))} LIKE ${caseless(ucaFold(ph))} ESCAPE '\\\\'` : mysql.match(expr, ph, false, kind),
})

/**
 * The dialect record for a server version string: `10.11.6-MariaDB…` (or `5.5.5-10.11.6-MariaDB…`
 * in the handshake) → {@link mariadb}; MySQL → {@link mysql}.
 */
export const mysqlDialectFor = (version: string): Dialect => {
  const m = /(\d+)\.(\d+)\.\d+-MariaDB/i.exec(version)
  if (!m) return mysql
  const v = +m[1] * 100 + +m[2]
  return v >= 1010 ? mariadb : v >= 1005 ? mariadb105 : mariadbLegacy
}
