/**
 * Filters: the `q` combinators and the resolution of Django-style keys (`author__name__icontains`)
 * into `Cond` nodes, checked against the model at run time as they are at compile time.
 */
import * as E from 'fp-ts/Either'
import { ValidationError, ValidationIssue, validationError } from '../errors'
import { Column, Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { badText, describeValue, jsonProblem } from '../model/validate'
import {
  And,
  Cond,
  DATE_PARTS,
  DatePart,
  Exists,
  FilterNode,
  LOOKUPS,
  Lookup,
  Not,
  Or,
  JsonPath,
  Param,
  Terminal,
  deepFreeze,
  freeze,
  isParam,
} from './ast'
import { isExpr, isSelectPlan } from './expr'
import { regexProblem } from './regex'
import { searchWords } from './search'
import { FilterOf } from './filter-types'
import { unknownField, unknownName } from '../model/suggest'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** An unresolved `q.and` / `q.or` / `q.not` over filter objects of model `M`. */
export interface Q<in out M> {
  readonly _tag: 'Q'
  readonly op: 'and' | 'or' | 'not'
  readonly items: ReadonlyArray<FilterArg<M>>
  /** The model the filter is for: a type only, never set. */
  readonly _M?: (m: M) => M
}

/** What `where` accepts: a filter object, a `q` combination of them, or `exists(plan)`. */
export type FilterArg<M> = FilterOf<M> | Q<M> | Terminal<boolean>

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** A named placeholder, bound when a prepared plan runs: `where({ id: param('id') })`. */
export const param = (name: string): Param => freeze({ _tag: 'Param', name })

/**
 * Logical combinations of filters, as tortoise's `Q`.
 *
 * @example
 * ```ts
 * pipe(query(Book), where(q.or({ rating__gte: 4 }, q.not({ title__startswith: 'A' }))))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE ("t0"."rating" >= ? OR NOT COALESCE("t0"."title" GLOB ?, 0))
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE ("t0"."rating" >= $1 OR NOT COALESCE("t0"."title" LIKE $2 ESCAPE '\', FALSE))
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE (`t0`.`rating` >= ? OR NOT COALESCE(`t0`.`title` LIKE ? ESCAPE '\\', 0))
 * ```
 */
export const q = {
  /** All of the filters (`{}` and `q.and()` are true). */
  and: <M>(...items: ReadonlyArray<FilterArg<M>>): Q<M> => freeze({ _tag: 'Q', op: 'and', items: freeze([...items]) }),
  /** Any of the filters (`q.or()` is false). */
  or: <M>(...items: ReadonlyArray<FilterArg<M>>): Q<M> => freeze({ _tag: 'Q', op: 'or', items: freeze([...items]) }),
  /** Not the filter: exactly the rows it does not keep. */
  not: <M>(item: FilterArg<M>): Q<M> => freeze({ _tag: 'Q', op: 'not', items: freeze([item]) }),
}

export const and = (items: ReadonlyArray<FilterNode>): FilterNode => {
  if (items.length === 1) return items[0]
  const flat: FilterNode[] = []
  for (const i of items)
    if (i._tag === 'And') flat.push(...i.items)
    else flat.push(i)
  return freeze<And>({ _tag: 'And', items: freeze(flat) })
}
export const or = (items: ReadonlyArray<FilterNode>): FilterNode =>
  items.length === 1 ? items[0] : freeze<Or>({ _tag: 'Or', items: freeze([...items]) })
export const not = (item: FilterNode): FilterNode => freeze<Not>({ _tag: 'Not', item })

// ------------------------------------------------------------------------------------------
// resolution
// ------------------------------------------------------------------------------------------

const LOOKUP_SET: ReadonlySet<string> = new Set(LOOKUPS)
const PART_SET: ReadonlySet<string> = new Set(DATE_PARTS)
const TEXT_LOOKUPS: ReadonlySet<string> = new Set([
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'iexact',
  'regex',
  'iregex',
  'search',
])
/** Text lookups a json path does not take (its values are not columns an index or a pattern engine sees). */
const PATTERN_LOOKUPS: ReadonlySet<string> = new Set(['regex', 'iregex', 'search'])
const TEXT_KINDS: ReadonlySet<string> = new Set(['char', 'text'])
const PART_KINDS: Readonly<Record<string, ReadonlySet<string>>> = {
  datetime: PART_SET,
  date: new Set(['year', 'quarter', 'month', 'week', 'day']),
  time: new Set(['hour', 'minute', 'second']),
}

const ORDERED_LOOKUPS: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte', 'range'])
const NULL_LOOKUPS: ReadonlySet<string> = new Set(['isnull', 'notIsnull'])
/** Bytes compare for equality only: no order, no text lookups. */
const BINARY_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'not', 'in', 'notIn', 'isnull', 'notIsnull'])

