/**
 * `prefetch` and `prefetchWith`: load related rows with the parents, one extra query per
 * relation level whatever the number of rows (tortoise's `prefetch_related` and `Prefetch`).
 */
import { ValidationError, invalid } from '../errors'
import { Model } from '../model/model'
import { Loaded, Prefetched, RelationInfo, RelationNames, RelationPath, RelatedModel } from '../model/relation-types'
import { resolveRelation } from '../model/relations'
import { RowOf } from '../model/types'
import { PrefetchItem, Select, freeze } from './ast'
import { hintOf, namesStep } from './hint'
import { Query, annotationNames, next } from './query'
import { unknownField } from '../model/suggest'

/** The first problem with a relation path from `model`, if any. */
const checkPath = (model: Model, path: ReadonlyArray<string>): string | undefined => {
  let current = model
  for (const seg of path) {
    const rel = resolveRelation(current, seg)
    if (!rel) return unknownField(current, seg, 'relation')
    current = rel.target
  }
  return undefined
}

/** The items of paths written as names, made once each (frozen: every plan may share them). */
const items = new Map<string, PrefetchItem>()

const itemOf = (path: string): PrefetchItem => {
  let item = items.get(path)
  if (item === undefined) {
    item = freeze({ path: freeze(path.split('__')) })
    // bounded, should an application make ever new paths at run time
    if (items.size < 1000) items.set(path, item)
  }
  return item
}

/**
 * The plan with more prefetch items. Paths given as names (`prefetch`) take a step in the trie
 * of shapes (`hint.ts`), so an ad hoc plan that prefetches finds its compiled SQL as the others
 * do; a sub-plan (`prefetchWith`) is more than an edge can describe, and compiles by the walk.
 */
const add = <P extends Select<unknown>>(
  plan: P,
  items: ReadonlyArray<PrefetchItem>,
  names: ReadonlyArray<string> | undefined,
): P => {
  const error =
    plan.projection._tag === 'Rows'
      ? undefined
      : invalid('prefetch', 'prefetch applies to rows, not to values()', plan.model.name)
  for (const item of items) {
    const problem = error ? undefined : checkPath(plan.model, item.path)
    if (problem && !plan.error)
      return freeze({ ...plan, error: invalid(item.path.join('__'), problem, plan.model.name) })
  }
  const hint = names && hintOf(plan)
  const added = next(
    plan,
    plan.where,
    plan.order,
    plan.limit,
    plan.offset,
    hint && namesStep(hint, 'p', names),
    freeze([...plan.prefetch, ...items]),
  )
  return error && !plan.error ? freeze({ ...added, error }) : added
}

/**
 * Loads relations with the rows, one query per relation and level (`WHERE key IN (…)` over the
 * keys of the rows above it): `'author'` (a row, or null for a nullable key), `'books'` (a
 * list), many-to-many `'tags'`, and nested paths `'books__tags'`. A path that is not a chain
 * of relations does not compile.
 *
 * @example
 * ```ts
 * pipe(query(Author), prefetch('books'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."name" FROM "author" AS "t0"
 * -- postgres
 * SELECT "t0"."id", "t0"."name" FROM "author" AS "t0"
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`name` FROM `author` AS `t0`
 * ```
 */
export const prefetch =
  <M, R extends RowOf<M>, const P extends RelationNames<M> | `${RelationNames<M>}__${string}`>(
    ...paths: ReadonlyArray<P & RelationPath<M, NoInfer<P>>>
  ) =>
  (plan: Query<M, R>): Query<M, R & Prefetched<M, P>> =>
    add(plan, paths.map(itemOf), paths) as Query<M, R & Prefetched<M, P>>

/** The name `to` would clash with: a field, a relation, an annotation, a prefetched or joined relation. */
const clash = (plan: Select<unknown>, to: string): string | undefined =>
  plan.model.columnByKey[to] !== undefined || resolveRelation(plan.model, to) !== undefined
    ? `'${to}' is a field or relation of ${plan.model.name}`
    : annotationNames(plan).has(to)
      ? `'${to}' is an annotation of the plan`
      : plan.prefetch.some((i) => (i.to ?? i.path[0]) === to) || plan.related?.some((p) => p[0] === to)
        ? `'${to}' is already prefetched`
        : undefined

