/**
 * Reads: the terminals `first`, `get`, `getOrNone`, `count` and `exists` (a select's rows, with
 * its prefetches, are `select` in `prefetch.ts`, which reads each level of related rows with it).
 */
import { doesNotExist, multipleObjectsReturned } from '../errors'
import { compileWith } from '../compile'
import { Terminal } from '../plan/ast'
import { Values } from '../plan/prepared'
import { Executor, MaybePromise } from './executor'
import { select } from './prefetch'
import { Abort, allRows, paramsOf, readOne, shapeOf, then } from './statement'

// Callbacks in functions of their own: a closure in `terminal` would make V8 allocate what it
// captures on every call, whether the closure is made or not.

const oneOf = (plan: Terminal<unknown>, rows: MaybePromise<unknown[]>): MaybePromise<unknown> =>
  then(rows, (r) => one(plan, r))

const one = (plan: Terminal<unknown>, rows: ReadonlyArray<unknown>): unknown => {
  if (plan.kind === 'first') return rows[0] ?? null
  if (rows.length > 1) throw new Abort(multipleObjectsReturned(plan.source.model.name, rows.length))
  if (rows.length === 0 && plan.kind === 'get') throw new Abort(doesNotExist(plan.source.model.name))
  return rows[0] ?? null
}

const countOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>): number => Number(rows[0][0])
const existsOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>): boolean => Number(rows[0][0]) > 0 || rows[0][0] === true

/** `inBulk`'s record: each row under `String` of its key (a bigint's digits, without `n`). */
const keyed = (plan: Terminal<unknown>, rows: ReadonlyArray<unknown>): Readonly<Record<string, unknown>> => {
  const key = plan.key!
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (const r of rows as ReadonlyArray<Record<string, unknown>>) out[String(r[key])] = r
  return Object.freeze(out)
}

const keyedOf = (plan: Terminal<unknown>, rows: MaybePromise<unknown[]>): MaybePromise<unknown> =>
  then(rows, (r) => keyed(plan, r))

export const terminal = (ex: Executor, plan: Terminal<unknown>, v: Values | undefined): MaybePromise<unknown> => {
  if (plan.kind === 'inBulk' && plan.empty) return Object.freeze({})
  const c = compileWith(ex.dialect, plan, v !== undefined)
  const params = paramsOf(c, v)
  switch (plan.kind) {
    case 'count':
      return then(allRows(ex, c.sql, params, false), countOf)
    case 'exists':
      return then(allRows(ex, c.sql, params, false), existsOf)
    case 'inBulk':
      return keyedOf(plan, select(ex, plan.source, v, c, params))
    case 'first':
    case 'get':
    case 'getOrNone': {
      const src = plan.source
      const row = src.prefetch.length === 0 ? readOne(ex, c, src.model.name, shapeOf(src), params) : undefined
      return row ? one(plan, row) : oneOf(plan, select(ex, src, v, c, params))
    }
  }
}