/**
 * The lookups of a kind, as the filter types allow them: booleans and enums have no order (an
 * enum would sort by its storage), json compares with nothing (databases normalise it
 * differently) but NULL.
 */
const lookupApplies = (kind: string, lookup: string): boolean =>
  kind === 'json'
    ? NULL_LOOKUPS.has(lookup) || JSON_LOOKUPS.has(lookup)
    : lookup === 'containedBy'
      ? false
      : kind === 'binary'
        ? BINARY_LOOKUPS.has(lookup)
        : kind === 'boolean' || kind === 'enum'
          ? !ORDERED_LOOKUPS.has(lookup)
          : true

/** The lookups of a json field besides NULL's: equality and containment, as PostgreSQL's jsonb means them. */
const JSON_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'not', 'contains', 'containedBy'])

/** Why a value does not fit a json lookup (equality checks it against the field's codec too). */
const checkJson = (col: Column, lookup: Lookup, v: unknown): string | undefined => {
  if (v === null) return lookup === 'exact' || lookup === 'not' ? undefined : `${lookup} does not take null`
  const bad = jsonProblem(v)
  if (bad) return bad
  return (lookup === 'exact' || lookup === 'not') && !col.scalar.codec.is(v)
    ? `${describeValue(v)} is not a valid json value of the field`
    : undefined
}

/** Checks one comparison value against the column's type; returns a problem or undefined. */
const checkScalar = (col: Column, v: unknown, part: DatePart | undefined): string | undefined => {
  if (v === undefined) return 'undefined is not a filter value (use null for IS NULL)'
  if (isParam(v) || isExpr(v)) return undefined
  if (part) return typeof v === 'number' && Number.isInteger(v) ? undefined : `${part} must be an integer`
  if (typeof v === 'string') {
    const bad = badText(v)
    if (bad) return bad
  }
  return col.scalar.codec.is(v) ||
    (col.kind === 'bigint' && typeof v === 'number' && Number.isSafeInteger(v)) ||
    (col.kind === 'decimal' && typeof v === 'number' && Number.isFinite(v))
    ? undefined
    : `${describeValue(typeof v === 'bigint' ? String(v) : v)} is not a valid ${col.kind}`
}

/** Why a value does not fit a lookup on a column (undefined when it does). */
export const checkValue = (col: Column, lookup: Lookup, part: DatePart | undefined, v: unknown): string | undefined => {
  if (v === undefined) return 'undefined is not a filter value (use null for IS NULL)'
  if (isParam(v) || isExpr(v))
    // a pattern or words from a column could not be checked before the database reads them, and
    // a text lookup's value is escaped (or folded) as a string before it is bound
    return isExpr(v) && TEXT_LOOKUPS.has(lookup)
      ? `${lookup} takes a string (or a param), not an expression`
      : undefined
  if (isSelectPlan(v))
    return lookup === 'in' || lookup === 'notIn' ? v.error?.message : `a query is a value only with in / notIn`
  if (col.kind === 'json' && JSON_LOOKUPS.has(lookup)) return checkJson(col, lookup, v)
  switch (lookup) {
    case 'isnull':
    case 'notIsnull':
      return typeof v === 'boolean' ? undefined : `${lookup} takes true or false`
    case 'in':
    case 'notIn':
      if (!Array.isArray(v)) return `${lookup} takes an array`
      return checkItems(col, v, part)
    case 'range':
      if (!Array.isArray(v) || v.length !== 2) return 'range takes [low, high]'
      return checkScalar(col, v[0], part) ?? checkScalar(col, v[1], part)
    case 'exact':
    case 'not':
      return v === null ? undefined : checkScalar(col, v, part)
    default:
      if (v === null) return `${lookup} does not take null`
      if (TEXT_LOOKUPS.has(lookup)) return typeof v === 'string' ? textProblem(lookup, v) : `${lookup} takes a string`
      return checkScalar(col, v, part)
  }
}

