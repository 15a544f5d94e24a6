/**
 * Introspection: the live schema of a SQLite, PostgreSQL or MySQL/MariaDB database (tables,
 * columns with type, null and default, primary keys, unique constraints, indexes, foreign keys
 * with their ON DELETE) read from its catalog into the model-state shape the diff uses, and the
 * differences between a model state and the live one (`check`'s drift).
 *
 * A catalog type names fewer kinds than models do (SQLite's TEXT holds text, decimals, dates and
 * JSON alike): a column is given the plainest kind its type stands for, and two states are
 * compared by the column types the dialect writes for them, so only what the database can tell
 * apart counts as a difference. Defaults are read but not compared: a column added to a table
 * with rows keeps the DEFAULT that filled them, where terrapin writes defaults itself.
 */
import { Dialect } from '../compile/dialect'
import { Column } from '../model/model'
import { hasConstraint } from '../schema/ddl'
import { Db } from '../run/statement'
import { FieldState, Json, ModelState, SchemaState, TableView, Views, jsonDefault, viewsOf } from './state'
import { LiveTable, str } from '../compile/catalog'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** Options of `introspect`: the tables to read. */
export interface IntrospectOptions {
  /** Only these tables (default: every table but terrapin's own). */
  readonly tables?: ReadonlyArray<string>
}

/** The table of applied migrations: never part of an app's schema. */
export const VERSIONS_TABLE = 'terrapin_migrations'

// ------------------------------------------------------------------------------------------
// catalogs
// ------------------------------------------------------------------------------------------

const tableNames = async (db: Db): Promise<ReadonlyArray<string>> =>
  (await db.executor.all(db.executor.dialect.catalog.tables, [], false))
    .map((r) => str(r[0]))
    .filter((t) => t !== VERSIONS_TABLE)

// ------------------------------------------------------------------------------------------
// into model state
// ------------------------------------------------------------------------------------------

/** `book_author` → `BookAuthor`. */
export const modelName = (table: string): string =>
  table
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('') || 'Model'

/** `author_id` → `author`: the field of a foreign key column. */
const fkKey = (column: string): string =>
  column.endsWith('_id') && column.length > 3 ? column.slice(0, -3) : `${column}Rel`

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** A catalog's default as a state holds it: a BIGINT's as a `bigint` (`{ $bigint }`), digit for digit. */
const liveDefault = (kind: string, v: Json): Json =>
  kind === 'bigint' && (typeof v === 'number' || typeof v === 'string') && /^-?\d+$/.test(String(v))
    ? (jsonDefault(BigInt(v)) as Json)
    : v

const modelOf = (t: LiveTable, byTable: ReadonlyMap<string, LiveTable>): ModelState => {
  const keyOf = new Map(
    t.columns.map((c) => [c.name, t.foreignKeys.some((f) => f.column === c.name) ? fkKey(c.name) : c.name]),
  )
  const single = new Set(t.uniques.filter((u) => u.length === 1).map((u) => u[0]))
  const indexed = new Set(t.indexes.filter((i) => i.length === 1).map((i) => i[0]))
  const fields: Record<string, FieldState> = {}
  for (const c of t.columns) {
    const fk = t.foreignKeys.find((f) => f.column === c.name)
    const pk = t.pk.length === 1 && t.pk[0] === c.name
    const options: Record<string, Json> = {
      ...(pk ? { pk: true } : {}),
      ...(c.null ? { null: true } : {}),
      ...(c.default !== undefined ? { default: liveDefault(c.kind, c.default) } : {}),
      ...(single.has(c.name) && !pk ? { unique: true } : {}),
      ...(indexed.has(c.name) && !fk ? { index: true } : {}),
      ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
      ...(c.maxDigits !== undefined ? { maxDigits: c.maxDigits, decimalPlaces: c.decimalPlaces! } : {}),
      ...(pk && c.autoIncrement ? { generated: true } : {}),
      ...(c.comment !== undefined ? { description: c.comment } : {}),
    }
    if (fk) {
      const target = byTable.get(fk.table)
      const targetPk = target?.pk.length === 1 ? target.pk[0] : undefined
      fields[keyOf.get(c.name)!] = {
        kind: single.has(c.name) ? 'oneToOne' : 'foreignKey',
        target: modelName(fk.table),
        nullable: c.null,
        optional: c.null || c.default !== undefined,
        options: {
          ...options,
          source: c.name,
          onDelete: fk.onDelete === 'NO ACTION' ? 'RESTRICT' : fk.onDelete,
          ...(fk.to !== targetPk ? { toField: fk.to } : {}),
        },
      }
    } else
      fields[c.name] = {
        kind: c.kind,
        nullable: c.null,
        optional: c.null || c.default !== undefined || (pk && c.autoIncrement),
        options,
      }
  }
  const keys = (cols: ReadonlyArray<string>): string[] => cols.map((c) => keyOf.get(c) ?? c)
  // the indexes a dialect makes for each foreign key column are the models' own, not asked for
  const fkIndex = (cols: ReadonlyArray<string>): boolean =>
    cols.length === 1 && t.foreignKeys.some((f) => f.column === cols[0])
  const together = t.uniques.filter((u) => u.length > 1 && !sameList(u, t.pk))
  const indexes = t.indexes.filter((i) => i.length > 1 && !fkIndex(i))
  return {
    name: modelName(t.name),
    table: t.name,
    fields,
    ...(together.length ? { uniqueTogether: together.map(keys) } : {}),
    ...(indexes.length ? { indexes: indexes.map(keys) } : {}),
    ...(t.comment !== undefined ? { description: t.comment } : {}),
  }
}

