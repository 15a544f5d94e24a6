/**
 * SQL over many-to-many link tables: the prefetch read that returns each related row with the
 * key of the row it belongs to (one statement for all parents), and the statements behind the
 * `related(…)` managers (`add`, `remove`, `clear`). Pure, like the rest of the compile layer.
 */
import { Column, Model } from '../model/model'
import { Select } from '../plan/ast'
import { Dialect } from './dialect'
import { Compiled, bind, colRef, filterSql, newCtx, nextAlias, orderSql } from './sql'
import { readRef } from './context'
import { readOrder } from './ordering'

/** A link table seen from one side: `own` holds this side's key, `other` the related row's. */
export interface LinkTable {
  readonly table: string
  readonly own: string
  readonly other: string
  /** The key column of this side (types the `own` values). */
  readonly ownKey: Column
  /** The key column of the related side (types the `other` values). */
  readonly otherKey: Column
}

/** The output key under which a linked read returns the owning row's key. */
export const LINK_KEY = '__link'

/**
 * The related rows of `plan` linked to any of `owners`, each with its owner's key first:
 * `SELECT l.own, t.* FROM target t JOIN link l ON l.other = t.pk WHERE l.own IN (…) AND <plan's filter> ORDER BY …`.
 */
export const compileLinked = (
  d: Dialect,
  plan: Select<unknown>,
  link: LinkTable,
  owners: ReadonlyArray<unknown>,
): Compiled => {
  const ctx = newCtx(d)
  const q = d.quote
  const alias = nextAlias(ctx)
  const l = nextAlias(ctx)
  const model: Model = plan.model
  const cols = [`${q(l)}.${q(link.own)}`, ...model.columns.map((c) => readRef(ctx, alias, c))].join(', ')
  const ids = owners.map((v) => bind(ctx, v, (x) => d.encode(link.ownKey, x))).join(', ')
  const own = `${q(l)}.${q(link.own)} IN (${ids})`
  const where = plan.where ? filterSql(ctx, alias, model, plan.where) : ''
  const given = readOrder(plan)
  const order = orderSql(ctx, alias, model, given.length > 0 ? given : [{ path: [], key: model.pk, desc: false }])
  const sql =
    `SELECT ${cols} FROM ${q(model.table)} AS ${q(alias)} JOIN ${q(link.table)} AS ${q(l)} ON ${q(l)}.${q(link.other)} = ${colRef(ctx, alias, link.otherKey)}` +
    ` WHERE ${own}${where === '' || where === d.true ? '' : ` AND ${where}`}${order}`
  return {
    sql,
    params: ctx.params,
    output: { keys: [LINK_KEY, ...model.columns.map((c) => c.key)], columns: [link.ownKey, ...model.columns] },
  }
}

const enc = (d: Dialect, col: Column) => (x: unknown) => d.encode(col, x)

/** The related keys among `others` already linked to `owner`. */
export const compileLinkedKeys = (
  d: Dialect,
  link: LinkTable,
  owner: unknown,
  others: ReadonlyArray<unknown>,
): Compiled => {
  const ctx = newCtx(d)
  const q = d.quote
  const o = bind(ctx, owner, enc(d, link.ownKey))
  const list = others.map((v) => bind(ctx, v, enc(d, link.otherKey))).join(', ')
  return {
    sql: `SELECT ${q(link.other)} FROM ${q(link.table)} WHERE ${q(link.own)} = ${o} AND ${q(link.other)} IN (${list})`,
    params: ctx.params,
    output: { keys: [link.otherKey.key], columns: [link.otherKey] },
  }
}

/** Links `owner` to each of `others`. */
export const compileLinkInsert = (
  d: Dialect,
  link: LinkTable,
  owner: unknown,
  others: ReadonlyArray<unknown>,
): Compiled => {
  const ctx = newCtx(d)
  const q = d.quote
  const rows = others
    .map((v) => `(${bind(ctx, owner, enc(d, link.ownKey))}, ${bind(ctx, v, enc(d, link.otherKey))})`)
    .join(', ')
  return { sql: `INSERT INTO ${q(link.table)} (${q(link.own)}, ${q(link.other)}) VALUES ${rows}`, params: ctx.params }
}

/** Unlinks `owner` from `others`, or from every related row when `others` is undefined. */
export const compileUnlink = (
  d: Dialect,
  link: LinkTable,
  owner: unknown,
  others?: ReadonlyArray<unknown>,
): Compiled => {
  const ctx = newCtx(d)
  const q = d.quote
  const o = bind(ctx, owner, enc(d, link.ownKey))
  const only = others
    ? ` AND ${q(link.other)} IN (${others.map((v) => bind(ctx, v, enc(d, link.otherKey))).join(', ')})`
    : ''
  return { sql: `DELETE FROM ${q(link.table)} WHERE ${q(link.own)} = ${o}${only}`, params: ctx.params }
}
