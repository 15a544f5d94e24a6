/**
 * PostgreSQL. Text columns are declared `COLLATE "C"` so they compare and sort by code point;
 * case is folded with the ICU root collation (`LOWER(x COLLATE "C")` would fold ASCII only).
 * NULL ordering is spelled out, since PostgreSQL sorts NULLs last ascending by default.
 */
import { Column } from '../model/model'
import { Dialect, caseless, conversions, explainColumns, likePattern, lockWait, quoteWith } from './dialect'
import { CatalogRows, LiveTable, str, num, list, kindOf, defaultOf, commentOf } from './catalog'

const fold = (expr: string): string => `LOWER(${expr} COLLATE "und-x-icu")`

const { encode, encoder, decode, decoder } = conversions(
  {
    datetime: (_col, v) => (v instanceof Date ? v.toISOString() : v),
    bigint: (_col, v) => String(v),
  },
  {},
)

const TYPES: Readonly<Record<string, string>> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  text: 'TEXT COLLATE "C"',
  boolean: 'BOOLEAN',
  float: 'DOUBLE PRECISION',
  datetime: 'TIMESTAMPTZ(3)',
  date: 'DATE',
  time: 'TIME(3)',
  uuid: 'UUID',
  binary: 'BYTEA',
  json: 'JSONB',
}

/** pg_constraint's one-letter delete actions. */
const ON_DELETE: Readonly<Record<string, string>> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
}

