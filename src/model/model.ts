/**
 * Models are plain frozen records: a name, a table and fields. `schema()` resolves the
 * relations that name their target by model name, so mutually referencing models need no
 * type annotations, and links every model to the others at run time.
 */
import { TerrapinFailure, configurationError } from '../errors'
import { Field, Fields, ForeignKeyField, ManyToManyField, ScalarField, ScalarKind, fields } from './fields'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** What a model holds besides its fields, as tortoise's `Meta`: `uniqueTogether`, `indexes`, `ordering`, `description`. */
export interface ModelMeta {
  /** Sets of field names that are unique together. */
  readonly uniqueTogether?: ReadonlyArray<ReadonlyArray<string>>
  /** Sets of field names indexed together, each with the name its index takes if given (`{ fields, name }`). */
  readonly indexes?: ReadonlyArray<IndexSpec>
  /** The default ordering of reads that give none, e.g. `['-createdAt', 'id']`. */
  readonly ordering?: ReadonlyArray<string>
  readonly description?: string
}

/**
 * An index of `meta.indexes`: the fields it covers, in order, or those fields and the name the
 * index takes in the database (else `idx_<table>_<columns>`).
 */
export type IndexSpec = ReadonlyArray<string> | { readonly fields: ReadonlyArray<string>; readonly name: string }

const isNamedIndex = (s: IndexSpec): s is { readonly fields: ReadonlyArray<string>; readonly name: string } =>
  !Array.isArray(s)

/** The fields an index of `meta.indexes` covers. */
export const indexFields = (s: IndexSpec): ReadonlyArray<string> => (isNamedIndex(s) ? s.fields : s)

/** The name an index of `meta.indexes` was given, if it was. */
export const givenIndexName = (s: IndexSpec): string | undefined => (isNamedIndex(s) ? s.name : undefined)

/** The longest name of an index every dialect keeps whole (PostgreSQL cuts names at 63 bytes). */
const MAX_INDEX_NAME = 63

/** A given index name the databases would not keep as written, or two indexes of one name: a `ConfigurationError`. */
const checkIndexNames = (model: string, meta: ModelMeta): void => {
  const seen = new Set<string>()
  for (const s of meta.indexes ?? []) {
    const name = givenIndexName(s)
    if (name === undefined) continue
    const bad =
      typeof name !== 'string' || name.length === 0
        ? 'is not a non-empty string'
        : Buffer.byteLength(name) > MAX_INDEX_NAME
          ? `is longer than ${MAX_INDEX_NAME} bytes`
          : name.includes('\u0000')
            ? 'holds a NUL character'
            : seen.has(name)
              ? 'is given to two indexes'
              : undefined
    if (bad !== undefined)
      throw new TerrapinFailure(configurationError(`model ${model}: the index name ${JSON.stringify(name)} ${bad}`))
    seen.add(name)
  }
}

/**
 * A stored column: `key` is the name on the row object, `column` the name in the table. A
 * foreign key `author` is the column `author_id`, on the row `authorId`.
 */
export interface Column {
  readonly key: string
  readonly column: string
  /** The field this column stores (for a foreign key, the relation field). */
  readonly field: ScalarField | ForeignKeyField
  /** The scalar kind of the stored value (a foreign key's is its target's key's kind). */
  readonly kind: ScalarKind
  /** The scalar field that types the value (for a foreign key, the target's key field). */
  readonly scalar: ScalarField
  readonly pk: boolean
}

/**
 * A model, made by `model(name, { fields, meta })`: its table, its columns and its relations. Use
 * it as a value (`query(Book)`) and as a type (`RowOf<typeof Book>`).
 */
export interface Model<N extends string = string, F extends Fields = Fields, S = unknown> {
  readonly _tag: 'Model'
  readonly name: N
  readonly table: string
  readonly fields: F
  readonly meta: ModelMeta
  /** The primary key's field name (an `id` int is added when no field is `pk`). */
  readonly pk: string
  readonly columns: ReadonlyArray<Column>
  /** The columns by key, in a record without a prototype, so that any string may be looked up in it. */
  readonly columnByKey: Readonly<Record<string, Column>>
  /** The other models of its schema, by model name (empty until `schema()`). */
  readonly registry: Readonly<Record<string, Model>>
  /** Phantom: the schema the model was resolved in. */
  readonly _S?: S
}