/**
 * Whether a table is the link table of a many-to-many field: two NOT NULL foreign key columns,
 * unique together, and nothing else (no key of its own).
 */
const isThrough = (t: LiveTable): boolean =>
  t.columns.length === 2 &&
  t.pk.length === 0 &&
  t.columns.every((c) => !c.null && t.foreignKeys.some((f) => f.column === c.name)) &&
  t.uniques.some((u) => sameList(u, [t.columns[0].name, t.columns[1].name]))

/** The many-to-many field a link table stands for, on the model of its first column's target. */
const throughField = (t: LiveTable): { readonly owner: string; readonly key: string; readonly field: FieldState } => {
  const [own, other] = t.columns.map((c) => t.foreignKeys.find((f) => f.column === c.name)!)
  return {
    owner: own.table,
    key: t.name,
    field: {
      kind: 'manyToMany',
      target: modelName(other.table),
      nullable: false,
      optional: true,
      options: { through: t.name, backwardKey: own.column, forwardKey: other.column },
    },
  }
}

/**
 * SQLite's generated key is INTEGER whatever the model's kind: the key takes the kind of the
 * foreign keys that point at it (their columns keep the declared BIGINT or SMALLINT).
 */
const keyKinds = (live: ReadonlyArray<LiveTable>): ReadonlyArray<LiveTable> =>
  live.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      if (!(c.autoIncrement && t.pk.length === 1 && t.pk[0] === c.name)) return c
      const refs = live.flatMap((o) =>
        o.foreignKeys
          .filter((f) => f.table === t.name && f.to === c.name)
          .map((f) => o.columns.find((x) => x.name === f.column)!),
      )
      const kind = refs.find((r) => r.kind === 'bigint' || r.kind === 'smallint')?.kind
      return kind ? { ...c, kind } : c
    }),
  }))

/**
 * The live schema of `db` as a model state: one model per table (named after it), a field per
 * column (a foreign key's named after its column without `_id`), composite uniques and indexes,
 * and a many-to-many field for each link table.
 */
export const introspect = async (db: Db, options: IntrospectOptions = {}): Promise<SchemaState> => {
  const all = await tableNames(db)
  const names = options.tables ? all.filter((t) => options.tables!.includes(t)) : all
  const live = keyKinds(
    await db.executor.dialect.catalog.read((sql, params = []) => db.executor.all(sql, params, false), names),
  )
  const byTable = new Map(live.map((t) => [t.name, t]))
  const throughs = live
    .filter((t) => isThrough(t) && t.foreignKeys.every((f) => byTable.has(f.table)))
    .map(throughField)
  return {
    models: live
      .filter((t) => !throughs.some((x) => x.key === t.name))
      .map((t) => {
        const m = modelOf(t, byTable)
        const links = throughs.filter((x) => x.owner === t.name)
        // a link table to `tag` is the field `tags` (its own name where that is taken)
        const keyOf = (x: (typeof links)[number]): string => {
          const plural = `${x.field.options.forwardKey as string}`.replace(/_id$/, '') + 's'
          return plural in m.fields || links.filter((y) => y.field.target === x.field.target).length > 1
            ? x.key
            : plural
        }
        return links.length
          ? { ...m, fields: { ...m.fields, ...Object.fromEntries(links.map((x) => [keyOf(x), x.field])) } }
          : m
      }),
  }
}

// ------------------------------------------------------------------------------------------
// differences
// ------------------------------------------------------------------------------------------

/** Whether the database keeps comments (a field's and a model's `description`). */
const keepsComments = (d: Dialect): boolean => d.comments.column !== undefined || d.comments.statement !== undefined

/** A comment as a difference shows it. */
const commentText = (d: Dialect, comment: string | undefined): string =>
  keepsComments(d) && comment !== undefined ? ` COMMENT ${JSON.stringify(comment)}` : ''

