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
import { AnnotationFilter, AnnotationKeys, CheckFilterExpr } from './expr-types'
import { Q, and, filterNodeOf, not } from './filter'
import { HINT, OWNER, ShapeNode, filterStep, hintOf, hinted, namesStep, rootOf, sharedList, step } from './hint'
import {
  FilterValue,
  IfModel,
  KeyOf,
  OrderKey,
  PathKeyValue,
  RelationKey,
  ValidKey,
  ValidOrder,
  WrittenFilter,
} from './filter-types'
import { unknownField } from '../model/suggest'

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
 * ```ts
 * query(Book)
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0"
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0"
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id` FROM `book` AS `t0`
 * ```
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
 * A select like `p` with the parts a combinator changes, and its shape hint. Every field is
 * written out: copying a frozen plan with a spread costs more than building it.
 */
const rebuilt = <P extends Select<unknown>>(
  p: P,
  where: FilterNode | undefined,
  order: ReadonlyArray<OrderItem>,
  limit: number | undefined,
  offset: number | undefined,
  prefetch: ReadonlyArray<PrefetchItem>,
  annotations: ReadonlyArray<Annotation> | undefined,
  groupBy: ReadonlyArray<string> | undefined,
  hint: ShapeNode | undefined,
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
      annotations,
      groupBy,
      lock: p.lock,
      related: p.related,
      only: p.only,
      error: p.error,
      [HINT]: undefined,
      [OWNER]: undefined,
    },
    hint,
  ) as unknown as P

/** A select like `p` with a new filter, order, limit, offset or prefetch list, and its shape hint. */
export const next = <P extends Select<unknown>>(
  p: P,
  where: FilterNode | undefined,
  order: ReadonlyArray<OrderItem>,
  limit: number | undefined,
  offset: number | undefined,
  hint: ShapeNode | undefined,
  prefetch: ReadonlyArray<PrefetchItem> = p.prefetch,
): P => rebuilt(p, where, order, limit, offset, prefetch, p.annotations, p.groupBy, hint)

/** A select like `p` with new annotations and grouping keys, and its shape hint. */
export const nextGrouped = <P extends Select<unknown>>(
  p: P,
  annotations: ReadonlyArray<Annotation> | undefined,
  groupBy: ReadonlyArray<string> | undefined,
  hint: ShapeNode | undefined,
): P => rebuilt(p, p.where, p.order, p.limit, p.offset, p.prefetch, annotations, groupBy, hint)

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
 * A filter object's keys by their value types, resolved from the keys as written: a condition on
 * an annotation of the rows `R`, else a key of the model `M` ({@link FilterValue}); an expression
 * compared with may read only paths of `M` and annotations.
 */
type CheckedFilter<M, R, F> = {
  readonly [K in keyof F]: IfModel<
    M,
    Annotated<AnnotationFilter<M, R>, K, FilterValue<M, K>> & CheckFilterExpr<M, R, F[K]>
  >
}

/** The value type of `K` among conditions on annotations `A`, else `V`. */
type Annotated<A, K, V> = K extends keyof A ? A[K] : V

/**
 * `where`/`exclude`: a `q` combination (checked when built), or a filter object whose keys are
 * checked one by one as written. Two signatures, because a generic filter parameter would hide
 * the model from `q.or(…)`'s own inference.
 */
export interface FilterCombinator {
  <M, R>(filter: Q<M>): (plan: Query<M, R>) => Query<M, R>
  /** `where(exists(pipe(query(Book), where({ authorId: OuterRef('id') }))))`: a correlated EXISTS. */
  <M, R>(filter: Terminal<boolean>): (plan: Query<M, R>) => Query<M, R>
  /** Keys may also name the plan's annotations (`n__gte: 2`): conditions on aggregates go to HAVING. */
  <M, R, const F extends WrittenFilter<M> & AnnotationFilter<M, R>>(
    filter: F & CheckedFilter<M, R, F>,
  ): (plan: Query<M, R>) => Query<M, R>
}

/**
 * Keeps the rows matching a filter; successive calls are ANDed. Keys may walk relations
 * (`author__name`, `books__title__contains` through a reverse relation, `tags__name`): such a
 * condition is an `EXISTS`, so a parent matching through several related rows appears once.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ title__contains: 'Dune', rating__gte: 4 }))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE ("t0"."title" GLOB ? AND "t0"."rating" >= ?)
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE (strpos("t0"."title", $1) > 0 AND "t0"."rating" >= $2)
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE (INSTR(`t0`.`title`, ?) > 0 AND `t0`.`rating` >= ?)
 * ```
 */
