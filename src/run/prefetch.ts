/**
 * Prefetch: related rows loaded with one query per relation level (`WHERE key IN (…)`), never
 * one per row, then attached to their parents under the relation's name.
 */
import { Model } from '../model/model'
import { Relation, resolveRelation } from '../model/relations'
import { Cond, Select, freeze } from '../plan/ast'
import { Executor } from './executor'
import { Abort, execute } from './run'
import { invalid } from '../errors'

type Row = Record<string, unknown>

/** Groups `'books__tags'`, `'books'`, `'author'` into first hops and their remaining paths. */
const byHead = (paths: ReadonlyArray<ReadonlyArray<string>>): Map<string, ReadonlyArray<string>[]> => {
  const out = new Map<string, ReadonlyArray<string>[]>()
  for (const p of paths) {
    const rest = out.get(p[0]) ?? []
    if (p.length > 1) rest.push(p.slice(1))
    out.set(p[0], rest)
  }
  return out
}

const inCond = (key: string, values: ReadonlyArray<unknown>): Cond => freeze({ _tag: 'Cond', path: [], key, lookup: 'in', value: values })

const related = async (ex: Executor, target: Model, key: string, values: ReadonlyArray<unknown>, rest: ReadonlyArray<ReadonlyArray<string>>): Promise<Row[]> => {
  const plan: Select<unknown> = {
    _tag: 'Select',
    model: target,
    where: inCond(key, values),
    order: [{ path: [], key: target.pk, desc: false }],
    distinct: false,
    projection: { _tag: 'Rows' },
    prefetch: rest.map((path) => ({ path })),
  }
  const r = await execute(ex, plan)
  if (r._tag === 'Left') throw new Abort(r.left)
  return r.right as Row[]
}

const attach = async (ex: Executor, rel: Relation, rows: ReadonlyArray<Row>, rest: ReadonlyArray<ReadonlyArray<string>>): Promise<Row[]> => {
  if (rel.column) {
    // Forward key: parent.authorId → author row.
    const fk = rel.column.key
    const toKey = rel.target.columnByKey[rel.target.pk].key
    const ids = [...new Set(rows.map((r) => r[fk]).filter((v) => v !== null && v !== undefined))]
    const found = ids.length === 0 ? [] : await related(ex, rel.target, toKey, ids, rest)
    const index = new Map(found.map((t) => [String(t[toKey]), t]))
    return rows.map((r) => ({ ...r, [rel.name]: r[fk] === null ? null : (index.get(String(r[fk])) ?? null) }))
  }
  if (rel.kind === 'reverseForeignKey' || rel.kind === 'reverseOneToOne') {
    const pk = rel.source.pk
    const hop = rel.hops[0]
    const fkCol = rel.target.columns.find((c) => c.column === hop.to)!
    const ids = [...new Set(rows.map((r) => r[pk]))]
    const found = ids.length === 0 ? [] : await related(ex, rel.target, fkCol.key, ids, rest)
    const groups = new Map<string, Row[]>()
    for (const t of found) {
      const k = String(t[fkCol.key])
      const g = groups.get(k)
      if (g) g.push(t)
      else groups.set(k, [t])
    }
    return rows.map((r) => {
      const g = groups.get(String(r[pk])) ?? []
      return { ...r, [rel.name]: rel.many ? g : (g[0] ?? null) }
    })
  }
  throw new Abort(invalid(rel.name, `prefetch of ${rel.kind} relations is not supported yet`, rel.source.name))
}

/** Loads every prefetch path of a plan for its rows, one query per relation and level. */
export const prefetchRows = async (ex: Executor, plan: Select<unknown>, rows: Row[]): Promise<Row[]> => {
  let out = rows
  if (rows.length === 0) return rows
  for (const [head, rest] of byHead(plan.prefetch.map((p) => p.path))) {
    const rel = resolveRelation(plan.model, head)
    if (!rel) throw new Abort(invalid(head, `${plan.model.name} has no relation ${head}`, plan.model.name))
    out = await attach(ex, rel, out, rest)
  }
  return out
}
