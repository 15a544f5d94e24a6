/**
 * Bulk write statements: upserts (`bulkCreate` with `onConflict`), and `bulkUpdate`, one
 * UPDATE per batch setting each row's own values by primary key,
 * `SET f = CASE pk WHEN ? THEN ? … ELSE f END WHERE pk IN (…)`.
 */
import { Model } from '../model/model'
import { Insert } from '../plan/ast'
import { Dialect } from './dialect'
import { fail } from './sql'

/** INSERT … ON CONFLICT (fields) DO UPDATE / ON DUPLICATE KEY UPDATE. */
export const upsertSql = (d: Dialect, model: Model, table: string, names: string, values: string, on: NonNullable<Insert<unknown>['onConflict']>): string => {
  const col = (k: string): string => d.quote((model.columnByKey[k] ?? fail(model, `no field ${k}`)).column)
  if (d.name === 'mysql') {
    const sets = on.update.length > 0 ? on.update.map((k) => `${col(k)} = VALUES(${col(k)})`) : [`${col(model.pk)} = ${col(model.pk)}`]
    return `INSERT INTO ${table} ${names} VALUES ${values} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`
  }
  const target = `(${on.fields.map(col).join(', ')})`
  const action = on.update.length > 0 ? `DO UPDATE SET ${on.update.map((k) => `${col(k)} = excluded.${col(k)}`).join(', ')}` : 'DO NOTHING'
  return `INSERT INTO ${table} ${names} VALUES ${values} ON CONFLICT ${target} ${action}`
}

/**
 * Rows per statement of a bulk write: at most `size`, and no more than the database binds in
 * one statement, for rows of `perRow` parameters each.
 */
export const rowsPerStatement = (d: Dialect, size: number, perRow: number): number => Math.max(1, Math.min(size, Math.floor(d.maxParams / Math.max(1, perRow))))

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
  // PostgreSQL types CASE branches of bare parameters as text: cast them to the column's type.
  const typed = (type: string, p: string): string => (d.name === 'postgres' ? `CAST(${p} AS ${type.replace(/ COLLATE .*$/, '')})` : p)
  const sets = fields.map((k) => {
    const col = model.columnByKey[k]
    const type = d.columnType(col)
    const whens = rows.map(
      (r) => `WHEN ${typed(d.columnType(pk), ph(d.encode(pk, r[pk.key])))} THEN ${typed(type, ph(r[k] === null ? null : d.encode(col, r[k])))}`,
    )
    return `${q(col.column)} = CASE ${q(pk.column)} ${whens.join(' ')} ELSE ${q(col.column)} END`
  })
  const keys = rows.map((r) => ph(d.encode(pk, r[pk.key]))).join(', ')
  return { sql: `UPDATE ${q(model.table)} SET ${sets.join(', ')} WHERE ${q(pk.column)} IN (${keys})`, params }
}