/** Any model, for constraints. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bound of every generic over models in the public API: left open so that no signature's inference depends on a narrower one
export type AnyModel = Model<string, any, any>

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** The implicit key of a model that declares none: a generated int, with its codec. */
const DEFAULT_PK = fields.int({ pk: true })

const isRelationField = (f: Field): f is ForeignKeyField => f.kind === 'foreignKey' || f.kind === 'oneToOne'

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()

const buildColumns = (fields: Fields, registry: Readonly<Record<string, Model>>): ReadonlyArray<Column> =>
  Object.entries(fields).flatMap(([name, f]): Column[] => {
    if (f.kind === 'manyToMany') return []
    if (isRelationField(f)) {
      const target = registry[f.target]
      const targetCol = target ? target.columnByKey[f.options.toField ?? target.pk] : undefined
      const scalar = targetCol ? targetCol.scalar : DEFAULT_PK
      return [
        {
          key: `${name}Id`,
          column: f.options.source ?? `${snake(name)}_id`,
          field: f,
          kind: scalar.kind,
          scalar,
          pk: false,
        },
      ]
    }
    return [
      { key: name, column: f.options.source ?? name, field: f, kind: f.kind, scalar: f, pk: f.options.pk === true },
    ]
  })

const freezeModel = <M extends Model>(m: M): M => {
  Object.freeze(m.columns)
  m.columns.forEach(Object.freeze)
  Object.freeze(m.columnByKey)
  return Object.freeze(m)
}

const assemble = (
  name: string,
  table: string,
  fields: Fields,
  meta: ModelMeta,
  registry: Readonly<Record<string, Model>>,
): Model => {
  const pks = Object.entries(fields).filter(
    ([, f]) => f.kind !== 'manyToMany' && !isRelationField(f) && f.options.pk === true,
  )
  if (pks.length > 1)
    throw new TypeError(`model ${name}: more than one field has pk: true (${pks.map(([k]) => k).join(', ')})`)
  checkIndexNames(name, meta)
  const allFields: Fields = pks.length === 1 ? fields : { id: DEFAULT_PK, ...fields }
  const columns = buildColumns(allFields, registry)
  const seen = new Set<string>()
  for (const c of columns) {
    if (seen.has(c.column)) throw new TypeError(`model ${name}: two fields use the column ${c.column}`)
    seen.add(c.column)
  }
  return freezeModel({
    _tag: 'Model',
    name,
    table,
    fields: Object.freeze({ ...allFields }),
    meta: Object.freeze({ ...meta }),
    pk: pks.length === 1 ? pks[0][0] : 'id',
    columns,
    // No prototype: a key typed by a user (`constructor`, `__proto__`) names no column.
    columnByKey: Object.setPrototypeOf(Object.fromEntries(columns.map((c) => [c.key, c])), null) as Record<
      string,
      Column
    >,
    registry,
  })
}

/**
 * Defines a model. The table defaults to the snake-cased name; a model without a `pk` field
 * gets `id: fields.int({ pk: true })`.
 *
 * @example
 * ```ts
 * const Tag = model('Tag', { fields: { name: fields.char({ maxLength: 30, unique: true }) } })
 * console.log(Tag.table, Tag.pk) // the table's name, and the implicit primary key
 * //> tag id
 * ```
 */
export const model = <const N extends string, const F extends Fields>(
  name: N,
  def: { readonly table?: string; readonly fields: F; readonly meta?: ModelMeta },
): Model<N, WithPk<F>> =>
  assemble(name, def.table ?? snake(name), def.fields, def.meta ?? {}, Object.freeze({})) as unknown as Model<
    N,
    WithPk<F>
  >

/** Adds the implicit `id` key to the type when no field is `pk`. */
export type WithPk<F extends Fields> = true extends {
  [K in keyof F]: F[K] extends { readonly isPk: true } ? true : false
}[keyof F]
  ? F
  : { readonly id: ScalarField<'int', number, false, true, true> } & F

type Resolved<D extends Record<string, AnyModel>> = { readonly [K in keyof D]: Model<D[K]['name'], D[K]['fields'], D> }

