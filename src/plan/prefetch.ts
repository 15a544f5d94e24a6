/**
 * `prefetch` and `prefetchWith`: load related rows with the parents, one extra query per
 * relation level whatever the number of rows (tortoise's `prefetch_related` and `Prefetch`).
 */
import { invalid } from '../errors'
import { Model } from '../model/model'
import { Loaded, Prefetched, RelationInfo, RelationNames, RelationPath, RelatedModel } from '../model/relation-types'
import { resolveRelation } from '../model/relations'
import { RowOf } from '../model/types'
import { PrefetchItem, Select, freeze } from './ast'
import { hintOf, namesStep } from './hint'
import { Query, next } from './query'
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

/**
 * Loads one relation through a plan over the related model that filters and orders the related
 * rows and may prefetch further (tortoise's `Prefetch`). The related rows take the plan's row
 * type; a to-one relation may then be null. The plan may not limit or offset (a limit would
 * count rows across all parents, not per parent).
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
 * await close(db)
 * ```
 */
export const prefetchWith =
  <M, R extends RowOf<M>, const H extends RelationNames<M>, R2>(relation: H, related: Query<RelatedModel<M, H>, R2>) =>
  (
    plan: Query<M, R>,
  ): Query<
    M,
    R & {
      readonly [K in H]: Loaded<
        RelationInfo<M, H> extends { many: infer Many }
          ? { target: string; many: Many; nullable: true; forward: boolean }
          : never,
        R2
      >
    }
  > => {
    const target = resolveRelation(plan.model, relation)?.target
    const sub = related as Select<unknown>
    const mismatch =
      target && sub.model.name !== target.name
        ? invalid(relation, `prefetchWith takes a plan over ${target.name}, got ${sub.model.name}`, plan.model.name)
        : sub.limit !== undefined || sub.offset !== undefined
          ? invalid(
              relation,
              'a prefetch plan may not limit or offset (it would count rows across all parents)',
              plan.model.name,
            )
          : undefined
    const added = add(plan, [freeze({ path: freeze([relation]), plan: sub })], undefined)
    return (
      added.error || !(mismatch ?? sub.error) ? added : freeze({ ...added, error: mismatch ?? sub.error })
    ) as never
  }
