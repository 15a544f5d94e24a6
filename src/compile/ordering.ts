/**
 * The order a read takes when its plan gives none: the model's `meta.ordering`, as tortoise's
 * (and Django's) `Meta.ordering`. It applies where the order decides what a plan returns — the
 * rows of `all`/`values`/`stream`, the row of `first`, and which rows a limit or offset keeps
 * (in `get`, a subquery, an update or delete of a slice) — and nowhere else: `count`, `exists`,
 * `update`/`remove` of whole filters and `get` without a slice send no ORDER BY. A grouped plan
 * (`groupBy`, aggregates of its own rows) drops it, as Django does since 3.1: the model's order
 * would be grouping keys of its own. A distinct plan takes it only when it selects every field
 * the ordering names (ordering by anything else would change what is distinct).
 */
import { TerrapinFailure, invalid } from '../errors'
import { Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { OrderItem, Select } from '../plan/ast'
import { isProblem, parseOrder } from '../plan/query'
import { splitKey } from './context'
import { isGrouped } from './grouping'

/** The keys a plan selects, as order items name them (`author__name`, `authorId`, annotations). */
export const selectedKeys = (plan: Select<unknown>): ReadonlyArray<OrderItem> => {
  const { model, projection: p } = plan
  const annotations = plan.annotations ?? []
  const keys =
    p._tag !== 'Rows'
      ? p.keys
      : [...(plan.groupBy ?? model.columns.map((c) => c.key)), ...annotations.map((a) => a.name)]
  return keys.map((k): OrderItem => {
    if (annotations.some((a) => a.name === k)) return { path: [], key: k, desc: false, annotation: true }
    const { path, key } = splitKey(k)
    const rel = path.length === 0 && !model.columnByKey[key] ? resolveRelation(model, key) : undefined
    return { path, key: rel?.column ? rel.column.key : key, desc: false }
  })
}

/** An order item's name as `orderBy` spells it without its sign. */
export const orderName = (o: OrderItem): string => [...o.path, o.key].join('__')

/** Each model's parsed `meta.ordering` (or the error naming its bad entry). */
const parsed = new WeakMap<Model, ReadonlyArray<OrderItem> | TerrapinFailure>()

/**
 * A model's `meta.ordering` as order items; a name it does not have (a field, or a relation path
 * that is not to-one) is a ValidationError of every plan that would use it.
 */
export const modelOrdering = (model: Model): ReadonlyArray<OrderItem> => {
  let out = parsed.get(model)
  if (out === undefined) {
    const items: OrderItem[] = []
    for (const spec of model.meta.ordering ?? []) {
      const item = parseOrder(model, spec)
      if (isProblem(item)) {
        out = new TerrapinFailure(
          invalid(
            'meta.ordering',
            `${spec}: ${item._tag === 'ValidationError' ? item.issues.map((i) => i.message).join('; ') : item.message}`,
            model.name,
          ),
        )
        break
      }
      items.push(item)
    }
    out ??= Object.freeze(items)
    parsed.set(model, out)
  }
  if (out instanceof TerrapinFailure) throw out
  return out
}

/** The order a read of `plan`'s rows takes: its own, else its model's ordering where it applies. */
export const readOrder = (plan: Select<unknown>): ReadonlyArray<OrderItem> => {
  if (plan.order.length > 0 || !plan.model.meta.ordering?.length || isGrouped(plan)) return plan.order
  const items = modelOrdering(plan.model)
  if (!plan.distinct) return items
  const selected = new Set(selectedKeys(plan).map(orderName))
  return items.every((o) => selected.has(orderName(o))) ? items : plan.order
}

/** Whether a plan keeps a slice of its rows, which its order chooses. */
export const sliced = (plan: Select<unknown>): boolean => plan.limit !== undefined || plan.offset !== undefined
