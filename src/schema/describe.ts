/**
 * `describe(Model)`: a model as plain JSON data, as tortoise's `Model.describe()` gives it: its
 * table, its fields with their options and column types, its relations in both directions, its
 * constraints and its default ordering. For documentation, admin screens, code generators and
 * API schemas; nothing in it is a function, a class instance or `undefined`.
 */
import { dialects } from '../compile'
import { DialectName } from '../compile/dialect'
import { Field, ForeignKeyField, ManyToManyField, OnDelete, ScalarField, ScalarKind } from '../model/fields'
import { AnyModel, Column, Model, givenIndexName, indexFields } from '../model/model'
import { reverseName, throughColumns, throughTable } from '../model/relations'
import { indexName } from './ddl'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A value as JSON holds it. */
export type JsonData = null | boolean | number | string | ReadonlyArray<JsonData> | { readonly [k: string]: JsonData }

/**
 * A field's default: a value (a `Date` as its ISO string, a `bigint` as its decimal string), or
 * a function called for each new row (by its name, `anonymous` when it has none).
 */
export type DefaultDescription = { readonly value: JsonData } | { readonly function: string }

/** The column type of a field on each database, as `CREATE TABLE` writes it. */
export type DbTypes = { readonly [D in DialectName]: string }

/** A scalar field (a column of its own; foreign keys are under `relations`). */
export interface FieldDescription {
  readonly name: string
  readonly kind: ScalarKind
  readonly column: string
  /** The TypeScript type of the value on a row (without `null`). */
  readonly type: string
  readonly dbTypes: DbTypes
  readonly pk: boolean
  /** A key the database generates (autoincrement, identity). */
  readonly generated: boolean
  readonly null: boolean
  readonly default: DefaultDescription | null
  readonly unique: boolean
  readonly index: boolean
  readonly maxLength: number | null
  readonly maxDigits: number | null
  readonly decimalPlaces: number | null
  readonly autoNow: boolean
  readonly autoNowAdd: boolean
  /** An enum's values. */
  readonly values: ReadonlyArray<string | number> | null
  /** How many validators the field runs on writes. */
  readonly validators: number
  /** The field's `description` option (the column's comment on PostgreSQL and MySQL). */
  readonly description: string | null
}

/** A relation's kind, seen from the model described: its own side, or the reverse of another model's. */
export type RelationKind =
  'foreignKey' | 'oneToOne' | 'manyToMany' | 'reverseForeignKey' | 'reverseOneToOne' | 'reverseManyToMany'

/** A relation, declared on this model (forward) or on another model pointing here (reverse). */
export interface RelationDescription {
  readonly name: string
  readonly kind: RelationKind
  /** The model at the other end, by name. */
  readonly target: string
  /** The name of the same relation seen from the target (`books` for `Book.author`). */
  readonly relatedName: string
  /** The second name of a reverse relation for filters (`relatedQueryName`). */
  readonly relatedQueryName: string | null
  /** The key on a row of this model (`authorId`): forward foreign keys and one-to-ones only. */
  readonly key: string | null
  /** The foreign key column of this model's table (`author_id`), likewise. */
  readonly column: string | null
  /** The column types of that key, likewise. */
  readonly dbTypes: DbTypes | null
  /** The target field a forward key refers to (its primary key unless `toField`). */
  readonly toField: string | null
  readonly onDelete: OnDelete | null
  /**
   * Whether the database holds a FOREIGN KEY for a forward key (false for `dbConstraint: false`:
   * a plain indexed column, whose `onDelete` nothing carries out); null for the other kinds.
   */
  readonly dbConstraint: boolean | null
  /** Whether the key may be null (forward), or the relation hold no row. */
  readonly null: boolean
  readonly many: boolean
  readonly index: boolean
  readonly default: DefaultDescription | null
  /** The link table of a many-to-many relation: its name, this side's column and the target's. */
  readonly through: { readonly table: string; readonly column: string; readonly targetColumn: string } | null
  readonly description: string | null
}

/** A constraint over several fields: `meta.uniqueTogether` or `meta.indexes`. */
export interface ConstraintDescription {
  readonly kind: 'unique' | 'index'
  readonly name: string
  readonly fields: ReadonlyArray<string>
  readonly columns: ReadonlyArray<string>
}