/** A column as the database can tell it apart: its type as the dialect writes it, null, key, unique, foreign key, comment. */
const columnShape = (d: Dialect, t: TableView, c: Column): string => {
  const found = t.columns.find((x) => x.name === c.column)!
  // an index of one column in `meta.indexes` is, to the database, that column's index
  const v = t.indexes.some((cols) => cols.length === 1 && cols[0] === c.column) ? { ...found, index: true } : found
  const type = (v.generated ? d.generatedKeyType(c) : d.columnType(c)).replace(/ COLLATE .*$/, '')
  const fk = v.fk ? ` -> ${v.fk.table}(${v.fk.column}) ON DELETE ${v.fk.onDelete}` : ''
  return `${type}${v.null ? '' : ' NOT NULL'}${v.pk ? ' PRIMARY KEY' : ''}${v.generated ? ' GENERATED' : ''}${v.unique ? ' UNIQUE' : ''}${v.index && !hasConstraint(c) ? ' INDEX' : ''}${fk}${commentText(d, v.comment)}`
}

/** An index of several columns (one of a single column is told as the column's, in `columnShape`). */
const several = (cols: ReadonlyArray<string>): boolean => cols.length > 1

const lists = (xs: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> =>
  xs.map((x) => `(${x.join(', ')})`).sort()

/**
 * Every difference between the schema a state describes (`expected`) and the live one (read by
 * {@link introspect}), one line each; none when they are equal as far as the database tells.
 * Link tables of many-to-many fields are compared by their existence.
 */
export const schemaDifferences = (
  d: Dialect,
  expected: SchemaState | Views,
  live: SchemaState | Views,
): ReadonlyArray<string> => {
  const a = 'tables' in expected ? expected : viewsOf(expected)
  const b = 'tables' in live ? live : viewsOf(live)
  const out: string[] = []
  const liveTables = new Map(b.tables)
  for (const through of a.throughs.keys()) {
    if (!liveTables.delete(through) && !b.throughs.has(through)) out.push(`table ${through} (many-to-many) is missing`)
  }
  for (const [name, at] of a.tables) {
    const bt = liveTables.get(name)
    liveTables.delete(name)
    if (!bt) {
      out.push(`table ${name} is missing`)
      continue
    }
    if (commentText(d, at.comment) !== commentText(d, bt.comment))
      out.push(
        `table ${name} has${commentText(d, bt.comment) || ' no comment'}, expected${commentText(d, at.comment) || ' none'}`,
      )
    for (const c of at.model.columns) {
      const lc = bt.model.columns.find((x) => x.column === c.column)
      if (!lc) out.push(`column ${name}.${c.column} is missing`)
      else {
        const [want, got] = [columnShape(d, at, c), columnShape(d, bt, lc)]
        if (want !== got) out.push(`column ${name}.${c.column} is ${got}, expected ${want}`)
      }
    }
    for (const c of bt.model.columns)
      if (!at.model.columns.some((x) => x.column === c.column))
        out.push(`column ${name}.${c.column} is not in the models`)
    for (const [what, want, got] of [
      ['unique', lists(at.uniques), lists(bt.uniques)],
      ['index', lists(at.indexes.filter(several)), lists(bt.indexes.filter(several))],
    ] as const) {
      for (const u of want) if (!got.includes(u)) out.push(`${what} ${name} ${u} is missing`)
      for (const u of got) if (!want.includes(u)) out.push(`${what} ${name} ${u} is not in the models`)
    }
  }
  for (const name of liveTables.keys()) out.push(`table ${name} is not in the models`)
  for (const name of b.throughs.keys())
    if (!a.throughs.has(name) && !a.tables.has(name)) out.push(`table ${name} is not in the models`)
  return out
}

// ------------------------------------------------------------------------------------------
// inspectdb
// ------------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][\w$]*$/
const prop = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k))
/** A value as TypeScript source: a state's `{ $bigint }` as a bigint literal. */
const valueSource = (v: Json): string => {
  const big =
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { $bigint?: unknown }).$bigint : undefined
  return typeof big === 'string' && /^-?\d+$/.test(big) ? `${big}n` : JSON.stringify(v)
}
const literal = (o: Readonly<Record<string, Json | undefined>>): string => {
  const entries = Object.entries(o).filter((e): e is [string, Json] => e[1] !== undefined)
  return entries.length ? `{ ${entries.map(([k, v]) => `${prop(k)}: ${valueSource(v)}`).join(', ')} }` : ''
}

/** The options a field's constructor takes, of those a state records (`generated` follows from `pk`). */
const SCALAR_OPTIONS = [
  'pk',
  'null',
  'default',
  'unique',
  'index',
  'source',
  'maxLength',
  'maxDigits',
  'decimalPlaces',
  'description',
] as const

