/**
 * Bulk write statements: upserts (`bulkCreate` with `onConflict`), and `bulkUpdate`, one
 * UPDATE per batch setting each row's own values by primary key,
 * `SET f = CASE pk WHEN ? THEN ? … ELSE f END WHERE pk IN (…)`.
 */
import { Model } from '../model/model'
import { Insert } from '../plan/ast'
import { Dialect } from './dialect'
import { fail } from './context'
import { unknownField } from '../model/suggest'

/** INSERT … ON CONFLICT (fields) DO UPDATE / ON DUPLICATE KEY UPDATE. */
export const upsertSql = (
  d: Dialect,
  model: Model,
  table: string,
  names: string,
  values: string,
  on: NonNullable<Insert<unknown>['onConflict']>,
): string => {
  const col = (k: string): string => d.quote((model.columnByKey[k] ?? fail(model, unknownField(model, k))).column)
  return d.upsert(table, names, values, on.fields.map(col), on.update.map(col), col(model.pk))
}

/**
 * Rows per statement of a bulk write: at most `size`, and no more than the database binds in
 * one statement, for rows of `perRow` parameters each.
 */
export const rowsPerStatement = (d: Dialect, size: number, perRow: number): number =>
  Math.max(1, Math.min(size, Math.floor(d.maxParams / Math.max(1, perRow))))

/** The UPDATE of one batch of rows (each holding the primary key and `fields`). */
export const compileBulkUpdate = (
  d: Dialect,
  model: Model,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  fields: ReadonlyArray<string>,
): { readonly sql: string; readonly params: ReadonlyArray<unknown> } => {
  const params: unknown[] = []
  const ph = (v: unknown): string => {
    params.push(v)
    return d.placeholder(params.length)
  }
  const pk = model.columnByKey[model.pk]
  const q = d.quote
  const sets = fields.map((k) => {
    const col = model.columnByKey[k]
    const whens = rows.map(
      (r) =>
        `WHEN ${d.caseParam(ph(d.encode(pk, r[pk.key])), pk)} THEN ${d.caseParam(ph(r[k] === null ? null : d.encode(col, r[k])), col)}`,
    )
    return `${q(col.column)} = CASE ${q(pk.column)} ${whens.join(' ')} ELSE ${q(col.column)} END`
  })
  const keys = rows.map((r) => ph(d.encode(pk, r[pk.key]))).join(', ')
  return { sql: `UPDATE ${q(model.table)} SET ${sets.join(', ')} WHERE ${q(pk.column)} IN (${keys})`, params }
}
