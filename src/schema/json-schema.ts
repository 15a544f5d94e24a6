/**
 * JSON Schema from models, as tortoise's `pydantic_model_creator`: the shape of a row as JSON
 * (`read`), of the body `create` takes (`create`) and of a patch (`update`). Web frameworks use
 * them to validate requests and to serialize responses (Fastify: ajv and fast-json-stringify),
 * and OpenAPI generators read them as they are.
 *
 * Values JSON cannot carry are strings: a `bigint` as its decimal digits, a `decimal` as it is
 * read back, a `datetime` as an ISO 8601 string (`date-time`). `fromJson` turns such a body back
 * into the values `create` and `update` take.
 */
import { INT_RANGE, parseUtc } from '../model/codecs'
import { Column, Model, AnyModel } from '../model/model'
import { resolveRelation } from '../model/relations'
import { InsertOf, PatchOf } from '../model/types'
import { RelationNames, RelationPath } from '../model/relation-types'
import { KeyOf } from '../plan/filter-types'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A JSON Schema (draft 7, with OpenAPI's `nullable`), as a plain object. */
export interface JsonSchema {
  readonly [keyword: string]: unknown
}

/** What a schema describes: a row as read, the body of a create, the body of a partial update. */
export type JsonSchemaMode = 'read' | 'create' | 'update'

interface CommonOptions<M> {
  /** Only these row keys (`authorId` for a foreign key `author`). */
  readonly include?: ReadonlyArray<KeyOf<M>>
  /** Every row key but these. */
  readonly exclude?: ReadonlyArray<KeyOf<M>>
  /** The schema's `title` (default: the model's name). */
  readonly title?: string
}

/** Options of {@link jsonSchema}: prefetched relations are part of what is read only. */
export type JsonSchemaOptions<M, P extends string = never> =
  | (CommonOptions<M> & {
      readonly mode: 'read'
      /** Relations prefetched with the row (`prefetch('books__tags')`), as nested objects or arrays. */
      readonly relations?: ReadonlyArray<P & RelationPath<M, P>>
    })
  | (CommonOptions<M> & { readonly mode: 'create' | 'update' })

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** `^-?\d+$` held to [lo, hi] by digits: the strings a 64-bit integer column takes. */
const upTo = (bound: string): string => {
  // every number with fewer digits, then each digit of the bound in turn with a smaller one before it
  const shorter = bound.length > 1 ? [`\\d{1,${bound.length - 1}}`] : []
  const same = [...bound].flatMap((d, i) =>
    d === '0'
      ? []
      : [`${bound.slice(0, i)}[0-${Number(d) - 1}]${i < bound.length - 1 ? `\\d{${bound.length - 1 - i}}` : ''}`],
  )
  return [...shorter, ...same, bound].join('|')
}

const [MIN64, MAX64] = INT_RANGE.bigint

/** A decimal string of a signed 64-bit integer (leading zeros allowed, as `create` takes them). */
export const INT64_PATTERN = `^(0*(${upTo(MAX64.toString())})|-0*(${upTo((-MIN64).toString())}))$`

/** `HH:MM:SS[.mmm]`, a time as terrapin stores it (JSON Schema's `time` format asks for a zone offset). */
const TIME_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,3})?$'

/**
 * What `datetime` reads: years 1–9999 once in UTC (so no offset that would carry the first or the
 * last day past them), seconds 0–59, up to nine decimals, `T` and `Z` (the `date-time` format
 * alone allows year 0, leap seconds and lower case, which no database stores or terrapin reads).
 */
const DATETIME_PATTERN =
  '^(?!0000)(?!0001-01-01T.*\\+)(?!9999-12-31T.*-\\d\\d:)\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$'

/** A UUID as `create` takes it (the `uuid` format alone allows a `urn:uuid:` prefix). */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

/** Year 1 onwards (the `date` format alone allows year 0). */
const DATE_PATTERN = '^(?!0000)\\d{4}-\\d{2}-\\d{2}$'

/** Text every database stores: no NUL, no lone surrogate (the pattern is matched by code point). */
const TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$'

