/**
 * `prefetch`: load related rows with the parents, one extra query per relation level.
 */
import { freeze } from './ast'
import { Query } from './query'

/**
 * Loads relations with the rows: `'author'`, `'books'`, nested `'books__tags'`.
 *
 * @example
 * pipe(query(Author), prefetch('books'), run(db)) // SELECT … FROM "author"; SELECT … FROM "book" WHERE "author_id" IN (…)
 */
export const prefetch =
  <M, R, const P extends string>(...paths: ReadonlyArray<P>) =>
  (plan: Query<M, R>): Query<M, R & { readonly [K in P]: unknown }> =>
    freeze({ ...plan, prefetch: freeze([...plan.prefetch, ...paths.map((p) => freeze({ path: freeze(p.split('__')) }))]) }) as Query<M, R & { readonly [K in P]: unknown }>
