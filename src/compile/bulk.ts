/**
 * `bulkUpdate` statements: one UPDATE per batch setting each row's own values by primary key,
 * `SET f = CASE pk WHEN ? THEN ? … ELSE f END WHERE pk IN (…)`.
 */
import { Model } from '../model/model'
import { Dialect } from './dialect'

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
    const whens = rows.map((r) => `WHEN ${typed(d.columnType(pk), ph(d.encode(pk, r[pk.key])))} THEN ${typed(type, ph(r[k] === null ? null : d.encode(col, r[k])))}`)
    return `${q(col.column)} = CASE ${q(pk.column)} ${whens.join(' ')} ELSE ${q(col.column)} END`
  })
  const keys = rows.map((r) => ph(d.encode(pk, r[pk.key]))).join(', ')
  return { sql: `UPDATE ${q(model.table)} SET ${sets.join(', ')} WHERE ${q(pk.column)} IN (${keys})`, params }
}
