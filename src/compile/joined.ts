/**
 * `selectRelated`: to-one relations read with the rows by LEFT JOINs (a missing related row
 * gives NULLs, read back as `null`), and the columns that carry them, nested by the row decoder.
 */
import { Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { Select } from '../plan/ast'
import { Ctx, Nest, Output, fail, nextAlias, readRef } from './context'

/** The joined relations of a select, by path, and the JOIN clauses that bring them. */
export interface Joined {
  readonly sql: string
  readonly byPath: ReadonlyMap<string, { readonly alias: string; readonly model: Model }>
}

/** Whether a select reads related rows by joins: model rows, ungrouped. */
export const joinsRelated = (plan: Select<unknown>): boolean =>
  plan.related !== undefined && plan.related.length > 0 && plan.projection._tag === 'Rows' && !plan.groupBy

/**
 * `LEFT JOIN "author" AS "t1" ON "t1"."id" = "t0"."author_id"` per path (its prefixes come
 * first in `plan.related`, so each joins to the alias of the one above it).
 */
export const joinsOf = (ctx: Ctx, alias: string, plan: Select<unknown>): Joined => {
  const q = ctx.d.quote
  const byPath = new Map<string, { alias: string; model: Model }>()
  let sql = ''
  for (const path of plan.related ?? []) {
    const above = path.length === 1 ? { alias, model: plan.model } : byPath.get(path.slice(0, -1).join('__'))
    const rel = above && resolveRelation(above.model, path[path.length - 1])
    if (!above || !rel || rel.many || rel.hops.length !== 1)
      return fail(plan.model, `selectRelated: ${path.join('__')} is not a path of to-one relations`)
    const a = nextAlias(ctx)
    const hop = rel.hops[0]
    sql += ` LEFT JOIN ${q(hop.table)} AS ${q(a)} ON ${q(a)}.${q(hop.to)} = ${q(above.alias)}.${q(hop.from)}`
    byPath.set(path.join('__'), { alias: a, model: rel.target })
  }
  return { sql, byPath }
}

/** The output of rows with their joined relations appended: `author__id`, `author__name`, …, nested when read. */
export const joinedOutput = (
  ctx: Ctx,
  joined: Joined['byPath'],
  own: { sql: string; output: Output },
): { sql: string; output: Output } => {
  const sqls = [own.sql]
  const keys = [...own.output.keys]
  const columns = [...own.output.columns]
  const nest: Nest[] = []
  for (const [name, j] of joined) {
    const start = keys.length
    for (const c of j.model.columns) {
      sqls.push(readRef(ctx, j.alias, c))
      keys.push(`${name}__${c.key}`)
      columns.push(c)
    }
    const pk = start + j.model.columns.findIndex((c) => c.key === j.model.pk)
    nest.push({ path: name.split('__'), start, end: keys.length, pk })
  }
  return { sql: sqls.join(', '), output: { keys, columns, nest } }
}