/** Why a string does not fit a text lookup: bad text, a pattern outside the portable subset, a search of no word. */
const textProblem = (lookup: Lookup, v: string): string | undefined => {
  const bad = badText(v)
  if (bad !== undefined) return bad
  if (lookup === 'regex' || lookup === 'iregex') {
    const problem = regexProblem(v)
    return problem === undefined ? undefined : `${lookup}: ${problem}`
  }
  return lookup === 'search' && searchWords(v).length === 0 ? 'search takes at least one word' : undefined
}

/** The first problem of a list's items (a loop, not a closure: one in `checkValue` would cost every call its captured variables). */
const checkItems = (col: Column, items: ReadonlyArray<unknown>, part: DatePart | undefined): string | undefined => {
  for (let i = 0; i < items.length; i++) {
    const problem = checkScalar(col, items[i], part)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** A relation given as a row compares its key: `{ author: row }` is `{ authorId: row.id }`. */
const relationKey = (key: string, v: unknown): unknown =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !isParam(v)
    ? (v as Record<string, unknown>)[key]
    : v

/** The plan's own copy of a filter value: arrays and dates copied, so later changes to the user's do not leak in. */
const own = (v: unknown): unknown =>
  Array.isArray(v) ? freeze(ownItems(v)) : v instanceof Date ? new Date(v.getTime()) : v

/** A list's items copied: with one slice where none is an object (a long list of ids or names). */
const ownItems = (v: ReadonlyArray<unknown>): unknown[] => {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]
    if (typeof x === 'object' && x !== null) return v.map(own)
  }
  return v.slice()
}

/** A condition on an annotation: `n__gte: 2` after `annotate({ n: Count('books') })`. */
const annotationKey = (key: string, segments: ReadonlyArray<string>, value: unknown): Cond | ValidationIssue => {
  const lookup = (segments[1] ?? 'exact') as Lookup
  if (segments.length > 2 || !LOOKUP_SET.has(lookup))
    return { field: key, message: `unknown lookup ${segments.slice(1).join('__')}` }
  if (PATTERN_LOOKUPS.has(lookup)) return { field: key, message: `${lookup} applies to text fields, not annotations` }
  if (value === undefined) return { field: key, message: 'undefined is not a filter value (use null for IS NULL)' }
  const bad = typeof value === 'string' ? badText(value) : undefined
  if (bad) return { field: key, message: bad }
  return freeze<Cond>({ _tag: 'Cond', path: freeze([]), key: segments[0], lookup, value: own(value), annotation: true })
}

const NO_ANNOTATIONS: ReadonlySet<string> = new Set()

/** What a key names, whatever its value: a column reached through relations, with a lookup. */
interface Target {
  readonly path: ReadonlyArray<string>
  readonly col: Column
  readonly part?: DatePart
  readonly lookup: Lookup
  /** Steps into a json column (`data__tags__0`). */
  readonly steps?: ReadonlyArray<string | number>
}

/** Lookups after a path into a json document: the scalar ones, every lookup but a document's containment. */
const JSON_PATH_LOOKUPS: ReadonlySet<string> = new Set(
  LOOKUPS.filter((l) => l !== 'containedBy' && !PATTERN_LOOKUPS.has(l)),
)