export const where: FilterCombinator =
  (filter: unknown) =>
  <P extends Select<unknown>>(plan: P): P =>
    addFilter(plan, filterNodeOf(plan.model, filter, annotationNames(plan)), false)

/**
 * Alias of {@link where}, tortoise's name.
 *
 * @example
 * ```ts
 * pipe(query(Book), filter({ author__name: 'Frank Herbert' }))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE EXISTS (SELECT 1
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id" AND "t1"."name" = ?)
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE EXISTS (SELECT 1
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id" AND "t1"."name" = $1)
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE EXISTS (SELECT 1
 * FROM `author` AS `t1`
 * WHERE `t1`.`id` = `t0`.`author_id` AND `t1`.`name` = ?)
 * ```
 */
export const filter = where

/**
 * Drops the rows matching a filter: the exact complement of `where` (rows where the condition
 * is NULL are kept).
 *
 * @example
 * ```ts
 * pipe(query(Book), exclude({ rating: 5 }))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE NOT COALESCE("t0"."rating" = ?, 0)
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE NOT COALESCE("t0"."rating" = $1, FALSE)
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE NOT COALESCE(`t0`.`rating` = ?, 0)
 * ```
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
    if (annotations.has(name) && !model.columnByKey[name]) return annotationOrder(annotations, spec, name, desc)
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

/** An ordering by an annotation: a frozen value, made once per set of annotation names and spelling. */
const annotationOrder = (annotations: ReadonlySet<string>, spec: string, name: string, desc: boolean): OrderItem => {
  let known = annotationOrders.get(annotations)
  if (!known) annotationOrders.set(annotations, (known = new Map<string, OrderItem>()))
  let item = known.get(spec)
  if (item === undefined) {
    item = freeze({ path: EMPTY, key: name, desc, annotation: true })
    if (known.size < 100) known.set(spec, item)
  }
  return item
}

const annotationOrders = new WeakMap<ReadonlySet<string>, Map<string, OrderItem>>()

/** Orderings parsed, per model, by spelling (`'-author__name'`). */
const orders = new WeakMap<Model, Map<string, OrderItem>>()

const parseFieldOrder = (model: Model, spec: string, desc: boolean): OrderItem | TerrapinError => {
  const name = desc ? spec.slice(1) : spec
  const segments = name.split('__')
  const path: string[] = []
  let current = model
  for (let i = 0; i < segments.length - 1; i++) {
    const rel = resolveRelation(current, segments[i])
    if (!rel) return invalid(spec, unknownField(current, segments[i] || name, 'relation'), model.name)
    if (rel.many) return invalid(spec, `cannot order by a to-many relation (${segments[i]})`, model.name)
    path.push(segments[i])
    current = rel.target
  }
  const last = segments[segments.length - 1]
  const col = current.columnByKey[last] ?? resolveRelation(current, last)?.column
  if (!col) return invalid(spec, unknownField(current, last || name), model.name)
  return freeze({ path: freeze(path), key: col.key, desc })
}

