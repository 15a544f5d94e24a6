/**
 * Terminal plans: what a read yields other than all its rows. They end a `pipe` before `run`.
 */
import { Terminal, freeze } from './ast'
import { HINT, OWNER, hintOf, hinted, step } from './hint'
import { Query } from './query'

/** The shape trie's edge of each terminal (made once, so looking one up hashes nothing new). */
const TOKENS: Readonly<Record<Terminal<unknown>['kind'], string>> = {
  first: 'tfirst',
  get: 'tget',
  getOrNone: 'tgetOrNone',
  count: 'tcount',
  exists: 'texists',
  inBulk: 'tinBulk',
}

/**
 * A terminal over a plan; one over an invalid plan carries the plan's error, so running it sends
 * no SQL. `extra` holds what only the runner reads (`inBulk`'s key), never what the SQL depends on.
 */
export const terminal = <A>(
  kind: Terminal<A>['kind'],
  source: Query<unknown, unknown>,
  extra?: Pick<Terminal<A>, 'key' | 'empty'>,
): Terminal<A> =>
  source.error
    ? freeze({ _tag: 'Terminal', kind, source, ...extra, error: source.error })
    : hinted(
        { _tag: 'Terminal', kind, source, ...extra, [HINT]: undefined, [OWNER]: undefined },
        step(hintOf(source), TOKENS[kind]),
      )

/**
 * All rows (the default when a query is run as is).
 *
 * @example
 * ```ts
 * pipe(query(Book), all)
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
export const all = <M, R>(plan: Query<M, R>): Query<M, R> => plan

/**
 * The first row or `null` (ordered by primary key when the plan has no ordering, as tortoise).
 *
 * @example
 * ```ts
 * pipe(query(Book), first)
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 1
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * ORDER BY "t0"."id" ASC
 * LIMIT 1
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * ORDER BY `t0`.`id` ASC
 * LIMIT 1
 * ```
 */
export const first = <M, R>(plan: Query<M, R>): Terminal<R | null> => terminal('first', plan as Query<unknown, unknown>)

/**
 * Exactly one row: `DoesNotExist` when none matches, `MultipleObjectsReturned` when several do.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ id: 7 }), get)
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = ?
 * LIMIT 2
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = $1
 * LIMIT 2
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE `t0`.`id` = ?
 * LIMIT 2
 * ```
 */
export const get = <M, R>(plan: Query<M, R>): Terminal<R> => terminal('get', plan as Query<unknown, unknown>)

/**
 * One row or `null`; still `MultipleObjectsReturned` when several match.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ id: 7 }), getOrNone)
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = ?
 * LIMIT 2
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = $1
 * LIMIT 2
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE `t0`.`id` = ?
 * LIMIT 2
 * ```
 */
export const getOrNone = <M, R>(plan: Query<M, R>): Terminal<R | null> =>
  terminal('getOrNone', plan as Query<unknown, unknown>)

/**
 * The number of rows `all` would return, limit and offset included.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ rating__gte: 4 }), count)
 * ```
 * ```sql
 * -- sqlite
 * SELECT COUNT(*) FROM "book" AS "t0" WHERE "t0"."rating" >= ?
 * -- postgres
 * SELECT COUNT(*) FROM "book" AS "t0" WHERE "t0"."rating" >= $1
 * -- mysql
 * SELECT COUNT(*) FROM `book` AS `t0` WHERE `t0`.`rating` >= ?
 * ```
 */
export const count = <M, R>(plan: Query<M, R>): Terminal<number> => terminal('count', plan as Query<unknown, unknown>)

/**
 * Whether `all` would return any row.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ rating__gte: 4 }), exists)
 * ```
 * ```sql
 * -- sqlite
 * SELECT EXISTS (SELECT 1 FROM "book" AS "t0" WHERE "t0"."rating" >= ? LIMIT 1)
 * -- postgres
 * SELECT EXISTS (SELECT 1 FROM "book" AS "t0" WHERE "t0"."rating" >= $1 LIMIT 1)
 * -- mysql
 * SELECT EXISTS (SELECT 1 FROM `book` AS `t0` WHERE `t0`.`rating` >= ? LIMIT 1)
 * ```
 */
export const exists = <M, R>(plan: Query<M, R>): Terminal<boolean> =>
  terminal('exists', plan as Query<unknown, unknown>)