/** `data__author__name__icontains` past the json column: its steps (digits index arrays) and lookup. */
const jsonTarget = (
  path: ReadonlyArray<string>,
  col: Column,
  rest: ReadonlyArray<string>,
): Target | { readonly issue: string } => {
  const last = rest[rest.length - 1]
  const lookup = rest.length > 1 && JSON_PATH_LOOKUPS.has(last) ? (last as Lookup) : 'exact'
  const keys = lookup === 'exact' && last !== 'exact' ? rest : rest.slice(0, -1)
  const bad = keys.find((k) => k === '' || /["\\]/.test(k))
  if (bad !== undefined) return { issue: `a key of a json path is empty or holds " or \\ (${keys.join('__')})` }
  const steps = freeze(keys.map((k) => (/^(0|[1-9]\d{0,8})$/.test(k) ? Number(k) : k)))
  return { path: freeze([...path]), col, lookup, steps }
}

/** The JSON type a path's value is compared as, from the lookup and the value. */
const jsonAs = (lookup: Lookup, value: unknown): JsonPath['as'] => {
  if (lookup === 'isnull' || lookup === 'notIsnull') return 'any'
  if (TEXT_LOOKUPS.has(lookup)) return 'text'
  const v: unknown = Array.isArray(value) ? value[0] : value
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'text'
}

/** Why a value does not fit a lookup at a json path. */
const checkJsonPath = (lookup: Lookup, v: unknown): string | undefined => {
  if (v === undefined) return 'undefined is not a filter value (use null for IS NULL)'
  if (isParam(v)) return undefined
  if (lookup === 'isnull' || lookup === 'notIsnull')
    return typeof v === 'boolean' ? undefined : `${lookup} takes true or false`
  const items: ReadonlyArray<unknown> =
    lookup === 'in' || lookup === 'notIn' || lookup === 'range' ? (Array.isArray(v) ? v : [undefined]) : [v]
  if (lookup === 'range' && items.length !== 2) return 'range takes [low, high]'
  const kinds = new Set(items.map((x) => typeof x))
  if (kinds.size > 1) return 'the values at a json path are of one type'
  for (const x of items) {
    if (x === null && (lookup === 'exact' || lookup === 'not')) continue
    if (TEXT_LOOKUPS.has(lookup) ? typeof x !== 'string' : !['string', 'number', 'boolean'].includes(typeof x))
      return `${describeValue(x)} is not a value to compare inside a json document`
    if (typeof x === 'string' && badText(x)) return badText(x)
    if (typeof x === 'number' && !Number.isFinite(x)) return `${x} is not a JSON number`
    if (typeof x === 'boolean' && ORDERED_LOOKUPS.has(lookup)) return 'booleans have no order'
  }
  return undefined
}

/**
 * A key that compares a foreign key through its relation (`author: row`, `author__in: [...]`):
 * the foreign key column of `model` (reached by `path`), compared with the referenced field
 * (`to`) of the values.
 */
interface ViaRelation {
  readonly path: ReadonlyArray<string>
  readonly model: Model
  readonly to: string
  readonly lookup: Lookup
  /** What the foreign key column's own key is, with the lookup (`authorId__in`). */
  readonly key: string
}

/**
 * A key that tests a to-many (or reverse one-to-one) relation by the existence of related rows
 * (`books__isnull`, `books: row`, `books__in`, `books__not`): compiled to EXISTS / NOT EXISTS
 * on the related rows' key, so a parent row is never repeated.
 */
interface ByExistence {
  readonly path: ReadonlyArray<string>
  readonly target: Model
  readonly lookup: 'exact' | 'not' | 'in' | 'isnull' | 'notIsnull'
}

const EXISTENCE_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'not', 'in', 'isnull', 'notIsnull'])