/**
 * Orders by fields, `-` for descending; replaces any earlier ordering. NULLs sort first
 * ascending and last descending on every dialect. Ties keep no order: end with a unique key
 * (e.g. `'id'`) to paginate.
 *
 * @example
 * ```ts
 * pipe(query(Book), orderBy('-rating', 'id'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."rating" DESC, "t0"."id" ASC
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."rating" DESC NULLS LAST, "t0"."id" ASC
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * ORDER BY `t0`.`rating` DESC, `t0`.`id` ASC
 * ```
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
    const hint = namesStep(hintOf(plan), 'o', keys)
    return next(plan, plan.where, sharedList(hint, items), plan.limit, plan.offset, hint)
  }

/** Why a limit or offset is not a row count (undefined when it is). */
const countProblem = (name: string, n: number): TerrapinError | undefined =>
  Number.isSafeInteger(n) && n >= 0 ? undefined : invalid(name, `must be a non-negative integer, got ${n}`)

/**
 * At most `n` rows. `limit(n)` after `limit(m)` keeps `min(n, m)` rows.
 *
 * @example
 * ```ts
 * pipe(query(Book), orderBy('id'), limit(10))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 10
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 10
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * ORDER BY `t0`.`id` ASC
 * LIMIT 10
 * ```
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
 * ```ts
 * pipe(query(Book), orderBy('id'), offset(20), limit(10))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 10 OFFSET 20
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 10 OFFSET 20
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * ORDER BY `t0`.`id` ASC
 * LIMIT 10 OFFSET 20
 * ```
 */
export const offset =
  (n: number) =>
  <P extends Select<unknown>>(plan: P): P => {
    const problem = countProblem('offset', n)
    if (problem) return withError(plan, problem)
    const hint = hintOf(plan)
    return next(plan, plan.where, plan.order, plan.limit, n, hint && step(step(hint, 'f'), n))
  }

/**
 * Drops duplicate rows (`SELECT DISTINCT`); most useful with `values`.
 *
 * @example
 * ```ts
 * pipe(query(Book), values('authorId'), distinct)
 * ```
 * ```sql
 * -- sqlite
 * SELECT DISTINCT "t0"."author_id" FROM "book" AS "t0"
 * -- postgres
 * SELECT DISTINCT "t0"."author_id" FROM "book" AS "t0"
 * -- mysql
 * SELECT DISTINCT `t0`.`author_id` FROM `book` AS `t0`
 * ```
 */
export const distinct = <P extends Select<unknown>>(plan: P): P => freeze({ ...plan, distinct: true })

const checkKeys = (plan: Select<unknown>, keys: ReadonlyArray<string>): TerrapinError | undefined => {
  const model = plan.model
  if (plan.prefetch.length > 0)
    return invalid(
      'prefetch',
      "values gives plain values, which prefetched rows cannot attach to: drop prefetch, or name related fields by path ('books__title')",
      model.name,
    )
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
 * ```ts
 * pipe(query(Book), values('title', 'author__name'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."title", (SELECT "t1"."name"
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id")
 * FROM "book" AS "t0"
 * -- postgres
 * SELECT "t0"."title", (SELECT "t1"."name"
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id")
 * FROM "book" AS "t0"
 * -- mysql
 * SELECT `t0`.`title`, (SELECT `t1`.`name`
 * FROM `author` AS `t1`
 * WHERE `t1`.`id` = `t0`.`author_id`)
 * FROM `book` AS `t0`
 * ```
 *
 * With no field, every column (and annotation); with one object, each field under its alias:
 *
 * ```ts
 * pipe(query(Book), values()) // every column: SELECT "t0"."id", "t0"."title", … FROM "book" AS "t0"
 * pipe(query(Book), values({ t: 'title', a: 'author__name' })) // rows { t: string; a: string }
 * ```
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
 * ```ts
 * pipe(query(Book), valuesList('id', 'title'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title" FROM "book" AS "t0"
 * -- postgres
 * SELECT "t0"."id", "t0"."title" FROM "book" AS "t0"
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title` FROM `book` AS `t0`
 * ```
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
 * ```ts
 * pipe(query(Book), valuesFlat('title'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."title" FROM "book" AS "t0"
 * -- postgres
 * SELECT "t0"."title" FROM "book" AS "t0"
 * -- mysql
 * SELECT `t0`.`title` FROM `book` AS `t0`
 * ```
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
