/**
 * Read combinators: data-last functions from plan to plan, composed with `pipe`. None mutates
 * its input; each returns a new frozen plan. Invalid input (an unknown field in untyped code, a
 * negative limit) does not throw: the plan carries a `ValidationError` that `run` returns.
 */
import { TerrapinError, ValidationError, invalid } from '../errors'
import { Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { RowOf } from '../model/types'
import {
  Annotation,
  FilterNode,
  OrderItem,
  PrefetchItem,
  Projection,
  Select,
  Terminal,
  deepFreeze,
  freeze,
} from './ast'
import { AnnotationFilter, AnnotationKeys, CheckFilterExprs } from './expr-types'
import { Q, and, filterNodeOf, not } from './filter'
import { HINT, OWNER, ShapeNode, filterStep, hintOf, hinted, namesStep, rootOf, step } from './hint'
import { CheckFilter, FilterOf, KeyOf, OrderKey, PathKeyValue, RelationKey, ValidKey, ValidOrder } from './filter-types'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A read plan over model `M` producing rows of type `R`. */
export interface Query<M, R> extends Select<ReadonlyArray<R>> {
  /** Phantom, invariant in `M`. */
  readonly _M?: (m: M) => M
}

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

const ROWS: Projection = freeze({ _tag: 'Rows' })
const EMPTY: ReadonlyArray<never> = freeze([])

/** The plan of all rows, one per model (plans are values: every `query(M)` is the same one). */
const queries = new WeakMap<Model, Select<unknown>>()

/**
 * All rows of a model.
 *
 * @example
 * pipe(query(Book), run(db)) // SELECT "id", "title", … FROM "book"
 */
export const query = <M extends Model>(model: M): Query<M, RowOf<M>> => {
  let q = queries.get(model)
  if (!q)
    queries.set(
      model,
      (q = hinted<Select<unknown>>(
        {
          _tag: 'Select',
          model,
          order: EMPTY,
          distinct: false,
          projection: ROWS,
          prefetch: EMPTY,
          [HINT]: undefined,
          [OWNER]: undefined,
        },
        step(rootOf(model), 's'),
      )),
    )
  return q as Query<M, RowOf<M>>
}

// ------------------------------------------------------------------------------------------
// combinators
// ------------------------------------------------------------------------------------------

/** Every field of a select, optional ones included: adding a field to `Select` makes `next` fail to compile until it copies it. */
type SelectFields = { [K in Exclude<keyof Required<Select<unknown>>, '_A'>]: Select<unknown>[K] }

/**
 * A select like `p` with a new filter, order, limit, offset or prefetch list, and its shape hint.
 * Every field is written out: copying a frozen plan with a spread costs more than building it.
 */
export const next = <P extends Select<unknown>>(
  p: P,
  where: FilterNode | undefined,
  order: ReadonlyArray<OrderItem>,
  limit: number | undefined,
  offset: number | undefined,
  hint: ShapeNode | undefined,
  prefetch: ReadonlyArray<PrefetchItem> = p.prefetch,
): P =>
  hinted<SelectFields>(
    {
      _tag: 'Select',
      model: p.model,
      where,
      order,
      limit,
      offset,
      distinct: p.distinct,
      projection: p.projection,
      prefetch,
      annotations: p.annotations,
      groupBy: p.groupBy,
      lock: p.lock,
      related: p.related,
      error: p.error,
      [HINT]: undefined,
      [OWNER]: undefined,
    },
    hint,
  ) as unknown as P

const withError = <P extends Select<unknown>>(plan: P, error: TerrapinError): P =>
  plan.error ? plan : freeze({ ...plan, error: deepFreeze(error) })

/** The names of a plan's annotations, which filters, orderings and `values` may name. */
const NO_NAMES: ReadonlySet<string> = new Set()

export const annotationNames = (plan: Select<unknown>): ReadonlySet<string> => {
  const list = plan.annotations
  if (!list || list.length === 0) return NO_NAMES
  // once per annotations list: a frozen part of the plan, shared by the plans built from it
  let names = namesOf.get(list)
  if (!names) namesOf.set(list, (names = new Set(list.map((a) => a.name))))
  return names
}

const namesOf = new WeakMap<ReadonlyArray<Annotation>, ReadonlySet<string>>()

const addFilter = <P extends Select<unknown>>(plan: P, node: FilterNode | ValidationError, negate: boolean): P => {
  if (node._tag === 'ValidationError') return withError(plan, node)
  const cond = negate ? not(node) : node
  const hint = hintOf(plan)
  return next(
    plan,
    plan.where ? and([plan.where, cond]) : cond,
    plan.order,
    plan.limit,
    plan.offset,
    hint && filterStep(hint, node, negate),
  )
}

/**
 * `where`/`exclude`: a `q` combination (checked when built), or a filter object whose relation
 * keys are checked one by one as written. Two signatures, because a generic filter parameter
 * would hide the model from `q.or(…)`'s own inference.
 */
export interface FilterCombinator {
  <M, R>(filter: Q<M>): (plan: Query<M, R>) => Query<M, R>
  /** `where(exists(pipe(query(Book), where({ authorId: OuterRef('id') }))))`: a correlated EXISTS. */
  <M, R>(filter: Terminal<boolean>): (plan: Query<M, R>) => Query<M, R>
  /** Keys may also name the plan's annotations (`n__gte: 2`): conditions on aggregates go to HAVING. */
  <M, R, const F extends FilterOf<M> & AnnotationFilter<M, R>>(
    filter: F & CheckFilter<M, Omit<F, keyof AnnotationFilter<M, R>>> & CheckFilterExprs<M, R, F>,
  ): (plan: Query<M, R>) => Query<M, R>
}

/**
 * Keeps the rows matching a filter; successive calls are ANDed. Keys may walk relations
 * (`author__name`, `books__title__contains` through a reverse relation, `tags__name`): such a
 * condition is an `EXISTS`, so a parent matching through several related rows appears once.
 *
 * @example
 * pipe(query(Book), where({ title__contains: 'x', rating__gte: 4 }))
 * // PostgreSQL: WHERE (strpos("t0"."title", $1) > 0 AND "t0"."rating" >= $2) — ['x', 4]
 */
export const where: FilterCombinator =
  (filter: unknown) =>
  <P extends Select<unknown>>(plan: P): P =>
    addFilter(plan, filterNodeOf(plan.model, filter, annotationNames(plan)), false)

/** Alias of {@link where}, tortoise's name. */
export const filter = where

/**
 * Drops the rows matching a filter: the exact complement of `where` (rows where the condition
 * is NULL are kept).
 *
 * @example
 * pipe(query(Book), exclude({ rating: 5 })) // WHERE NOT COALESCE("rating" = ?, 0)
 */
export const exclude: FilterCombinator =
  (filter: unknown) =>
  <P extends Select<unknown>>(plan: P): P =>
    addFilter(plan, filterNodeOf(plan.model, filter, annotationNames(plan)), true)

/** Whether a parsed ordering is a problem rather than an item. */
export const isProblem = (x: OrderItem | TerrapinError): x is TerrapinError => (x as TerrapinError)._tag !== undefined

/**
 * Parses `'-author__name'` into an order item, walking relations, or into its problem (a union,
 * not an `Either`: every key of every `orderBy`, `groupBy` and `values` comes through here).
 */
export const parseOrder = (
  model: Model,
  spec: string,
  annotations?: ReadonlySet<string>,
): OrderItem | TerrapinError => {
  const desc = spec.startsWith('-')
  if (annotations !== undefined && annotations.size > 0) {
    const name = desc ? spec.slice(1) : spec
    if (annotations.has(name) && !model.columnByKey[name])
      return freeze({ path: freeze([]), key: name, desc, annotation: true })
  }
  // A field's ordering is a frozen value: parsed once per model and spelling, shared by every plan.
  let known = orders.get(model)
  if (!known) orders.set(model, (known = new Map<string, OrderItem>()))
  let item = known.get(spec)
  if (item === undefined) {
    const parsed = parseFieldOrder(model, spec, desc)
    if (isProblem(parsed)) return parsed
    item = parsed
    if (known.size < 1000) known.set(spec, item)
  }
  return item
}

/** Orderings parsed, per model, by spelling (`'-author__name'`). */
const orders = new WeakMap<Model, Map<string, OrderItem>>()

const parseFieldOrder = (model: Model, spec: string, desc: boolean): OrderItem | TerrapinError => {
  const name = desc ? spec.slice(1) : spec
  const segments = name.split('__')
  const path: string[] = []
  let current = model
  for (let i = 0; i < segments.length - 1; i++) {
    const rel = resolveRelation(current, segments[i])
    if (!rel) return invalid(spec, `${current.name} has no relation ${segments[i] || name}`, model.name)
    if (rel.many) return invalid(spec, `cannot order by a to-many relation (${segments[i]})`, model.name)
    path.push(segments[i])
    current = rel.target
  }
  const last = segments[segments.length - 1]
  const col = current.columnByKey[last] ?? resolveRelation(current, last)?.column
  if (!col) return invalid(spec, `${current.name} has no field ${last || name}`, model.name)
  return freeze({ path: freeze(path), key: col.key, desc })
}

/**
 * Orders by fields, `-` for descending; replaces any earlier ordering. NULLs sort first
 * ascending and last descending on every dialect. Ties keep no order: end with a unique key
 * (e.g. `'id'`) to paginate.
 *
 * @example
 * pipe(query(Book), orderBy('-rating', 'id')) // ORDER BY "rating" DESC NULLS LAST, "id" ASC NULLS FIRST
 * pipe(query(Book), orderBy('author__name')) // ORDER BY (SELECT "t1"."name" FROM "author" AS "t1" WHERE "t1"."id" = "t0"."author_id")
 */
export const orderBy =
  <
    M,
    R,
    const K extends OrderKey<M> | RelationKey | `-${RelationKey}` | AnnotationKeys<M, R> | `-${AnnotationKeys<M, R>}`,
  >(
    ...keys: ReadonlyArray<K & (ValidOrder<M, NoInfer<K>> | AnnotationKeys<M, R> | `-${AnnotationKeys<M, R>}`)>
  ) =>
  (plan: Query<M, R>): Query<M, R> => {
    const items: OrderItem[] = []
    const names = annotationNames(plan)
    for (const k of keys) {
      const item = parseOrder(plan.model, k, names)
      if (isProblem(item)) return withError(plan, item)
      items.push(item)
    }
    const hint = hintOf(plan)
    return next(plan, plan.where, freeze(items), plan.limit, plan.offset, hint && namesStep(hint, 'o', keys))
  }

/** Why a limit or offset is not a row count (undefined when it is). */
const countProblem = (name: string, n: number): TerrapinError | undefined =>
  Number.isSafeInteger(n) && n >= 0 ? undefined : invalid(name, `must be a non-negative integer, got ${n}`)

/**
 * At most `n` rows. `limit(n)` after `limit(m)` keeps `min(n, m)` rows.
 *
 * @example
 * pipe(query(Book), orderBy('id'), limit(20)) // … ORDER BY "id" LIMIT 20
 */
export const limit =
  (n: number) =>
  <P extends Select<unknown>>(plan: P): P => {
    const problem = countProblem('limit', n)
    if (problem) return withError(plan, problem)
    const hint = hintOf(plan)
    return next(
      plan,
      plan.where,
      plan.order,
      plan.limit === undefined ? n : Math.min(plan.limit, n),
      plan.offset,
      hint && step(step(hint, 'l'), n),
    )
  }

/**
 * Skips the first `n` rows; replaces any earlier offset. Limit and offset commute, as in
 * tortoise: `limit(20)` and `offset(40)` in either order give rows 41–60.
 *
 * @example
 * pipe(query(Book), orderBy('id'), offset(40), limit(20)) // … LIMIT 20 OFFSET 40
 */
export const offset =
  (n: number) =>
  <P extends Select<unknown>>(plan: P): P => {
    const problem = countProblem('offset', n)
    if (problem) return withError(plan, problem)
    const hint = hintOf(plan)
    return next(plan, plan.where, plan.order, plan.limit, n, hint && step(step(hint, 'f'), n))
  }

/** Drops duplicate rows (`SELECT DISTINCT`); most useful with `values`. */
export const distinct = <P extends Select<unknown>>(plan: P): P => freeze({ ...plan, distinct: true })

const checkKeys = (plan: Select<unknown>, keys: ReadonlyArray<string>): TerrapinError | undefined => {
  const model = plan.model
  const names = annotationNames(plan)
  for (const k of keys) {
    if (typeof k !== 'string') return invalid(String(k), 'a field is named by a string', model.name)
    const item = parseOrder(model, k, names)
    if (isProblem(item)) return item
  }
  if (keys.length === 0) return invalid('', 'name at least one field', model.name)
  return undefined
}

/** What `values` selects: field names, or one object of aliases to field names. */
type ValuesArgs<M, R, K> =
  | ReadonlyArray<K & (ValidKey<M, NoInfer<K>> | AnnotationKeys<M, R>)>
  | readonly [Readonly<Record<string, K & (ValidKey<M, NoInfer<K>> | AnnotationKeys<M, R>)>>]

/** The row `values` gives: every field (none named), the named ones, or the aliased ones. */
type ValuesRow<M, R, K, Args> = Args extends readonly [infer A extends Readonly<Record<string, string>>]
  ? string extends keyof A
    ? never
    : { readonly [X in keyof A]: KeyValue<M, R, A[X]> }
  : [K] extends [never]
    ? R
    : { readonly [P in K & string]: KeyValue<M, R, P> }

const isAliases = (args: ReadonlyArray<unknown>): args is readonly [Readonly<Record<string, string>>] =>
  args.length === 1 && typeof args[0] === 'object' && args[0] !== null

/**
 * Rows as objects holding only the named fields; a path through to-one relations
 * (`'author__name'`) is a key of its own. With no field, every field (and annotation); with one
 * object, each field under its alias (tortoise's `values(t='title')`).
 *
 * @example
 * pipe(query(Book), values('id', 'title')) // SELECT "id", "title" FROM "book"
 * pipe(query(Book), values('title', 'author__name')) // { title: string; author__name: string }
 * pipe(query(Book), values()) // every column: SELECT "id", "title", … FROM "book"
 * pipe(query(Book), values({ t: 'title', a: 'author__name' })) // { t: string; a: string }
 */
export const values =
  <
    M,
    R,
    const K extends KeyOf<M> | RelationKey | AnnotationKeys<M, R> = never,
    const Args extends ValuesArgs<M, R, K> = [],
  >(
    ...args: Args & ValuesArgs<M, R, K>
  ) =>
  (plan: Query<M, R>): Query<M, ValuesRow<M, R, K, Args>> => {
    const aliased = isAliases(args)
    const keys: ReadonlyArray<string> = aliased
      ? Object.values(args[0])
      : args.length > 0
        ? args
        : [...plan.model.columns.map((c) => c.key), ...annotationNames(plan)]
    const error = checkKeys(plan, keys)
    const projection = freeze({
      _tag: 'Values' as const,
      keys: freeze([...keys]),
      ...(aliased ? { as: freeze(Object.keys(args[0])) } : {}),
    })
    const next = freeze({ ...plan, projection }) as Query<M, ValuesRow<M, R, K, Args>>
    return error ? withError(next, error) : next
  }

/** The value of a field path, or of an annotation the rows `R` carry. */
type KeyValue<M, R, P> = [PathKeyValue<M, P>] extends [never] ? R[P & keyof R] : PathKeyValue<M, P>

type Tuple<M, R, K extends ReadonlyArray<unknown>> = { readonly [I in keyof K]: KeyValue<M, R, K[I]> }

/**
 * Rows as tuples of the named fields.
 *
 * @example
 * pipe(query(Book), valuesList('id', 'title')) // ReadonlyArray<readonly [number, string]>
 */
export const valuesList =
  <M, R, const K extends ReadonlyArray<KeyOf<M> | RelationKey | AnnotationKeys<M, R>>>(
    ...keys: K & { readonly [I in keyof K]: ValidKey<M, K[I]> | AnnotationKeys<M, R> }
  ) =>
  (plan: Query<M, R>): Query<M, Tuple<M, R, K>> => {
    const error = checkKeys(plan, keys)
    const next = freeze({
      ...plan,
      projection: freeze({ _tag: 'ValuesList' as const, keys: freeze([...keys]), flat: false }),
    }) as Query<M, Tuple<M, R, K>>
    return error ? withError(next, error) : next
  }

/**
 * The values of one field, as a flat array (tortoise's `values_list(field, flat=True)`).
 *
 * @example
 * pipe(query(Book), valuesFlat('title')) // ReadonlyArray<string>
 */
export const valuesFlat =
  <M, R, const K extends KeyOf<M> | RelationKey | AnnotationKeys<M, R>>(
    key: K & (ValidKey<M, NoInfer<K>> | AnnotationKeys<M, R>),
  ) =>
  (plan: Query<M, R>): Query<M, KeyValue<M, R, K>> => {
    const error = checkKeys(plan, [key])
    const next = freeze({
      ...plan,
      projection: freeze({ _tag: 'ValuesList' as const, keys: freeze([key]), flat: true }),
    }) as Query<M, KeyValue<M, R, K>>
    return error ? withError(next, error) : next
  }
