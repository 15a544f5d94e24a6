/**
 * `selectRelated`: to-one relations read with the rows in the same query, by joins (tortoise's
 * `select_related`), as nested rows.
 */
import { invalid } from '../errors'
import { Model } from '../model/model'
import { Prefetched, RelationInfo, RelationNames, RelatedModel } from '../model/relation-types'
import { resolveRelation } from '../model/relations'
import { RowOf } from '../model/types'
import { Select, freeze } from './ast'
import { Query } from './query'

/** `P` when it is a path of to-one relations from `M` (`'author'`, `'author__publisher'`), else never. */
export type ToOnePath<M, P> = P extends `${infer H}__${infer Rest}`
  ? [RelationInfo<M, H>] extends [never]
    ? never
    : RelationInfo<M, H> extends { many: false }
      ? [ToOnePath<RelatedModel<M, H>, Rest>] extends [never]
        ? never
        : P
      : never
  : [RelationInfo<M, P>] extends [never]
    ? never
    : RelationInfo<M, P> extends { many: false }
      ? P
      : never

/** The first problem with a path of to-one relations from `model`, if any. */
const checkToOne = (model: Model, path: ReadonlyArray<string>): string | undefined => {
  let current = model
  for (const seg of path) {
    const rel = resolveRelation(current, seg)
    if (!rel) return `${current.name} has no relation ${seg}`
    if (rel.many) return `${seg} holds many rows: selectRelated joins to-one relations only (use prefetch)`
    current = rel.target
  }
  return undefined
}

/** Every path with its prefixes, each once, prefixes first (`author__publisher` brings `author`). */
const withPrefixes = (
  had: ReadonlyArray<ReadonlyArray<string>>,
  paths: ReadonlyArray<ReadonlyArray<string>>,
): ReadonlyArray<ReadonlyArray<string>> => {
  const seen = new Map<string, ReadonlyArray<string>>(had.map((p) => [p.join('__'), p]))
  for (const p of paths)
    for (let i = 1; i <= p.length; i++) {
      const name = p.slice(0, i).join('__')
      if (!seen.has(name)) seen.set(name, freeze(p.slice(0, i)))
    }
  return freeze([...seen.values()].sort((a, b) => a.length - b.length))
}

/**
 * Reads to-one relations (foreign keys, one-to-ones, either side) with the rows, in the same
 * query: each a LEFT JOIN, its row nested under the relation's name (null where there is none).
 * A path brings the relations on its way (`'author__publisher'` brings `author` too). A path
 * through a to-many relation does not compile (and is a `ValidationError` at run time).
 *
 * @example
 * pipe(query(Book), selectRelated('author__publisher'), run(db))
 * // ReadonlyArray<Book & { author: Author & { publisher: Publisher | null } }>
 * // SELECT "t0"."id", …, "t1"."id", "t1"."name", …, "t2"."id", … FROM "book" AS "t0"
 * //   LEFT JOIN "author" AS "t1" ON "t1"."id" = "t0"."author_id"
 * //   LEFT JOIN "publisher" AS "t2" ON "t2"."id" = "t1"."publisher_id"
 */
export const selectRelated =
  <M, R extends RowOf<M>, const P extends RelationNames<M> | `${RelationNames<M>}__${string}`>(
    ...paths: ReadonlyArray<P & ToOnePath<M, NoInfer<P>>>
  ) =>
  (plan: Query<M, R>): Query<M, R & Prefetched<M, P>> => {
    const p = plan as Select<unknown>
    const split = paths.map((x) => (x as string).split('__'))
    const problem =
      p.projection._tag !== 'Rows'
        ? 'selectRelated applies to rows, not to values()'
        : split.map((s) => checkToOne(p.model, s)).find((x) => x !== undefined)
    const related = withPrefixes(p.related ?? [], split)
    const error = p.error ?? (problem ? invalid('selectRelated', problem, p.model.name) : undefined)
    return freeze({ ...p, related, error }) as never
  }
