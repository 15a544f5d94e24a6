/**
 * Model state: a JSON snapshot of an app's models, recorded with each migration, and the models
 * rebuilt from it. The diff and the DDL read the rebuilt models, so a snapshot is turned into
 * SQL by the same code (`schema/ddl.ts`) that creates tables from the live models.
 */
import { Field } from '../model/fields'
import { AnyModel, Column, IndexSpec, Model, givenIndexName, indexFields, model, schema } from '../model/model'
import { throughColumns, throughTable } from '../model/relations'
import { hasConstraint, isFk } from '../schema/ddl'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A JSON value. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** One field of a model: its kind, relation target and the options that shape its column. */
export interface FieldState {
  readonly kind: Field['kind']
  readonly target?: string
  readonly nullable: boolean
  readonly optional: boolean
  readonly options: { readonly [option: string]: Json }
}

export interface ModelState {
  readonly name: string
  readonly table: string
  readonly fields: { readonly [name: string]: FieldState }
  readonly uniqueTogether?: ReadonlyArray<ReadonlyArray<string>>
  readonly indexes?: ReadonlyArray<IndexState>
  /** The model's `meta.description`: the table's comment. */
  readonly description?: string
}

/** An index of a snapshot: its fields, or its fields and the name it was given. */
export type IndexState = ReadonlyArray<string> | { readonly fields: ReadonlyArray<string>; readonly name: string }

/** An app's models as recorded with a migration. */
export interface SchemaState {
  readonly models: ReadonlyArray<ModelState>
}

/** A column as the diff compares it: everything its DDL depends on. */
export interface ColumnView {
  readonly name: string
  readonly kind: string
  readonly maxLength?: number
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  readonly null: boolean
  readonly default?: Json
  readonly unique: boolean
  readonly index: boolean
  readonly pk: boolean
  readonly generated: boolean
  /** The field's `fulltext`: the column has the dialect's full-text index. */
  readonly fulltext: boolean
  /** The field's `description`: the column's comment. */
  readonly comment?: string
  readonly fk?: { readonly table: string; readonly column: string; readonly onDelete: string }
}

export interface TableView {
  readonly table: string
  readonly model: Model
  readonly columns: ReadonlyArray<ColumnView>
  /** Column lists unique together. */
  readonly uniques: ReadonlyArray<ReadonlyArray<string>>
  /** Column lists indexed together (`meta.indexes`). */
  readonly indexes: ReadonlyArray<ReadonlyArray<string>>
  /** The name given to each of `indexes`, where one was. */
  readonly indexNames: ReadonlyArray<string | undefined>
  /** The model's `meta.description`: the table's comment. */
  readonly comment?: string
}

/** The link table of a many-to-many field. */
export interface ThroughView {
  readonly table: string
  readonly own: string
  readonly other: string
  readonly ownTable: string
  readonly otherTable: string
  readonly model: Model
  readonly field: string
}

/** A state's tables and link tables by name, with the rebuilt models. */
export interface Views {
  readonly tables: ReadonlyMap<string, TableView>
  readonly throughs: ReadonlyMap<string, ThroughView>
  readonly models: ReadonlyArray<Model>
}

export const EMPTY_STATE: SchemaState = Object.freeze({ models: Object.freeze([]) })

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

const OPTIONS = [
  'pk',
  'null',
  'default',
  'unique',
  'index',
  'source',
  'maxLength',
  'maxDigits',
  'decimalPlaces',
  'values',
  'generated',
  'autoNow',
  'autoNowAdd',
  'onDelete',
  'dbConstraint',
  'toField',
  'through',
  'forwardKey',
  'backwardKey',
  'description',
  'fulltext',
] as const

/** A value JSON keeps as it is (a function default is per row, in JS: not part of the schema). */
const isJson = (v: unknown): v is Json =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (Array.isArray(v) && v.every(isJson)) ||
  (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(isJson))

/**
 * A default as a state holds it: a JSON value, a `bigint` as `{ $bigint: '<digits>' }` (a state
 * is JSON, which has no integers beyond 2^53); undefined for what is no part of the schema.
 */
export const jsonDefault = (v: unknown): Json | undefined =>
  typeof v === 'bigint' ? { $bigint: String(v) } : isJson(v) ? v : undefined

/** A state's default as the field's value: `{ $bigint }` back to a `bigint` (but in a JSON field, where it is a document). */
const defaultValue = (kind: Field['kind'], v: Json): unknown =>
  kind !== 'json' &&
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  typeof (v as { $bigint?: unknown }).$bigint === 'string' &&
  /^-?\d+$/.test((v as { $bigint: string }).$bigint)
    ? BigInt((v as { $bigint: string }).$bigint)
    : v

const fieldState = (f: Field): FieldState => {
  const o = f.options as Record<string, unknown>
  const options: Record<string, Json> = {}
  for (const k of OPTIONS) {
    const v = k === 'default' ? jsonDefault(o[k]) : isJson(o[k]) ? o[k] : undefined
    if (o[k] !== undefined && v !== undefined) options[k] = v
  }
  return {
    kind: f.kind,
    ...('target' in f ? { target: f.target } : {}),
    nullable: f.nullable,
    optional: f.optional,
    options,
  }
}

/** An index of `meta.indexes` as a snapshot keeps it: its fields, with its name where it was given one. */
const indexState = (spec: IndexSpec): IndexState => {
  const name = givenIndexName(spec)
  return name === undefined ? [...indexFields(spec)] : { fields: [...indexFields(spec)], name }
}

