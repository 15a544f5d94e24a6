/**
 * Running `related(…).add/remove/clear`: statements on a many-to-many link table. `add` reads
 * which links exist and inserts only the missing ones, in one transaction, so adding a link
 * twice never duplicates it on any dialect (and a missing row is still an IntegrityError, which
 * MySQL's `INSERT IGNORE` would swallow).
 */
import { invalid } from '../errors'
import { compileLinkInsert, compileLinkedKeys, compileUnlink } from '../compile/link'
import { linkOf, resolveRelation } from '../model/relations'
import { Link } from '../plan/ast'
import { Executor } from './executor'
import { Abort } from './statement'

const keyOf = (v: unknown): string =>
  typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? v.toLowerCase() : String(v)

/** Executes a link plan; yields the number of links created or removed. */
export const runLink = async (ex: Executor, plan: Link<unknown>): Promise<number> => {
  const rel = resolveRelation(plan.model, plan.relation)
  const link = rel && linkOf(rel)
  if (!link) throw new Abort(invalid(plan.relation, 'not a many-to-many relation', plan.model.name))
  if (plan.kind === 'clear') {
    const c = compileUnlink(ex.dialect, link, plan.owner)
    return (await ex.run(c.sql, c.params)).changes
  }
  const others = [...new Map(plan.others.map((v) => [keyOf(v), v])).values()]
  if (others.length === 0) return 0
  if (plan.kind === 'remove') {
    const c = compileUnlink(ex.dialect, link, plan.owner, others)
    return (await ex.run(c.sql, c.params)).changes
  }
  const add = (): Promise<number> =>
    ex.transaction(async (tx) => {
      const read = compileLinkedKeys(tx.dialect, link, plan.owner, others)
      const present = new Set((await tx.all(read.sql, read.params, false)).map((r) => keyOf(r[0])))
      const missing = others.filter((v) => !present.has(keyOf(v)))
      if (missing.length === 0) return 0
      const c = compileLinkInsert(tx.dialect, link, plan.owner, missing)
      await tx.run(c.sql, c.params)
      return missing.length
    })
  // A concurrent add of the same link may commit between our read and our insert: the unique
  // key then refuses ours, and a second pass sees theirs.
  for (let attempt = 0; ; attempt++)
    try {
      return await add()
    } catch (e) {
      const error = e instanceof Abort ? e.error : ex.classify(e)
      if (attempt >= 2 || error._tag !== 'IntegrityError' || error.kind !== 'unique') throw e
    }
}