/** Digits before and after the point that a decimal column holds. */
const decimalPattern = (col: Column): string => {
  const { maxDigits = 20, decimalPlaces = 6 } = col.scalar.options
  const whole = maxDigits - decimalPlaces
  const int = whole > 0 ? `0*(0|[1-9]\\d{0,${whole - 1}})` : '0+'
  return `^-?${int}${decimalPlaces > 0 ? `(\\.\\d{1,${decimalPlaces}})?` : ''}$`
}

/** The schema of one scalar value of a column, without nullability. */
const valueSchema = (col: Column, writing: boolean): Record<string, unknown> => {
  const o = col.scalar.options
  const text = writing ? { pattern: TEXT_PATTERN } : {}
  switch (col.kind) {
    case 'int':
    case 'smallint':
      return { type: 'integer', minimum: Number(INT_RANGE[col.kind][0]), maximum: Number(INT_RANGE[col.kind][1]) }
    case 'bigint':
      return { type: 'string', pattern: INT64_PATTERN, ...(o.unit !== undefined ? { description: o.unit } : {}) }
    case 'float':
      return { type: 'number' }
    case 'decimal':
      return { type: 'string', pattern: decimalPattern(col) }
    case 'char':
      return { type: 'string', ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}), ...text }
    case 'text':
      return { type: 'string', ...text }
    case 'boolean':
      return { type: 'boolean' }
    case 'datetime':
      return { type: 'string', format: 'date-time', ...(writing ? { pattern: DATETIME_PATTERN } : {}) }
    case 'date':
      return { type: 'string', format: 'date', pattern: DATE_PATTERN }
    case 'time':
      return { type: 'string', pattern: TIME_PATTERN }
    case 'uuid':
      return { type: 'string', format: 'uuid', pattern: UUID_PATTERN }
    case 'json':
      return {}
    case 'binary':
      return { type: 'string', contentEncoding: 'base64' }
    case 'enum': {
      const values = o.values ?? []
      return { type: typeof values[0] === 'number' ? 'integer' : 'string', enum: [...values] }
    }
  }
}

/** A column's schema: its value's, `nullable` (and `null` among an enum's values) when it may be null. */
const columnSchema = (col: Column, writing: boolean): Record<string, unknown> => {
  const s = valueSchema(col, writing)
  const description = col.field.options.description
  const nullable = col.field.nullable && col.kind !== 'json'
  return {
    ...s,
    ...(nullable ? { nullable: true } : {}),
    ...(nullable && Array.isArray(s.enum) ? { enum: [...(s.enum as unknown[]), null] } : {}),
    ...(description !== undefined ? { description } : {}),
  }
}

/** Whether a body may set the column: not a generated key, not a timestamp terrapin sets itself. */
const writable = (col: Column, mode: JsonSchemaMode): boolean => {
  const o = col.scalar === col.field ? col.scalar.options : undefined
  if (o?.generated || o?.autoNow || o?.autoNowAdd) return false
  return mode !== 'update' || !col.pk
}

const pickColumns = (m: Model, mode: JsonSchemaMode, options: CommonOptions<unknown>): ReadonlyArray<Column> => {
  const include = options.include && new Set<string>(options.include)
  const exclude = new Set<string>(options.exclude ?? [])
  for (const k of [...(include ?? []), ...exclude])
    if (!m.columnByKey[k]) throw new TypeError(`jsonSchema(${m.name}): ${m.name} has no field ${k}`)
  return m.columns.filter(
    (c) => (!include || include.has(c.key)) && !exclude.has(c.key) && (mode === 'read' || writable(c, mode)),
  )
}

/** The read schema of `m` with the relations of `paths` (already split at their first hop) nested. */
const readSchema = (m: Model, columns: ReadonlyArray<Column>, paths: ReadonlyArray<string>, title: string) => {
  const properties: Record<string, unknown> = Object.fromEntries(columns.map((c) => [c.key, columnSchema(c, false)]))
  const byHead = new Map<string, string[]>()
  for (const p of paths) {
    const [head, ...rest] = p.split('__')
    byHead.set(head, [...(byHead.get(head) ?? []), ...(rest.length ? [rest.join('__')] : [])])
  }
  for (const [head, rest] of byHead) {
    const rel = resolveRelation(m, head)
    if (!rel) throw new TypeError(`jsonSchema(${m.name}): ${m.name} has no relation ${head}`)
    const nested = readSchema(rel.target, rel.target.columns, rest, rel.target.name)
    properties[head] = rel.many
      ? { type: 'array', items: nested }
      : rel.nullable
        ? { ...nested, nullable: true }
        : nested
  }
  return { title, type: 'object', properties, required: Object.keys(properties) }
}

