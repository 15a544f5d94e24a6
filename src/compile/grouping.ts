/**
 * What a SELECT needs around its expressions: GROUP BY and the split of its filter between
 * WHERE and HAVING when it aggregates its own rows, and the row-lock clause.
 */
import { resolveRelation } from '../model/relations'
import { FilterNode, Lock, Select } from '../plan/ast'
import { Expr } from '../plan/expr'
import { Dialect } from './dialect'
import { Ctx, aggregatedPath, splitKey, valueExpr } from './context'

/** Whether an expression aggregates the rows of `plan` itself (not a relation's). */
const groups = (plan: Select<unknown>, e: Expr, seen: ReadonlySet<string> = new Set()): boolean => {
  switch (e._tag) {
    case 'Agg': {
      if (e.arg !== undefined) return aggregatedPath(plan.model, e.arg).length === 0
      if (e.ref === undefined) return true
      const head = e.ref.split('__')[0]
      return !!plan.model.columnByKey[head] || !resolveRelation(plan.model, head)
    }
    case 'Arith':
      return groups(plan, e.left, seen) || groups(plan, e.right, seen)
    case 'Func':
      return e.args.some((a) => groups(plan, a, seen))
    case 'Neg':
      return groups(plan, e.arg, seen)
    case 'RawExpr':
      return e.values.some((a) => groups(plan, a, seen))
    case 'Case':
      return (
        e.whens.some((w) => groups(plan, w.then, seen)) ||
        (e.otherwise !== undefined && groups(plan, e.otherwise, seen))
      )
    case 'F': {
      if (plan.model.columnByKey[e.ref] || seen.has(e.ref)) return false
      const a = plan.annotations?.find((x) => x.name === e.ref)
      return a ? groups(plan, a.expr, new Set([...seen, e.ref])) : false
    }
    default:
      return false
  }
}

const groupedAnnotation = (plan: Select<unknown>, name: string): boolean => {
  const a = plan.annotations?.find((x) => x.name === name)
  return a ? groups(plan, a.expr) : false
}

/** Whether a plan groups its rows (`groupBy`, or an aggregate of its own rows). */
export const isGrouped = (plan: Select<unknown>): boolean =>
  plan.groupBy !== undefined || (plan.annotations ?? []).some((a) => groups(plan, a.expr))

const mentionsGrouped = (plan: Select<unknown>, node: FilterNode): boolean => {
  switch (node._tag) {
    case 'Cond':
      return node.annotation === true && groupedAnnotation(plan, node.key)
    case 'And':
    case 'Or':
      return node.items.some((i) => mentionsGrouped(plan, i))
    case 'Not':
      return mentionsGrouped(plan, node.item)
    case 'Exists':
      return false
  }
}

const andOf = (items: ReadonlyArray<FilterNode>): FilterNode | undefined =>
  items.length === 0 ? undefined : items.length === 1 ? items[0] : { _tag: 'And', items }

/**
 * GROUP BY and the split of the filter: conditions on aggregates of the plan's own rows go to
 * HAVING, the others stay in WHERE. Without `groupBy`, the rows are grouped by all their
 * columns (one group per row), which every dialect accepts.
 */
export const groupingSql = (
  ctx: Ctx,
  alias: string,
  plan: Select<unknown>,
): { where?: FilterNode; having?: FilterNode; groupBy?: string } => {
  if (!isGrouped(plan)) return { where: plan.where }
  const { model } = plan
  const keys = plan.groupBy ?? model.columns.map((c) => c.key)
  const groupBy = keys
    .map((k) => {
      const { path, key } = splitKey(k)
      return valueExpr(ctx, alias, model, path, key).sql
    })
    .join(', ')
  const items = plan.where ? (plan.where._tag === 'And' ? plan.where.items : [plan.where]) : []
  return {
    where: andOf(items.filter((i) => !mentionsGrouped(plan, i))),
    having: andOf(items.filter((i) => mentionsGrouped(plan, i))),
    groupBy,
  }
}

/** `FOR UPDATE [NOWAIT | SKIP LOCKED]` or the dialect's form of it; '' without a lock. */
export const lockSql = (d: Dialect, lock: Lock | undefined): string => (lock ? d.lock(lock) : '')