/** What `describe(Model)` returns: JSON data, `JSON.parse(JSON.stringify(d))` equals `d`. */
export interface ModelDescription {
  readonly name: string
  readonly table: string
  readonly description: string | null
  /** The primary key's field name. */
  readonly pk: string
  readonly fields: ReadonlyArray<FieldDescription>
  readonly relations: ReadonlyArray<RelationDescription>
  readonly constraints: ReadonlyArray<ConstraintDescription>
  /** `meta.ordering`: the order of reads that give none. */
  readonly ordering: ReadonlyArray<string>
}

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** A key the database generates: the rule of `CREATE TABLE` (an optional integer key without a default). */
const isGenerated = (col: Column): boolean =>
  col.pk &&
  col.field.optional &&
  (col.kind === 'int' || col.kind === 'bigint' || col.kind === 'smallint') &&
  col.field.options.default === undefined

const dbTypesOf = (col: Column): DbTypes => {
  const generated = isGenerated(col)
  const entries = Object.entries(dialects).map(([name, d]) => [
    name,
    generated ? d.generatedKeyType(col) : d.columnType(col),
  ])
  return Object.fromEntries(entries) as Record<DialectName, string>
}

const jsonOf = (v: unknown): JsonData =>
  v instanceof Date
    ? v.toISOString()
    : typeof v === 'bigint'
      ? v.toString()
      : Array.isArray(v)
        ? v.map(jsonOf)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonOf(x)]))
          : typeof v === 'number' && !Number.isFinite(v)
            ? null
            : (v as JsonData)

const defaultOf = (value: unknown): DefaultDescription | null =>
  value === undefined
    ? null
    : typeof value === 'function'
      ? { function: value.name || 'anonymous' }
      : { value: jsonOf(value) }

const TYPES: Readonly<Record<Exclude<ScalarKind, 'enum' | 'json'>, string>> = {
  int: 'number',
  smallint: 'number',
  float: 'number',
  bigint: 'bigint',
  char: 'string',
  text: 'string',
  decimal: 'string',
  date: 'string',
  time: 'string',
  uuid: 'string',
  boolean: 'boolean',
  datetime: 'Date',
  binary: 'Buffer',
}

const typeOf = (f: ScalarField): string =>
  f.kind === 'enum'
    ? (f.options.values ?? []).map((v) => JSON.stringify(v)).join(' | ')
    : f.kind === 'json'
      ? ((f.options as { readonly codec?: { readonly name: string } }).codec?.name ?? 'unknown')
      : f.options.unit !== undefined
        ? `${TYPES[f.kind]} (${f.options.unit})`
        : TYPES[f.kind]

const fieldOf = (name: string, f: ScalarField, col: Column): FieldDescription => {
  const o = f.options
  return {
    name,
    kind: f.kind,
    column: col.column,
    type: typeOf(f),
    dbTypes: dbTypesOf(col),
    pk: col.pk,
    generated: isGenerated(col),
    null: f.nullable,
    default: defaultOf(o.default),
    unique: o.unique === true || col.pk,
    index: o.index === true,
    maxLength: o.maxLength ?? null,
    maxDigits: f.kind === 'decimal' ? (o.maxDigits ?? null) : null,
    decimalPlaces: f.kind === 'decimal' ? (o.decimalPlaces ?? null) : null,
    autoNow: o.autoNow === true,
    autoNowAdd: o.autoNowAdd === true,
    values: o.values ? [...o.values] : null,
    validators: o.validators?.length ?? 0,
    description: o.description ?? null,
  }
}

/** The fields of a relation description that only some kinds have, all absent. */
const NONE = {
  relatedQueryName: null,
  key: null,
  column: null,
  dbTypes: null,
  toField: null,
  onDelete: null,
  dbConstraint: null,
  index: false,
  default: null,
  through: null,
} as const

/** The model a relation names, when the model is part of a schema (`schema({ … })`). */
const targetOf = (m: Model, name: string): Model | undefined => m.registry[name]

const forwardKey = (m: Model, name: string, f: ForeignKeyField): RelationDescription => {
  const col = m.columnByKey[`${name}Id`]
  const target = targetOf(m, f.target)
  return {
    ...NONE,
    name,
    kind: f.kind,
    target: f.target,
    relatedName: reverseName(m, f),
    relatedQueryName: f.options.relatedQueryName ?? null,
    key: col.key,
    column: col.column,
    dbTypes: dbTypesOf(col),
    toField: f.options.toField ?? target?.pk ?? null,
    onDelete: f.options.onDelete ?? 'CASCADE',
    dbConstraint: f.options.dbConstraint !== false,
    null: f.nullable,
    many: false,
    index: f.options.index === true,
    default: defaultOf(f.options.default),
    description: f.options.description ?? null,
  }
}