/**
 * The JSON Schema of a model's rows (`read`), of `create`'s body (`create`: no generated key, no
 * `autoNow`/`autoNowAdd` timestamp; required are the fields without a default that may not be
 * null) or of `update`'s (`update`: the same fields but the key, none required). Write schemas
 * allow no other property. Read schemas nest the `relations` a plan prefetches.
 *
 * Kinds: `int`/`smallint` integers within their range; `bigint` a string of digits within 64
 * bits; `decimal` a string with at most the column's digits; `char` with `maxLength`; `datetime`
 * `format: 'date-time'`, `date` `'date'`, `uuid` `'uuid'`, `time` a pattern (`HH:MM:SS[.mmm]`);
 * `enum` its values; `json` any value; `binary` a base64 string (`contentEncoding: 'base64'`);
 * a `timedelta` the bigint string described as `microseconds`; a nullable field `nullable: true`.
 *
 * @example
 * jsonSchema(Book, { mode: 'create' })
 * // { title: 'Book', type: 'object', additionalProperties: false, required: ['title', 'authorId'],
 * //   properties: { title: { type: 'string', maxLength: 100, … }, rating: { type: 'number', nullable: true }, authorId: { type: 'integer', … } } }
 * jsonSchema(Author, { mode: 'read', relations: ['books'] })   // … books: { type: 'array', items: { … } }
 */
export const jsonSchema = <
  M extends AnyModel,
  const P extends RelationNames<M> | `${RelationNames<M>}__${string}` = never,
>(
  model: M,
  options: JsonSchemaOptions<M, P>,
): JsonSchema => {
  const m = model as Model
  const title = options.title ?? m.name
  const columns = pickColumns(m, options.mode, options as CommonOptions<unknown>)
  if (options.mode === 'read') return readSchema(m, columns, options.relations ?? [], title)
  const properties = Object.fromEntries(columns.map((c) => [c.key, columnSchema(c, true)]))
  const required = options.mode === 'create' ? columns.filter((c) => !c.field.optional).map((c) => c.key) : []
  return { title, type: 'object', properties, required, additionalProperties: false }
}

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

/** What `create` takes for a JSON value of the column: a `Date`, a `bigint`, or the value itself. */
const fromJsonValue = (col: Column | undefined, v: unknown): unknown => {
  if (typeof v !== 'string' || !col) return v
  if (col.kind === 'datetime') {
    const d = parseUtc(v)
    return d && !Number.isNaN(d.getTime()) ? d : v
  }
  if (col.kind === 'bigint' && /^-?\d+$/.test(v)) return BigInt(v)
  if (col.kind === 'binary' && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) return Buffer.from(v, 'base64')
  return v
}

/**
 * A JSON body (valid against `jsonSchema(model, { mode })`) as the values `create` (or `update`)
 * takes: ISO strings of `datetime` fields become `Date`s, digit strings of `bigint` fields
 * `bigint`s and base64 strings of `binary` fields `Buffer`s; every other value is kept. Anything the schema would not have let through is left
 * as it is, for `create` to refuse with a `ValidationError`. The type is the schema's promise:
 * `create` and `update` check every value again.
 *
 * @example
 * create(Book, fromJson(Book, { title: 'Dune', authorId: 1, publishedAt: '1965-08-01T00:00:00.000Z' }))
 */
export function fromJson<M extends AnyModel>(model: M, body: unknown, mode?: 'create'): InsertOf<M>
export function fromJson<M extends AnyModel>(model: M, body: unknown, mode: 'update'): PatchOf<M>
export function fromJson(model: AnyModel, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body
  const m = model as Model
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fromJsonValue(m.columnByKey[k], v)]))
}