/** The tables' descriptions from PostgreSQL's catalog. */
const readCatalog = async (rows: CatalogRows, names: ReadonlyArray<string>): Promise<ReadonlyArray<LiveTable>> => {
  const out: LiveTable[] = []
  const colsOf = (attrs: string, rel: string): string =>
    `(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(${attrs}) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)`
  for (const name of names) {
    const cols = await rows(
      `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable, column_default, is_identity,
         col_description(to_regclass(quote_ident($1)), ordinal_position::int), obj_description(to_regclass(quote_ident($1)), 'pg_class')
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [name],
    )
    const cons = await rows(
      `SELECT c.contype, ${colsOf('c.conkey', 'c.conrelid')}, c.confrelid::regclass::text, ${colsOf('c.confkey', 'c.confrelid')}, c.confdeltype
       FROM pg_constraint c WHERE c.conrelid = to_regclass(quote_ident($1)) ORDER BY c.conname`,
      [name],
    )
    const idx = await rows(
      `SELECT ix.indisunique, ${colsOf('ix.indkey', 'ix.indrelid')} FROM pg_index ix
       WHERE ix.indrelid = to_regclass(quote_ident($1)) AND NOT ix.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)`,
      [name],
    )
    const fks = cons.filter((c) => c[0] === 'f')
    out.push({
      name,
      // every row of `cols` carries the table's comment
      ...commentOf(cols[0]?.[9]),
      columns: cols.map(([n, type, len, precision, scale, nullable, dflt, identity, comment]) => ({
        name: str(n),
        ...kindOf(str(type), num(len), num(precision), num(scale)),
        null: nullable === 'YES',
        ...(defaultOf(dflt) !== undefined ? { default: defaultOf(dflt)! } : {}),
        autoIncrement: identity === 'YES' || /^nextval\(/.test(str(dflt)),
        ...commentOf(comment),
      })),
      pk: cons.filter((c) => c[0] === 'p').flatMap((c) => list(c[1])),
      uniques: [
        ...cons.filter((c) => c[0] === 'u').map((c) => list(c[1])),
        ...idx.filter((i) => i[0] === true).map((i) => list(i[1])),
      ],
      indexes: idx.filter((i) => i[0] !== true).map((i) => list(i[1])),
      foreignKeys: fks.map((c) => ({
        column: list(c[1])[0],
        table: str(c[2]).replace(/^"|"$/g, ''),
        to: list(c[3])[0],
        onDelete: ON_DELETE[str(c[4])] ?? 'NO ACTION',
      })),
    })
  }
  return out
}

/** The type an item of a long list is read as: the column's, unbounded. */
const itemType = (col: Column | undefined): string => {
  if (col === undefined) return 'INTEGER'
  if (col.kind === 'char' || col.kind === 'text' || (col.kind === 'enum' && col.scalar.options.maxLength !== undefined))
    return 'TEXT'
  if (col.kind === 'enum' || col.kind === 'int') return 'INTEGER'
  if (col.kind === 'decimal') return 'NUMERIC'
  if (col.kind === 'datetime') return 'TIMESTAMPTZ'
  if (col.kind === 'time') return 'TIME'
  return TYPES[col.kind]
}

/** A number an array literal takes as written, unquoted (a list of ids, the common long list). */
const isFiniteNumber = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x)

export const postgres: Dialect = {
  name: 'postgres',
  quote: quoteWith('"'),
  placeholder: (n) => `$${n}`,
  true: 'TRUE',
  false: 'FALSE',
  // A case-sensitive `contains` is a substring search: `strpos` finds it without matching a
  // pattern (cheaper than `LIKE '%…%'`), and takes the text as it is.
  match: (expr, ph, ci, kind) =>
    ci
      ? `${caseless(fold(expr))} LIKE ${caseless(fold(ph))} ESCAPE '\\'`
      : kind === 'contains'
        ? `strpos(${expr}, ${ph}) > 0`
        : `${expr} LIKE ${ph} ESCAPE '\\'`,
  pattern: (kind, ci, value) => (!ci && kind === 'contains' ? value : likePattern(kind, value)),
  fold,
  // an ARE, whose `.` matches newlines and `$` only the end unless asked otherwise
  regex: (expr, ph) => `${expr} ~ ${ph}`,
  regexPattern: (pattern) => pattern,
  // 'simple': lower case and no stemming or stopwords, the same whatever the text's language
  search: {
    match: (expr, ph) => `to_tsvector('simple', ${expr}) @@ plainto_tsquery('simple', ${ph})`,
    value: (words) => words.join(' '),
  },
  fulltextIndex: (ine, name, table, column) =>
    `CREATE INDEX ${ine}${name} ON ${table} USING GIN (to_tsvector('simple', ${column}))`,
  comparable: (_col, expr) => expr,
  datePart: (part, expr) =>
    part === 'second'
      ? `CAST(FLOOR(EXTRACT(SECOND FROM ${expr})) AS INTEGER)`
      : `CAST(EXTRACT(${part.toUpperCase()} FROM ${expr}) AS INTEGER)`,
  // PostgreSQL's own order puts NULLs last ascending. A btree index gives `ASC` (or `DESC`)
  // order, not `ASC NULLS FIRST`: a not-null column is ordered without the clause, so that
  // `ORDER BY id LIMIT 20` reads 20 index entries instead of sorting the table.
  order: (expr, desc, nullable) =>
    !nullable ? `${expr} ${desc ? 'DESC' : 'ASC'}` : desc ? `${expr} DESC NULLS LAST` : `${expr} ASC NULLS FIRST`,
  limitOffset: (limit, offset) => `${limit === undefined ? '' : ` LIMIT ${limit}`}${offset ? ` OFFSET ${offset}` : ''}`,
  encode,
  encoder,
  decode,
  decoder,
  // The list is the text of an array literal, and the parameter itself is typed as the array
  // (the server infers its type from the cast): the array is read once, when the statement is
  // bound, and is a constant the planner turns into a hash table. A cast of a text parameter
  // (`CAST(CAST($1 AS TEXT) AS …[])`) is an expression instead, parsed again for every row a
  // sequential scan reads. Each item's type is its column's, without a length, scale or
  // precision that would round or cut the values compared.
  inList: (expr, ph, col) => `${expr} = ANY(CAST(${ph} AS ${itemType(col)}[]))`,
  listValue: (items) =>
    items.every(isFiniteNumber)
      ? `{${items.join(',')}}`
      : `{${items.map((x) => `"${String(x).replace(/[\\"]/g, (c) => '\\' + c)}"`).join(',')}}`,
  returning: true,
  // the protocol's 16-bit count, less one as postgres.js counts it
  maxParams: 65534,
  insertBatch: 1000,
  insertIgnore: (table, columns, values) => `INSERT INTO ${table} ${columns} VALUES ${values} ON CONFLICT DO NOTHING`,
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,
  columnType: (col) => {
    const o = col.scalar.options
    if (col.kind === 'char' || (col.kind === 'enum' && o.maxLength !== undefined))
      return `VARCHAR(${o.maxLength}) COLLATE "C"`
    if (col.kind === 'enum') return 'INTEGER'
    if (col.kind === 'decimal') return `NUMERIC(${o.maxDigits ?? 20}, ${o.decimalPlaces ?? 6})`
    return TYPES[col.kind]
  },
  autoIncrement: () => 'GENERATED BY DEFAULT AS IDENTITY',
  syncKey: (table, column) => {
    const seq = `pg_get_serial_sequence('${quoteWith('"')(table).replace(/'/g, "''")}', '${column.replace(/'/g, "''")}')`
    return `SELECT setval(${seq}, GREATEST((SELECT MAX(${quoteWith('"')(column)}) FROM ${quoteWith('"')(table)}), COALESCE(pg_sequence_last_value(${seq}::regclass), 1)))`
  },
  tableSuffix: '',
  floatType: 'DOUBLE PRECISION',
  castText: (x) => `CAST(${x} AS TEXT)`,
  textParam: (ph) => `CAST(${ph} AS TEXT)`,
  // typed by the value: `int_col + $1` would refuse 1.5, and `$1 + $2` is ambiguous; an integer
  // past 2^53 is a double in JS (1e300 would not fit a BIGINT)
  numberParam: (ph, v) =>
    `CAST(${ph} AS ${!Number.isSafeInteger(v) ? 'DOUBLE PRECISION' : Math.abs(v) <= 2147483647 ? 'INTEGER' : 'BIGINT'})`,
  // Fold with ICU (all of Unicode), then compare and sort the result by code point again.
  lower: (x) => `(LOWER(${x} COLLATE "und-x-icu") COLLATE "C")`,
  upper: (x) => `(UPPER(${x} COLLATE "und-x-icu") COLLATE "C")`,
  length: (x) => `char_length(${x})`,
  concat: (xs) => `(${xs.join(' || ')})`,
  jsonMatch: (op, col, v) => `${col} ${op === 'exact' ? '=' : op === 'contains' ? '@>' : '<@'} CAST(${v()} AS JSONB)`,
  jsonAt: (col, as, p) => {
    const type = `jsonb_typeof(${col} #> CAST(${p()} AS TEXT[]))`
    if (as === 'any') return `NULLIF(${type}, 'null')`
    const sqlType = as === 'text' ? 'TEXT' : as === 'number' ? 'DOUBLE PRECISION' : 'BOOLEAN'
    const value = `CAST(${col} #>> CAST(${p()} AS TEXT[]) AS ${sqlType})`
    return `(CASE WHEN ${type} = '${as === 'text' ? 'string' : as}' THEN ${as === 'text' ? `(${value} COLLATE "C")` : value} END)`
  },
  jsonPathValue: (steps) => `{${steps.map((x) => `"${String(x)}"`).join(',')}}`,
  // MOD has no double precision form: through numeric, which holds every double exactly enough
  mod: (l, r) => `CAST(MOD(CAST(${l} AS NUMERIC), CAST(${r} AS NUMERIC)) AS DOUBLE PRECISION)`,
  extremum: (fn, _col, ref, arg) => `${fn}(${arg(ref)})`,
  limitedIn: (sql) => sql,
  lock: (lock) => `${lock.mode === 'share' ? ' FOR SHARE' : ' FOR UPDATE'}${lockWait(lock)}`,
  upsert: (table, names, values, target, update) =>
    `INSERT INTO ${table} ${names} VALUES ${values} ON CONFLICT (${target.join(', ')}) ${update.length > 0 ? `DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING'}`,
  // CASE branches of bare parameters are typed as text: cast them to the column's type.
  caseParam: (ph, col) => `CAST(${ph} AS ${postgres.columnType(col).replace(/ COLLATE .*$/, '')})`,
  setTarget: (_alias, column) => column,
  deleteFrom: (table, alias, where) => `DELETE FROM ${table} AS ${alias}${where}`,
  generatedKeyType: (col) => postgres.columnType(col),
  columnCheck: () => undefined,
  inlineForeignKeys: false,
  indexesForeignKeys: false,
  comments: {
    // standard_conforming_strings is on (the default since 9.1): only a quote is doubled
    statement: (table, column, text) =>
      `COMMENT ON ${column === undefined ? 'TABLE' : 'COLUMN'} ${quoteWith('"')(table)}${column === undefined ? '' : `.${quoteWith('"')(column)}`} IS ${text === null ? 'NULL' : `'${text.replace(/'/g, "''")}'`}`,
  },
  addForeignKeyIfMissing: (table, name, body) => {
    const q = quoteWith('"')
    return `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '${name.replace(/'/g, "''")}') THEN ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(name)} ${body}; END IF; END $$`
  },
  // unused: inserts always read their rows back with RETURNING
  insertIdRow: 'first',
  setsDefaultOnDelete: true,
  explain: 'EXPLAIN ',
  explainLine: explainColumns,

  // ---- migrations ----
  alterColumn: (table, column, type, nullable, changed) => {
    const q = quoteWith('"')
    const head = `ALTER TABLE ${q(table)} ALTER COLUMN ${q(column)}`
    // the cast names the bare type: a collation belongs to the column, not to the conversion
    const cast = type.replace(/ COLLATE .*$/, '')
    return [
      ...(changed.type ? [`${head} TYPE ${type} USING CAST(${q(column)} AS ${cast})`] : []),
      ...(changed.null ? [`${head} ${nullable ? 'DROP' : 'SET'} NOT NULL`] : []),
    ]
  },
  dropUnique: (table, name) => `ALTER TABLE ${quoteWith('"')(table)} DROP CONSTRAINT ${quoteWith('"')(name)}`,
  dropForeignKey: (table, name) => `ALTER TABLE ${quoteWith('"')(table)} DROP CONSTRAINT ${quoteWith('"')(name)}`,
  renamedTable: (from, to) => [
    `ALTER TABLE ${quoteWith('"')(to)} RENAME CONSTRAINT ${quoteWith('"')(`${from}_pkey`.slice(0, 63))} TO ${quoteWith('"')(`${to}_pkey`.slice(0, 63))}`,
  ],
  dropIndex: (_table, name) => `DROP INDEX ${quoteWith('"')(name)}`,
  // PostgreSQL's own name for it, cut to its 63-byte identifiers
  columnUniqueName: (table, column) => `${table}_${column}_key`.slice(0, 63),
  transactionalDdl: true,
  catalog: {
    tables: `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    read: readCatalog,
  },
  // held until the transaction ends
  migrationLock: {
    acquire: (key) => `SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('${key.replace(/'/g, "''")}'))) AS l`,
  },
}