/** What a key names on a model: a target, a problem, or a relation compared by key or by existence. */
const targetOf = (
  model: Model,
  key: string,
): Target | { readonly issue: string } | { readonly via: ViaRelation } | { readonly exists: ByExistence } => {
  const segments = key.split('__')
  const path: string[] = []
  let current = model
  let i = 0
  for (; i < segments.length; i++) {
    const seg = segments[i]
    if (current.columnByKey[seg]) break
    const rel = resolveRelation(current, seg)
    if (!rel) return { issue: unknownField(current, seg || key) }
    const rest = segments.slice(i + 1)
    if (rel.column && (rest.length === 0 || (rest.length === 1 && LOOKUP_SET.has(rest[0])))) {
      // The referenced field: the target's key, or the foreign key's `toField`.
      const to = rel.target.columns.find((c) => c.column === rel.hops[0].to)?.key ?? rel.target.pk
      const lookup = (rest[0] ?? 'exact') as Lookup
      return { via: { path: freeze(path), model: current, to, lookup, key: [rel.column.key, ...rest].join('__') } }
    }
    if (!rel.column && (rest.length === 0 || (rest.length === 1 && LOOKUP_SET.has(rest[0])))) {
      const lookup = rest[0] ?? 'exact'
      if (!EXISTENCE_LOOKUPS.has(lookup))
        return { issue: `${seg} is a relation to many rows: compare it with exact, not, in or isnull, not ${lookup}` }
      return { exists: { path: freeze([...path, seg]), target: rel.target, lookup: lookup as ByExistence['lookup'] } }
    }
    path.push(seg)
    current = rel.target
  }
  if (i >= segments.length) return { issue: 'a relation needs a field to compare, e.g. author__name' }
  const col = current.columnByKey[segments[i]]
  const next = segments[i + 1]
  if (col.kind === 'json' && next !== undefined && !(segments.length === i + 2 && LOOKUP_SET.has(next)))
    return jsonTarget(path, col, segments.slice(i + 1))
  let part: DatePart | undefined
  let lookup: Lookup = 'exact'
  let j = i + 1
  if (j < segments.length && PART_SET.has(segments[j])) {
    if (!PART_KINDS[col.kind]?.has(segments[j]))
      return { issue: `${segments[j]} does not apply to a ${col.kind} field` }
    part = segments[j] as DatePart
    j++
  }
  if (j < segments.length) {
    if (!LOOKUP_SET.has(segments[j])) return { issue: unknownName('lookup', segments[j], [...LOOKUP_SET, ...PART_SET]) }
    lookup = segments[j] as Lookup
    j++
  }
  if (j < segments.length) return { issue: `unexpected ${segments.slice(j).join('__')}` }
  if (TEXT_LOOKUPS.has(lookup) && !TEXT_KINDS.has(col.kind) && !(col.kind === 'json' && lookup === 'contains'))
    return { issue: `${lookup} applies to text fields, not ${col.kind}` }
  if (lookup === 'search' && (col.field.options as { fulltext?: boolean }).fulltext !== true)
    return { issue: `search applies to a field declared fulltext: true (${col.key} is not)` }
  return { path: freeze(path), col, part, lookup }
}

/** Per model, what its keys name (a program filters on few keys, over and over). */
const targets = new WeakMap<Model, Map<string, ReturnType<typeof targetOf>>>()
const MAX_TARGETS = 1000

const cachedTargetOf = (model: Model, key: string): ReturnType<typeof targetOf> => {
  let byKey = targets.get(model)
  if (!byKey) targets.set(model, (byKey = new Map<string, ReturnType<typeof targetOf>>()))
  let t = byKey.get(key)
  if (t === undefined) {
    t = targetOf(model, key)
    if (byKey.size < MAX_TARGETS) byKey.set(key, t)
  }
  return t
}

/** Whether a key resolved to a filter node (or to a problem). */
const isCond = (r: FilterNode | ValidationIssue): r is FilterNode => (r as FilterNode)._tag !== undefined

/**
 * Resolves one `key: value` entry to a condition, walking relations hop by hop, or to its
 * problem (a union, not an `Either`: every filter key of every ad hoc plan comes through here).
 */