/** The snapshot of an app's models. */
export const modelState = (models: ReadonlyArray<AnyModel>): SchemaState => ({
  models: (models as ReadonlyArray<Model>).map((m) => ({
    name: m.name,
    table: m.table,
    fields: Object.fromEntries(Object.entries(m.fields).map(([k, f]) => [k, fieldState(f)])),
    ...(m.meta.uniqueTogether?.length ? { uniqueTogether: m.meta.uniqueTogether.map((u) => [...u]) } : {}),
    ...(m.meta.indexes?.length ? { indexes: m.meta.indexes.map(indexState) } : {}),
    ...(m.meta.description !== undefined ? { description: m.meta.description } : {}),
  })),
})

/**
 * A field record with what DDL reads of one (no codec: the rebuilt models never see a row). A
 * snapshot keeps no reverse names (they are no part of the database), so each relation gets one
 * of its own: `schema()` refuses two relations giving a model the same name.
 */
const fieldOf = (s: FieldState, owner: string, name: string): Field => {
  const relatedName = s.target === undefined ? undefined : `${owner}.${name}`
  const options = {
    ...s.options,
    ...(relatedName === undefined ? {} : { relatedName }),
    ...(s.options.default === undefined ? {} : { default: defaultValue(s.kind, s.options.default) }),
  }
  return Object.freeze({
    _tag: 'Field',
    kind: s.kind,
    ...(s.target !== undefined ? { target: s.target, relatedName, toField: s.options.toField } : {}),
    isPk: s.options.pk === true,
    nullable: s.nullable,
    optional: s.optional,
    options: Object.freeze({ ...options }),
  }) as unknown as Field
}

/** The models of a snapshot, resolved with each other (relations to models outside it are dropped). */
export const modelsOf = (state: SchemaState): ReadonlyArray<Model> => {
  const names = new Set(state.models.map((m) => m.name))
  const defs = Object.fromEntries(
    state.models.map((s) => [
      s.name,
      model(s.name, {
        table: s.table,
        fields: Object.fromEntries(
          Object.entries(s.fields)
            .filter(([, f]) => f.target === undefined || names.has(f.target))
            .map(([k, f]) => [k, fieldOf(f, s.name, k)]),
        ),
        meta: {
          ...(s.uniqueTogether ? { uniqueTogether: s.uniqueTogether } : {}),
          ...(s.indexes ? { indexes: s.indexes } : {}),
          ...(s.description !== undefined ? { description: s.description } : {}),
        },
      }),
    ]),
  )
  return Object.values(schema(defs))
}

const columnView = (m: Model, c: Column): ColumnView => {
  const o = c.field.options as Record<string, unknown>
  const so = c.scalar.options
  const fk =
    // a key without its constraint is, to the database, a plain column
    (c.field.kind === 'foreignKey' || c.field.kind === 'oneToOne') && c.field.options.dbConstraint !== false
      ? (() => {
          const target = m.registry[c.field.target] ?? m
          return {
            table: target.table,
            column: target.columnByKey[c.field.options.toField ?? target.pk].column,
            onDelete: c.field.options.onDelete ?? 'CASCADE',
          }
        })()
      : undefined
  const text = c.kind === 'char' || c.kind === 'enum'
  return {
    name: c.column,
    kind: c.kind,
    ...(text && so.maxLength !== undefined ? { maxLength: so.maxLength } : {}),
    ...(c.kind === 'decimal' ? { maxDigits: so.maxDigits ?? 20, decimalPlaces: so.decimalPlaces ?? 6 } : {}),
    null: c.field.nullable,
    ...(jsonDefault(o.default) !== undefined ? { default: jsonDefault(o.default)! } : {}),
    unique: !c.pk && o.unique === true,
    // a key without its constraint is indexed by the DDL on every dialect
    index: !c.pk && (o.index === true || (isFk(c) && !hasConstraint(c) && o.unique !== true)),
    pk: c.pk,
    generated:
      c.pk &&
      c.field.optional &&
      (c.kind === 'int' || c.kind === 'bigint' || c.kind === 'smallint') &&
      o.default === undefined,
    fulltext: (o as { fulltext?: boolean }).fulltext === true,
    ...(c.field.options.description !== undefined ? { comment: c.field.options.description } : {}),
    ...(fk ? { fk } : {}),
  }
}

const columnsOf = (m: Model, keys: ReadonlyArray<string>): ReadonlyArray<string> =>
  keys.map((k) => (m.columnByKey[k] ?? m.columnByKey[`${k}Id`])?.column ?? k)

/** The tables and link tables of a snapshot, as the diff compares them. */
export const viewsOf = (state: SchemaState): Views => {
  const models = modelsOf(state)
  const tables = new Map<string, TableView>()
  const throughs = new Map<string, ThroughView>()
  for (const m of models) {
    tables.set(m.table, {
      table: m.table,
      model: m,
      columns: m.columns.map((c) => columnView(m, c)),
      uniques: (m.meta.uniqueTogether ?? []).map((keys) => columnsOf(m, keys)),
      indexes: (m.meta.indexes ?? []).map((spec) => columnsOf(m, indexFields(spec))),
      indexNames: (m.meta.indexes ?? []).map(givenIndexName),
      ...(m.meta.description !== undefined ? { comment: m.meta.description } : {}),
    })
    for (const [name, f] of Object.entries(m.fields)) {
      if (f.kind !== 'manyToMany') continue
      const target = m.registry[f.target]
      if (!target) continue
      const table = throughTable(m, f, target)
      const { own, other } = throughColumns(m, f, target)
      throughs.set(table, { table, own, other, ownTable: m.table, otherTable: target.table, model: m, field: name })
    }
  }
  return { tables, throughs, models }
}
