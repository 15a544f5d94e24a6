/**
 * `manager`: tortoise's custom managers as plain functions over plans. A manager pairs a model
 * with a base plan (its default filters) and named helpers that start from that base; nothing
 * changes `query(Model)` itself, so the unfiltered plan is always one call away.
 */
import { TerrapinFailure, configurationError } from '../errors'
import { Model } from '../model/model'
import { RowOf } from '../model/types'
import { Query, query } from './query'

/** A named helper of a manager: takes the manager's base plan (and its own arguments), returns a plan. */
export type ManagerHelper<M, R> = (plan: Query<M, R>, ...args: never[]) => unknown

/** The members of a manager that a helper may not be named after. */
type Reserved = 'model' | 'query' | 'unfiltered'

/** What `manager` takes: the base plan from the model's plan, and named helpers over the base. */
export interface ManagerSpec<M, R, H> {
  /** The default filters (and ordering, annotations …): from `query(Model)` to the manager's plan. */
  readonly base: (plan: Query<M, RowOf<M>>) => Query<M, R>
  /** Named plans over the base; each is called with the base plan first, then its own arguments. */
  readonly helpers?: H & { readonly [K in keyof H]: K extends Reserved ? never : ManagerHelper<M, R> }
}

/** The helpers of a manager as its members: the base plan already given. */
export type ManagerHelpers<H> = {
  readonly [K in keyof H]: H[K] extends (plan: never, ...args: infer A) => infer P ? (...args: A) => P : never
}

/** A model's manager: its filtered plan, its helpers, and the unfiltered plan. */
export type Manager<M, R, H> = {
  /** The model the manager reads. */
  readonly model: M
  /** The model's plan with the base applied (built on each call, so a base may read the clock). */
  readonly query: () => Query<M, R>
  /** The model's plan without the base: `query(Model)`, every row. */
  readonly unfiltered: () => Query<M, RowOf<M>>
} & ManagerHelpers<H>

const RESERVED = new Set(['model', 'query', 'unfiltered'])

/**
 * A manager for `model` (tortoise's `Meta.manager` / custom `Manager`): `query()` is
 * `base(query(model))`, every helper is called with that plan first, and `unfiltered()` is the
 * model's own `query(model)`. The base is a function over plans, so filters in it are checked like
 * any `where` (an unknown field does not compile); `query(model)` itself is never changed. The
 * base plan is an ordinary plan: use it with `prefetchWith` to prefetch only the rows the manager
 * sees. A helper named `model`, `query` or `unfiltered` would hide a member: it does not compile, and in untyped code `manager` throws a `ConfigurationError`
 * (a `TerrapinFailure`), as `schema()` does for a misdeclared model.
 *
 * @example
 * ```ts
 * manager(Book, {
 *   base: (q) => pipe(q, where({ rating__isnull: false })),
 *   helpers: { good: (q) => pipe(q, where({ rating__gte: 4 })) },
 * }).good()
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0" WHERE ("t0"."rating" IS NOT NULL AND "t0"."rating" >= ?)
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id" FROM "book" AS "t0" WHERE ("t0"."rating" IS NOT NULL AND "t0"."rating" >= $1)
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id` FROM `book` AS `t0` WHERE (`t0`.`rating` IS NOT NULL AND `t0`.`rating` >= ?)
 * ```
 */
export const manager = <M extends Model, R, H = Record<never, never>>(
  model: M,
  spec: ManagerSpec<M, R, H>,
): Manager<M, R, H> => {
  const base = (): Query<M, R> => spec.base(query(model))
  const helpers: Record<string, (...args: never[]) => unknown> = {}
  for (const [name, helper] of Object.entries((spec.helpers ?? {}) as Record<string, ManagerHelper<M, R>>)) {
    if (RESERVED.has(name))
      throw new TerrapinFailure(configurationError(`manager of ${model.name}: a helper may not be named '${name}'`))
    helpers[name] = (...args: never[]) => helper(base(), ...args)
  }
  return Object.freeze({ ...helpers, model, query: base, unfiltered: () => query(model) }) as Manager<M, R, H>
}