const throughOf = (owner: Model, f: ManyToManyField, target: Model | undefined, reverse: boolean) => {
  if (!target) return null
  const cols = throughColumns(owner, f, target)
  return {
    table: throughTable(owner, f, target),
    column: reverse ? cols.other : cols.own,
    targetColumn: reverse ? cols.own : cols.other,
  }
}

const manyToMany = (m: Model, name: string, f: ManyToManyField): RelationDescription => ({
  ...NONE,
  name,
  kind: 'manyToMany',
  target: f.target,
  relatedName: reverseName(m, f),
  null: true,
  many: true,
  through: throughOf(m, f, targetOf(m, f.target), false),
  description: f.options.description ?? null,
})

/** The relations other models of the schema declare towards `m`, seen from `m`. */
const reverseOf = (m: Model): ReadonlyArray<RelationDescription> =>
  Object.values(m.registry).flatMap((other) =>
    Object.entries(other.fields as Readonly<Record<string, Field>>).flatMap(
      ([fname, f]): ReadonlyArray<RelationDescription> => {
        if (f.kind === 'manyToMany' && f.target === m.name)
          return [
            {
              ...NONE,
              name: reverseName(other, f),
              kind: 'reverseManyToMany',
              target: other.name,
              relatedName: fname,
              null: true,
              many: true,
              through: throughOf(other, f, m, true),
              description: f.options.description ?? null,
            },
          ]
        if ((f.kind !== 'foreignKey' && f.kind !== 'oneToOne') || f.target !== m.name) return []
        return [
          {
            ...NONE,
            name: reverseName(other, f),
            kind: f.kind === 'oneToOne' ? 'reverseOneToOne' : 'reverseForeignKey',
            target: other.name,
            relatedName: fname,
            relatedQueryName: f.options.relatedQueryName ?? null,
            null: true,
            many: f.kind !== 'oneToOne',
            description: f.options.description ?? null,
          },
        ]
      },
    ),
  )

const constraintsOf = (m: Model): ReadonlyArray<ConstraintDescription> => {
  const columns = (keys: ReadonlyArray<string>) =>
    keys.map((k) => (m.columnByKey[k] ?? m.columnByKey[`${k}Id`])?.column ?? k)
  const one = (kind: 'unique' | 'index', keys: ReadonlyArray<string>, name?: string): ConstraintDescription => ({
    kind,
    name: name ?? indexName(m.table, columns(keys), kind === 'unique'),
    fields: [...keys],
    columns: columns(keys),
  })
  return [
    ...(m.meta.uniqueTogether ?? []).map((keys) => one('unique', keys)),
    ...(m.meta.indexes ?? []).map((s) => one('index', indexFields(s), givenIndexName(s))),
  ]
}

/**
 * A model as JSON data, as tortoise's `Model.describe()`: its table; each scalar field with its
 * column, TypeScript type, column type on each database and options (`null`, `default` in a
 * serialisable form, `unique`, `index`, `maxLength`, `pk`, `generated`, `description`, …); its
 * relations, declared here or pointing here (kind, target, related name, key column, on delete,
 * link table); `uniqueTogether` and `indexes` as named constraints; and `meta.ordering`. No SQL
 * is sent. In a test file, import it under another name: test runners have a `describe` of
 * their own.
 *
 * @example
 * describe(Book).fields.find((f) => f.name === 'title')
 * // { name: 'title', kind: 'char', column: 'title', type: 'string',
 * //   dbTypes: { sqlite: 'VARCHAR(100)', postgres: 'VARCHAR(100) COLLATE "C"', mysql: 'VARCHAR(100)' }, pk: false, null: false, maxLength: 100, … }
 * describe(Book).relations.find((r) => r.name === 'author')
 * // { name: 'author', kind: 'foreignKey', target: 'Author', relatedName: 'books', key: 'authorId', column: 'author_id', onDelete: 'CASCADE', … }
 */
export const describe = (model: AnyModel): ModelDescription => {
  const m = model as Model
  const fields: FieldDescription[] = []
  const relations: RelationDescription[] = []
  for (const [name, f] of Object.entries(m.fields as Readonly<Record<string, Field>>))
    if (f.kind === 'foreignKey' || f.kind === 'oneToOne') relations.push(forwardKey(m, name, f))
    else if (f.kind === 'manyToMany') relations.push(manyToMany(m, name, f))
    else fields.push(fieldOf(name, f as ScalarField, m.columnByKey[name]))
  return {
    name: m.name,
    table: m.table,
    description: m.meta.description ?? null,
    pk: m.pk,
    fields,
    relations: [...relations, ...reverseOf(m)],
    constraints: constraintsOf(m),
    ordering: [...(m.meta.ordering ?? [])],
  }
}