/**
 * Resolves relations between models named by model name, checks every target exists, and
 * derives reverse relations. Use the returned models in queries.
 *
 * @example
 * ```ts
 * const models = schema({
 *   Shelf: model('Shelf', { fields: { label: fields.char({ maxLength: 20 }) } }),
 *   Volume: model('Volume', { fields: { shelf: fields.foreignKey('Shelf', { relatedName: 'volumes' }) } }),
 * })
 * pipe(query(models.Shelf), where({ volumes__id__gt: 10 })) // the reverse relation, typed
 * ```
 */
export const schema = <const D extends Record<string, AnyModel>>(defs: D): Resolved<D> => {
  const list = Object.values(defs)
  const names = new Set(list.map((m) => m.name))
  for (const m of list)
    for (const [fname, f] of Object.entries(m.fields as Fields))
      if (f.kind === 'foreignKey' || f.kind === 'oneToOne' || f.kind === 'manyToMany')
        if (!names.has(f.target))
          throw new TypeError(
            `model ${m.name}: field ${fname} names the model ${f.target}, which is not in this schema (${[...names].join(', ')})`,
          )
  // An action the database would refuse at the first delete is a definition mistake: say so now.
  for (const m of list)
    for (const [fname, f] of Object.entries(m.fields as Fields))
      if (f.kind === 'foreignKey' || f.kind === 'oneToOne') {
        if (f.options.onDelete === 'SET NULL' && !f.nullable)
          throw new TypeError(`model ${m.name}: field ${fname} has onDelete SET NULL but is not null: true`)
        if (f.options.onDelete === 'SET DEFAULT' && f.options.default === undefined)
          throw new TypeError(`model ${m.name}: field ${fname} has onDelete SET DEFAULT but no default`)
      }
  checkReverseNames(list)
  const registry: Record<string, Model> = {}
  // Two passes: the first gives every model its own key column, the second lets each foreign
  // key take its type from its target's key (which never depends on another relation).
  for (let pass = 0; pass < 2; pass++)
    for (const m of list) registry[m.name] = assemble(m.name, m.table, m.fields as Fields, m.meta, registry)
  Object.freeze(registry)
  return Object.freeze(
    Object.fromEntries(Object.entries(defs).map(([k, m]) => [k, registry[m.name]])),
  ) as unknown as Resolved<D>
}

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

/** The names a relation field gives its target: `relatedName` (default `<owner>s`) and `relatedQueryName`. */
const reverseNamesOf = (owner: AnyModel, f: ForeignKeyField | ManyToManyField): ReadonlyArray<string> => {
  const name = f.options.relatedName ?? `${owner.name.charAt(0).toLowerCase()}${owner.name.slice(1)}s`
  const query = f.kind === 'manyToMany' ? undefined : f.options.relatedQueryName
  return query === undefined || query === name ? [name] : [name, query]
}

/**
 * Every name a model answers to must mean one thing: two relations giving a model the same
 * reverse name, or a reverse name that is already one of its fields, is a `ConfigurationError`
 * naming both (a query would otherwise reach whichever the search met first).
 */
const checkReverseNames = (list: ReadonlyArray<AnyModel>): void => {
  const byName = new Map(list.map((m) => [m.name, m]))
  const taken = new Map<string, string>()
  for (const m of list)
    for (const [fname, f] of Object.entries(m.fields as Fields)) {
      if (f.kind !== 'foreignKey' && f.kind !== 'oneToOne' && f.kind !== 'manyToMany') continue
      const target = byName.get(f.target) as AnyModel
      for (const name of reverseNamesOf(m, f)) {
        const here = `${m.name}.${fname}`
        // a model's fields include its implicit `id`
        const own = Object.prototype.hasOwnProperty.call(target.fields, name)
        const first = own ? `${target.name}.${name}` : taken.get(`${target.name}.${name}`)
        if (first !== undefined)
          throw new TerrapinFailure(
            configurationError(
              `model ${target.name}: the reverse name ${name} of ${here} is already ${own ? 'the field' : 'the reverse name of'} ${first}; give one of them another relatedName`,
            ),
          )
        taken.set(`${target.name}.${name}`, here)
      }
    }
}

/** The model a relation field points to, or a clear error. */
export const relatedModel = (m: Model, field: ForeignKeyField | ManyToManyField): Model => {
  const target = m.registry[field.target]
  if (!target)
    throw new TypeError(`model ${m.name} is not part of a schema: call schema({ ... }) to resolve ${field.target}`)
  return target
}

export const pkColumn = (m: Model): Column => m.columnByKey[m.pk]
