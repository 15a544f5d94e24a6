/**
 * `onDelete: 'SET DEFAULT'` where the database does not do it. MariaDB/MySQL (InnoDB) accept the
 * clause and silently enforce RESTRICT instead, so on MySQL a delete first sets the referencing
 * keys to their default, in the same transaction. The other actions are the database's own.
 */
import { compileWith } from '../compile'
import { Compiled } from '../compile/sql'
import { Dialect } from '../compile/dialect'
import { ForeignKeyField } from '../model/fields'
import { Column, Model } from '../model/model'
import { Cond, Delete, Select, Update } from '../plan/ast'
import { Executor, MaybePromise } from './executor'
import { changedRows } from './statement'

type Referrer = { readonly model: Model; readonly column: Column }

/** Foreign keys of other models that point at `model` with `onDelete: 'SET DEFAULT'` (and a constraint to act for). */
const setDefaultReferrers = (model: Model): ReadonlyArray<Referrer> =>
  Object.values(model.registry).flatMap((m) =>
    m.columns
      .filter((c) => (c.field.kind === 'foreignKey' || c.field.kind === 'oneToOne') && c.field.target === model.name)
      .filter((c) => {
        const o = (c.field as ForeignKeyField).options
        return o.onDelete === 'SET DEFAULT' && o.dbConstraint !== false
      })
      .map((column) => ({ model: m, column })),
  )

const rowsOf = (model: Model, key: string, values: ReadonlyArray<unknown>): Select<unknown> => ({
  _tag: 'Select',
  model,
  where: { _tag: 'Cond', path: [], key, lookup: 'in', value: values } satisfies Cond,
  order: [],
  distinct: false,
  projection: { _tag: 'Rows' },
  prefetch: [],
})

/** Whether a delete runs more than one statement (setting referencing keys to their default first). */
export const deleteWaits = (d: Dialect, plan: Delete<unknown>): boolean =>
  !d.setsDefaultOnDelete && setDefaultReferrers(plan.source.model).length > 0

/** Runs a delete plan; yields the number of rows deleted. `fill` puts in a prepared plan's values. */
export const runDelete = (
  ex: Executor,
  plan: Delete<unknown>,
  fill: (c: Compiled) => Compiled = (c) => c,
): MaybePromise<number> => {
  const referrers = ex.dialect.setsDefaultOnDelete ? [] : setDefaultReferrers(plan.source.model)
  // one statement: no promise on a synchronous driver
  const del = (tx: Executor): MaybePromise<number> => {
    const c = fill(compileWith(tx.dialect, plan))
    return changedRows(tx, c.sql, c.params)
  }
  if (referrers.length === 0) return del(ex)
  return ex.transaction(async (tx) => {
    const model = plan.source.model
    const pk = model.columnByKey[model.pk]
    const keysPlan: Select<unknown> = {
      ...plan.source,
      projection: { _tag: 'ValuesList', keys: [pk.key], flat: true },
      prefetch: [],
    }
    const c = fill(compileWith(tx.dialect, keysPlan))
    const keys = (await tx.all(c.sql, c.params, pk.kind === 'bigint')).map((r) => r[0])
    if (keys.length > 0)
      for (const r of referrers) {
        const to = model.columnByKey[(r.column.field as ForeignKeyField).options.toField ?? model.pk]
        const values = to === pk ? keys : undefined
        if (!values) continue
        const dflt = (r.column.field.options as { default?: unknown }).default
        const update: Update<unknown> = {
          _tag: 'Update',
          source: rowsOf(r.model, r.column.key, values),
          patch: { [r.column.key]: typeof dflt === 'function' ? (dflt as () => unknown)() : (dflt ?? null) },
        }
        const u = compileWith(tx.dialect, update)
        await tx.run(u.sql, u.params)
      }
    return del(tx)
  })
}