const fieldSource = (table: string, key: string, f: FieldState): string => {
  const o = f.options
  const pick = (names: ReadonlyArray<string>): Record<string, Json | undefined> =>
    Object.fromEntries(names.map((n) => [n, o[n]]))
  const relatedName = `${table}_by_${key}`
  if (f.kind === 'manyToMany')
    return `fields.manyToMany(${JSON.stringify(f.target)}, ${literal({ relatedName, ...pick(['through', 'forwardKey', 'backwardKey']) })})`
  if (f.kind === 'foreignKey' || f.kind === 'oneToOne') {
    const source = o.source === `${key}_id` ? undefined : o.source
    const opts = {
      relatedName,
      ...pick(['onDelete', 'null', 'toField', 'default', 'index', 'dbConstraint', 'description']),
      source,
    }
    return `fields.${f.kind}(${JSON.stringify(f.target)}, ${literal(opts)})`
  }
  const d = o.default
  // a catalog's default as the field's own type: SQLite and MySQL store booleans as 1 and 0,
  // decimals are text, 64-bit integers bigints (read as `{ $bigint }`)
  const scalar = literal({
    ...pick(SCALAR_OPTIONS),
    default:
      d === undefined || d === null
        ? undefined
        : f.kind === 'boolean'
          ? d === true || d === 1 || d === '1' || d === 't'
          : f.kind === 'decimal' && typeof d === 'number'
            ? String(d)
            : f.kind === 'bigint' && typeof d === 'number'
              ? jsonDefault(BigInt(d))
              : d,
  })
  return `fields.${f.kind}(${scalar})`
}

/** The kinds a key column may have. */
const KEY_KINDS: ReadonlySet<string> = new Set(['int', 'bigint', 'smallint', 'uuid', 'char'])

/**
 * A key column the database has no FOREIGN KEY for (a model's `dbConstraint: false`): an indexed
 * (or unique) column `<x>_id` of a key's kind, where exactly one table is named `<x>` and its
 * single-column primary key has that kind, is taken for a relation to it (a unique one for a
 * one-to-one) without a constraint; any other column stays the plain field it is.
 */
const guessedKey = (state: SchemaState, m: ModelState, column: string, f: FieldState): FieldState | undefined => {
  const name = /^(.+)_id$/.exec(column)?.[1]
  const o = f.options
  if (name === undefined || f.target !== undefined || !KEY_KINDS.has(f.kind) || o.pk === true) return undefined
  if ((o.index !== true && o.unique !== true) || name in m.fields) return undefined
  const targets = state.models.filter((t) => t.table === name)
  const pks = targets.length === 1 ? Object.values(targets[0].fields).filter((x) => x.options.pk === true) : []
  if (pks.length !== 1 || pks[0].kind !== f.kind) return undefined
  return {
    kind: o.unique === true ? 'oneToOne' : 'foreignKey',
    target: targets[0].name,
    nullable: f.nullable,
    optional: f.optional,
    options: {
      source: column,
      dbConstraint: false,
      ...(o.null === true ? { null: true } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
    },
  }
}

/** A model's fields with the relations {@link guessedKey} finds, keyed by their names without `_id`. */
const withGuessedKeys = (state: SchemaState, m: ModelState): ReadonlyArray<readonly [string, FieldState, boolean]> =>
  Object.entries(m.fields).map(([k, f]) => {
    const key = guessedKey(state, m, k, f)
    return key ? [k.slice(0, -3), key, true] : [k, f, false]
  })

/**
 * terrapin model definitions, as TypeScript source, for a state read by {@link introspect}
 * (`terrapin inspectdb`): one `model` per table, relations included, in a `schema`. A key
 * column without a FOREIGN KEY is a relation with `dbConstraint: false` where its name and type
 * point at exactly one table (`author_id` → `author`), marked with a comment; else a plain field.
 */
export const modelSource = (state: SchemaState): string => {
  const models = state.models.map((m) => {
    const meta = literal({ uniqueTogether: m.uniqueTogether, indexes: m.indexes, description: m.description })
    return [
      `  ${prop(m.name)}: model(${JSON.stringify(m.name)}, {`,
      `    table: ${JSON.stringify(m.table)},`,
      `    fields: {`,
      ...withGuessedKeys(state, m).map(
        ([k, f, guessed]) =>
          `      ${prop(k)}: ${fieldSource(m.table, k, f)},${guessed ? ' // no FOREIGN KEY in the database: guessed from its name' : ''}`,
      ),
      `    },`,
      ...(meta ? [`    meta: ${meta},`] : []),
      `  }),`,
    ].join('\n')
  })
  return [
    `import { fields, model, schema } from 'terrapin'`,
    ``,
    `export const { ${state.models.map((m) => m.name).join(', ')} } = schema({`,
    ...models,
    `})`,
    ``,
  ].join('\n')
}
