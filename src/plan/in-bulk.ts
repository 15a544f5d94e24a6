/**
 * `inBulk`: the rows whose key (or unique field) is one of a list, as a record keyed by it
 * (tortoise's `in_bulk`).
 */
import { invalid } from '../errors'
import { ColumnKeys, PkKeyOf, RowOf } from '../model/types'
import { Select, Terminal, freeze } from './ast'
import { Query, where } from './query'
import { terminal } from './terminal'

/** Whether `key` names the model's primary key or a field declared `unique`. */
const isUnique = (plan: Select<unknown>, key: string): boolean => {
  const col = plan.model.columnByKey[key]
  return col !== undefined && (col.pk || (col.field.options as { unique?: boolean }).unique === true)
}

/**
 * The rows whose `field` (the primary key by default, or a field declared `unique`) is one of
 * `ids`, as a record from that field's value to its row (tortoise's `in_bulk`). The record's
 * keys are strings, as every JavaScript record's are: `String(value)`, so a row with key `7`
 * is under `'7'`. Ids with no row are absent; no ids is `{}` without a query. A field that is
 * not unique is a `ValidationError` (two rows could claim one key).
 *
 * @example
 * ```ts
 * pipe(query(Book), inBulk([1, 2])) // Plan<Readonly<Record<string, Book>>>
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0" WHERE "t0"."id" IN (?, ?)
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0" WHERE "t0"."id" IN ($1, $2)
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id` FROM `book` AS `t0` WHERE `t0`.`id` IN (?, ?)
 * ```
 */
export const inBulk =
  <M, R, const K extends ColumnKeys<M> = PkKeyOf<M> & ColumnKeys<M>>(
    ids: ReadonlyArray<NonNullable<RowOf<M>[K]>>,
    field?: K,
  ) =>
  (plan: Query<M, R>): Terminal<Readonly<Record<string, R>>> => {
    const p = plan as Select<unknown>
    const key: string = field ?? p.model.pk
    const problem = p.error
      ? undefined
      : !isUnique(p, key)
        ? invalid(
            key,
            p.model.columnByKey[key]
              ? 'inBulk keys rows by a unique field (the primary key or one declared unique)'
              : `no field '${key}' on ${p.model.name}`,
            p.model.name,
          )
        : p.projection._tag !== 'Rows'
          ? invalid(key, 'inBulk applies to rows, not to values()', p.model.name)
          : undefined
    const source = problem
      ? freeze({ ...p, error: problem })
      : ids.length === 0
        ? p
        : where({ [`${key}__in`]: ids } as never)(p as Query<unknown, unknown>)
    return terminal<Readonly<Record<string, R>>>('inBulk', source as Query<unknown, unknown>, {
      key,
      empty: ids.length === 0,
    })
  }