/** The error of a `prefetchWith`, if any: a plan over another model, a sliced plan, a clashing target. */
const problemOf = (
  plan: Select<unknown>,
  relation: string,
  sub: Select<unknown>,
  to: string | undefined,
): ValidationError | undefined => {
  const target = resolveRelation(plan.model, relation)?.target
  const clashing = to === undefined ? undefined : clash(plan, to)
  return target && sub.model.name !== target.name
    ? invalid(relation, `prefetchWith takes a plan over ${target.name}, got ${sub.model.name}`, plan.model.name)
    : sub.limit !== undefined || sub.offset !== undefined
      ? invalid(
          relation,
          'a prefetch plan may not limit or offset (it would count rows across all parents)',
          plan.model.name,
        )
      : clashing
        ? invalid(to!, `prefetchWith cannot put the related rows under ${clashing}`, plan.model.name)
        : undefined
}

/** A name that is none of the row's keys nor the model's relations, else `never`. */
type Fresh<M, R, T> = T extends keyof R | RelationNames<M> ? never : unknown

/**
 * Loads one relation through a plan over the related model that filters and orders the related
 * rows and may prefetch further (tortoise's `Prefetch`). The related rows take the plan's row
 * type; a to-one relation may then be null. The plan may not limit or offset (a limit would
 * count rows across all parents, not per parent).
 *
 * With `{ to: 'name' }` (tortoise's `to_attr`) the rows land under that name instead of the
 * relation's, so one relation can be loaded twice through two plans; a name that is a field,
 * relation, annotation or another prefetch's is a `ValidationError` (and, where the types
 * know it, does not compile).
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const [a] = await pipe(bulkCreate(Author, [{ name: 'A' }]), runPromise(db))
 * const rows = [4.5, 2, 5].map((rating, i) => ({ title: `t${i}`, rating, authorId: a.id }))
 * await pipe(bulkCreate(Book, rows), runPromise(db))
 * const best = pipe(query(Author), prefetchWith('books', pipe(query(Book), where({ rating__gte: 4 }), orderBy('-rating'))))
 * const [author] = await pipe(best, runPromise(db)) // Author & { books: ReadonlyArray<Book> }
 * console.log(author.books.map((b) => b.title))
 * //> [ 't2', 't0' ]
 * const low = pipe(query(Book), where({ rating__lt: 4 }))
 * const [both] = await pipe(best, prefetchWith('books', low, { to: 'lowRated' }), runPromise(db))
 * console.log(both.books.length, both.lowRated.map((b) => b.title))
 * //> 2 [ 't1' ]
 * await close(db)
 * ```
 */
export const prefetchWith =
  <M, R extends RowOf<M>, const H extends RelationNames<M>, R2, const T extends string = H>(
    relation: H,
    related: Query<RelatedModel<M, H>, R2>,
    options?: { readonly to: T & Fresh<M, R, NoInfer<T>> },
  ) =>
  (
    plan: Query<M, R>,
  ): Query<
    M,
    R & {
      readonly [K in T]: Loaded<
        RelationInfo<M, H> extends { many: infer Many }
          ? { target: string; many: Many; nullable: true; forward: boolean }
          : never,
        R2
      >
    }
  > => {
    const sub = related as Select<unknown>
    const to = options?.to
    const problem = problemOf(plan, relation, sub, to)
    const item: PrefetchItem = freeze(
      to === undefined ? { path: freeze([relation]), plan: sub } : { path: freeze([relation]), plan: sub, to },
    )
    const added = add(plan, [item], undefined)
    return (added.error || !(problem ?? sub.error) ? added : freeze({ ...added, error: problem ?? sub.error })) as never
  }
