/**
 * `only`: rows that hold some of their fields (tortoise's `only()`), the primary key always.
 */
import { invalid } from '../errors'
import { ColumnKeys, PkKeyOf, RowOf, Simplify } from '../model/types'
import { unknownField } from '../model/suggest'
import { Select, freeze } from './ast'
import { Query } from './query'

/** The first problem with the keys of an `only`, if any. */
const problemOf = (plan: Select<unknown>, keys: ReadonlyArray<string>): string | undefined => {
  if (plan.projection._tag !== 'Rows') return 'only applies to rows, not to values()'
  if (plan.groupBy) return 'only applies to model rows, not to grouped rows'
  if (keys.length === 0) return 'name at least one field'
  for (const k of keys) {
    if (k.includes('__'))
      return `only takes the model's own fields, not a relation path ('${k}'): use values('${k}') or selectRelated`
    if (!plan.model.columnByKey[k]) return unknownField(plan.model, k, 'field')
  }
  return undefined
}

/**
 * Rows that hold only the named fields and the primary key (tortoise's `only()`): the `SELECT`
 * lists those columns alone. The key is always kept, so a partial row can still be found again,
 * updated by key or related; fields not named are absent from the row (and from its type), and a
 * forward relation prefetched from such rows needs its key field named (`only('title', 'authorId')`).
 * Annotations and prefetched relations are kept; `only` goes after the combinators that take
 * whole rows in its pipe (`prefetch`, `selectRelated`). Only the model's own fields: a relation path
 * (`'author__name'`) is a `ValidationError` (use `values` or `selectRelated`), as is a `values()`
 * plan or a grouped one.
 *
 * @example
 * ```ts
 * pipe(query(Book), only('title'))
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
export const only =
  <M, R extends RowOf<M>, const K extends ColumnKeys<M>>(...keys: ReadonlyArray<K>) =>
  (
    plan: Query<M, R>,
  ): Query<M, Simplify<Pick<RowOf<M>, K | (PkKeyOf<M> & keyof RowOf<M>)> & Omit<R, keyof RowOf<M>>>> => {
    const p = plan as Select<unknown>
    const problem = p.error ? undefined : problemOf(p, keys)
    if (problem) return freeze({ ...p, error: invalid('only', problem, p.model.name) }) as never
    const kept = new Set<string>([
      p.model.pk,
      ...(p.only ?? p.model.columns.map((c) => c.key)).filter((k) => keys.includes(k as K)),
    ])
    return freeze({ ...p, only: freeze(p.model.columns.map((c) => c.key).filter((k) => kept.has(k))) }) as never
  }
