/**
 * `last`, `latest` and `earliest`: rows at the end of an ordering (tortoise's and Django's),
 * as `first` and `get` over the reversed or named ordering.
 */
import { TerrapinError, invalid } from '../errors'
import { OrderItem, Select, Terminal, freeze } from './ast'
import { OrderKey, RelationKey, ValidOrder } from './filter-types'
import { Query, annotationNames, isProblem, next, parseOrder } from './query'
import { first, get } from './terminal'

/** The plan's ordering as `first` would apply it: its own, the model's `meta.ordering`, else the key. */
const orderOf = (plan: Select<unknown>): ReadonlyArray<OrderItem> | TerrapinError => {
  if (plan.order.length > 0) return plan.order
  const names = annotationNames(plan)
  const items: OrderItem[] = []
  for (const k of plan.model.meta.ordering ?? []) {
    const item = parseOrder(plan.model, k, names)
    if (isProblem(item)) return item
    items.push(item)
  }
  return items.length > 0 ? items : [{ path: [], key: plan.model.pk, desc: false }]
}

const failed = <A>(plan: Select<unknown>, error: TerrapinError): Terminal<A> =>
  first(freeze({ ...plan, error: plan.error ?? error }) as Query<unknown, unknown>) as Terminal<A>

/**
 * The last row or `null`: the first in the reversed ordering (the plan's, else `meta.ordering`,
 * else the primary key). A sliced plan cannot be reversed (Django refuses it too): a
 * `ValidationError`.
 *
 * @example
 * pipe(query(Book), orderBy('rating', 'id'), last) // … ORDER BY "rating" DESC, "id" DESC LIMIT 1
 */
export const last = <M, R>(plan: Query<M, R>): Terminal<R | null> => {
  const p = plan as Select<unknown>
  if (p.limit !== undefined || p.offset !== undefined)
    return failed(p, invalid('last', 'a sliced plan (limit/offset) cannot be reversed', p.model.name))
  const order = orderOf(p)
  if (isProblem(order as never)) return failed(p, order as TerrapinError)
  const reversed = freeze((order as ReadonlyArray<OrderItem>).map((o) => freeze({ ...o, desc: !o.desc })))
  return first(next(p, p.where, reversed, undefined, undefined, undefined) as Query<M, R>)
}

type Keys<M> = OrderKey<M> | RelationKey | `-${RelationKey}`

/** The row at the end of an ordering by `keys` (or `meta.ordering`): `DoesNotExist` when there is none. */
const edge = (
  plan: Select<unknown>,
  keys: ReadonlyArray<string>,
  reverse: boolean,
  name: string,
): Terminal<unknown> => {
  if (plan.limit !== undefined || plan.offset !== undefined)
    return failed(plan, invalid(name, 'a sliced plan (limit/offset) has no latest or earliest row', plan.model.name))
  const names = annotationNames(plan)
  const items: OrderItem[] = []
  for (const k of keys.length > 0 ? keys : (plan.model.meta.ordering ?? [])) {
    const item = parseOrder(plan.model, k, names)
    if (isProblem(item)) return failed(plan, item)
    items.push(reverse ? freeze({ ...item, desc: !item.desc }) : item)
  }
  if (items.length === 0)
    return failed(plan, invalid(name, `name a field (the model has no meta.ordering)`, plan.model.name))
  return get(next(plan, plan.where, freeze(items), 1, undefined, undefined) as Query<unknown, unknown>)
}

/**
 * The row with the greatest `keys` (tortoise's `latest('createdAt')`), or by the reversed
 * `meta.ordering` when none is named; `DoesNotExist` when no row matches.
 *
 * @example
 * pipe(query(Book), latest('rating', 'id')) // … ORDER BY "rating" DESC, "id" DESC LIMIT 1
 */
export const latest =
  <M, R, const K extends Keys<M>>(...keys: ReadonlyArray<K & ValidOrder<M, NoInfer<K>>>) =>
  (plan: Query<M, R>): Terminal<R> =>
    edge(plan, keys, true, 'latest') as Terminal<R>

/**
 * The row with the smallest `keys` (tortoise's `earliest('createdAt')`), or the first by
 * `meta.ordering` when none is named; `DoesNotExist` when no row matches.
 *
 * @example
 * pipe(query(Book), earliest('rating')) // … ORDER BY "rating" LIMIT 1
 */
export const earliest =
  <M, R, const K extends Keys<M>>(...keys: ReadonlyArray<K & ValidOrder<M, NoInfer<K>>>) =>
  (plan: Query<M, R>): Terminal<R> =>
    edge(plan, keys, false, 'earliest') as Terminal<R>