const resolveKey = (
  model: Model,
  key: string,
  value: unknown,
  annotations: ReadonlySet<string>,
): FilterNode | ValidationIssue => {
  if (annotations.size > 0) {
    const segments = key.split('__')
    if (annotations.has(segments[0]) && !model.columnByKey[segments[0]]) return annotationKey(key, segments, value)
  }
  const t = cachedTargetOf(model, key)
  if ('via' in t) return byRelation(t.via, value)
  if ('exists' in t) return byExistence(t.exists, key, value)
  if ('issue' in t) return { field: key, message: t.issue }
  const { col, lookup, part } = t
  if (t.steps) {
    const problem = checkJsonPath(lookup, value)
    if (problem) return { field: key, message: problem }
    const json = freeze({ steps: t.steps, as: jsonAs(lookup, value) })
    return freeze<Cond>({ _tag: 'Cond', path: t.path, key: col.key, lookup, value: own(value), json })
  }
  if (!part && !lookupApplies(col.kind, lookup) && !(value === null && (lookup === 'exact' || lookup === 'not')))
    return { field: key, message: `${lookup} does not apply to a ${col.kind} field` }
  const problem = checkValue(col, lookup, part, value)
  if (problem) return { field: key, message: problem }
  // a JSON document is the plan's own deep-frozen copy (it was checked to be plain JSON)
  const v =
    col.kind === 'json' && typeof value === 'object' && value !== null && !isParam(value) && !isExpr(value)
      ? deepFreeze(JSON.parse(JSON.stringify(value)) as object)
      : own(value)
  return freeze<Cond>({ _tag: 'Cond', path: t.path, key: col.key, part, lookup, value: v })
}

/** `author: row` or `author__in: [...]` compare the foreign key column itself, with the referenced field of the values. */
const byRelation = (via: ViaRelation, value: unknown): FilterNode | ValidationIssue => {
  const v = Array.isArray(value) ? value.map((x) => relationKey(via.to, x)) : relationKey(via.to, value)
  const c = resolveKey(via.model, via.key, v, NO_ANNOTATIONS)
  if (!isCond(c) || c._tag !== 'Cond') return c
  return freeze<Cond>({ ...c, path: freeze([...via.path, ...c.path]), lookup: via.lookup })
}

/** A related row given as itself (not a key, a placeholder, an expression or a query) compares its key. */
const rowKey = (pk: string, v: unknown): unknown => (isExpr(v) || isSelectPlan(v) ? v : relationKey(pk, v))

/**
 * `books__isnull: true` is NOT EXISTS a related row; `books: x` EXISTS one whose key is x (or
 * x's key); `books__in: [...]` EXISTS one among them; `books__not: x` NOT EXISTS one whose key is
 * x. A null value means no related row (`books: null`) or some (`books__not: null`).
 */
const byExistence = (e: ByExistence, key: string, value: unknown): FilterNode | ValidationIssue => {
  const pk = e.target.columnByKey[e.target.pk]
  const some = freeze<Cond>({ _tag: 'Cond', path: e.path, key: pk.key, lookup: 'isnull', value: false })
  if (e.lookup === 'isnull' || e.lookup === 'notIsnull') {
    if (typeof value !== 'boolean') return { field: key, message: `${e.lookup} takes true or false` }
    return value === (e.lookup === 'isnull') ? not(some) : some
  }
  if (value === null && e.lookup !== 'in') return e.lookup === 'exact' ? not(some) : some
  const v = Array.isArray(value) ? value.map((x) => rowKey(pk.key, x)) : rowKey(pk.key, value)
  const lookup = e.lookup === 'in' ? 'in' : 'exact'
  const problem = checkValue(pk, lookup, undefined, v)
  if (problem) return { field: key, message: problem }
  const c = freeze<Cond>({ _tag: 'Cond', path: e.path, key: pk.key, lookup, value: own(v) })
  return e.lookup === 'not' ? not(c) : c
}

const isQ = (u: unknown): u is Q<unknown> => typeof u === 'object' && u !== null && (u as Q<unknown>)._tag === 'Q'

