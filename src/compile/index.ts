/**
 * `compile(plan, dialect)`: the SQL and parameters a plan runs as. Pure; results are cached per
 * plan value, so a plan built once (a prepared plan) compiles once.
 */
import { TerrapinFailure } from '../errors'
import { Delete, Insert, Select, Terminal, Update } from '../plan/ast'
import { Dialect, DialectName } from './dialect'
import { mysql } from './mysql'
import { postgres } from './postgres'
import { Compiled, compileDelete, compileInsert, compileSelect, compileTerminal, compileUpdate } from './sql'
import { sqlite } from './sqlite'

export const dialects: Readonly<Record<DialectName, Dialect>> = { sqlite, postgres, mysql }

/** The plans that compile to one statement. */
export type Statement = Select<unknown> | Terminal<unknown> | Insert<unknown> | Update<unknown> | Delete<unknown>

/** One cache per dialect record (MySQL and MariaDB share a name but not every statement). */
const caches = new WeakMap<Dialect, WeakMap<object, Compiled>>()

const build = (d: Dialect, plan: Statement): Compiled => {
  switch (plan._tag) {
    case 'Select':
      return compileSelect(d, plan)
    case 'Terminal':
      return compileTerminal(d, plan)
    case 'Insert':
      return compileInsert(d, plan, plan.rows)
    case 'Update':
      return compileUpdate(d, plan, plan.patch)
    case 'Delete':
      return compileDelete(d, plan)
  }
}

/** Compiles with a dialect record (cached per plan value). */
export const compileWith = (d: Dialect, plan: Statement): Compiled => {
  if (plan.error) throw new TerrapinFailure(plan.error)
  let cache = caches.get(d)
  if (!cache) caches.set(d, (cache = new WeakMap()))
  const hit = cache.get(plan)
  if (hit) return hit
  const out = build(d, plan)
  cache.set(plan, out)
  return out
}

/**
 * The SQL and parameters of a plan for a dialect. Throws the plan's `TerrapinFailure` when the
 * plan is invalid (running it would return that error as a `Left`). An insert compiles with the
 * values given: defaults are filled in when it runs.
 *
 * @example
 * compile(pipe(query(Book), where({ title__contains: 'x' })), 'postgres')
 * // { sql: 'SELECT "t0"."id", … FROM "book" AS "t0" WHERE "t0"."title" LIKE $1 ESCAPE \'\\\'', params: ['%x%'] }
 */
export const compile = (plan: Statement, dialect: DialectName): { readonly sql: string; readonly params: ReadonlyArray<unknown> } => {
  const { sql, params } = compileWith(dialects[dialect], plan)
  return { sql, params }
}

export type { Compiled, Dialect, DialectName }