const isExists = (u: unknown): u is Terminal<boolean> =>
  typeof u === 'object' &&
  u !== null &&
  (u as Terminal<unknown>)._tag === 'Terminal' &&
  (u as Terminal<unknown>).kind === 'exists'

/**
 * Resolves a filter argument against a model: every key checked, every problem reported.
 * `annotations` names the plan's annotations, which filters may compare too.
 */
export const resolveFilter = (
  model: Model,
  input: unknown,
  annotations: ReadonlySet<string> = NO_ANNOTATIONS,
): E.Either<ValidationError, FilterNode> => {
  const r = filterNodeOf(model, input, annotations)
  return r._tag === 'ValidationError' ? E.left(r) : E.right(r)
}

/** `resolveFilter` as a union (a filter node, or the problems), which `where` takes without an `Either` per call. */
export const filterNodeOf = (
  model: Model,
  input: unknown,
  annotations: ReadonlySet<string>,
): FilterNode | ValidationError => {
  // The common case first: a filter object of one key, resolved without the general walk.
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && !isQ(input) && !isExists(input)) {
    let only: string | undefined
    let n = 0
    for (const k in input) if (Object.prototype.hasOwnProperty.call(input, k) && n++ === 0) only = k
    if (n === 1) {
      const r = resolveKey(model, only!, (input as Record<string, unknown>)[only!], annotations)
      return isCond(r) ? r : validationError([r], model.name)
    }
  }
  return resolveWalk(model, input, annotations)
}

/**
 * Whether a resolved filter is true or false of every row whatever its data (undefined when it
 * depends on the data): an empty conjunction (`{}`, `q.and()`) is true, an empty disjunction
 * (`q.or()`) false, and `q.not` swaps them.
 */
export const truth = (node: FilterNode): boolean | undefined => {
  switch (node._tag) {
    case 'And':
    case 'Or': {
      // `and` is true unless an item is false; `or` is false unless an item is true.
      const unit = node._tag === 'And'
      let known = true
      for (let i = 0; i < node.items.length; i++) {
        const t = truth(node.items[i])
        if (t === !unit) return !unit
        if (t === undefined) known = false
      }
      return known ? unit : undefined
    }
    case 'Not': {
      const t = truth(node.item)
      return t === undefined ? undefined : !t
    }
    default:
      return undefined
  }
}

/** The general walk of `resolveFilter` (apart, so that its closure costs the one-key case nothing). */
const resolveWalk = (model: Model, input: unknown, annotations: ReadonlySet<string>): FilterNode | ValidationError => {
  const issues: ValidationIssue[] = []
  const go = (arg: unknown): FilterNode => {
    if (isExists(arg)) {
      if (arg.source.error) issues.push({ field: 'exists', message: arg.source.error.message })
      return freeze<Exists>({ _tag: 'Exists', plan: arg.source })
    }
    if (isQ(arg)) {
      if (arg.op !== 'or') {
        const items = arg.items.map(go)
        return arg.op === 'not' ? not(items[0]) : and(items)
      }
      const items: FilterNode[] = []
      for (let i = 0; i < arg.items.length; i++) {
        const before = issues.length
        const node = go(arg.items[i])
        // A member that is true of every row would make the whole `or` so: a filter built from an
        // empty list or request body, and a `remove` of every row. A member with problems of its
        // own is reported by them alone.
        if (issues.length === before && truth(node) === true)
          issues.push({ field: 'q.or', message: `member ${i + 1} is empty (an empty filter matches every row)` })
        items.push(node)
      }
      return or(items)
    }
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) {
      issues.push({ field: '', message: 'a filter is an object of field lookups or a q combination' })
      return and([])
    }
    const conds: FilterNode[] = []
    for (const k of Object.keys(arg)) {
      const r = resolveKey(model, k, (arg as Record<string, unknown>)[k], annotations)
      if (isCond(r)) conds.push(r)
      else issues.push(r)
    }
    return and(conds)
  }
  const node = go(input)
  return issues.length > 0 ? validationError(issues, model.name) : node
}
