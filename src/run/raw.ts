/**
 * Running raw `sql` plans and `bulkUpdate`: the statement text with the dialect's placeholders,
 * the values bound, and the rows decoded by the plan's codec.
 */
import { TerrapinFailure, decodeError, validationError } from '../errors'
import { compileBulkUpdate, rowsPerStatement } from '../compile/bulk'
import { Dialect } from '../compile/dialect'
import { Column } from '../model/model'
import { describeValue } from '../model/validate'
import { BulkUpdate, Raw } from '../plan/ast'
import { Ident } from '../plan/raw'
import { Executor, MaybePromise } from './executor'
import { changedRows, objectRows, then } from './statement'
import { DecodeFailure } from './decode'
import { changesSession } from './pooled'

const DATETIME = { kind: 'datetime' } as Column
const BOOLEAN = { kind: 'boolean' } as Column

/**
 * A value of a `sql` template as every driver binds it alike: a string, finite number, bigint or
 * null as it is; a Date and a boolean as the dialect stores them; bytes as they are. Anything else
 * is refused: each driver writes it its own way, and mysql2 writes an object's keys as column
 * names (`name = ${{ id: 1 }}` would be `name = \`id\` = 1`) and an array as a list.
 */
const rawParam = (d: Dialect, v: unknown, i: number): unknown => {
  if (v === null || typeof v === 'string' || typeof v === 'bigint' || v instanceof Uint8Array) return v
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (v instanceof Date && !Number.isNaN(v.getTime())) return d.encode(DATETIME, v)
  if (typeof v === 'boolean') return d.encode(BOOLEAN, v)
  throw new TerrapinFailure(
    validationError([
      {
        field: `[${i}]`,
        message: `${describeValue(v)} is no value of a sql template: a string, finite number, bigint, boolean, Date, bytes or null (a list: one \${…} per item)`,
      },
    ]),
  )
}

const isIdent = (u: unknown): u is Ident => typeof u === 'object' && u !== null && (u as Ident)._tag === 'Ident'

/** The SQL and parameters of a raw plan for a dialect. */
export const renderRaw = (
  d: Dialect,
  plan: Raw<unknown>,
): { readonly sql: string; readonly params: ReadonlyArray<unknown> } => {
  const params: unknown[] = []
  let sql = plan.strings[0]
  plan.values.forEach((v, i) => {
    if (isIdent(v)) sql += d.quote(v.name)
    else {
      params.push(rawParam(d, v, i))
      sql += d.placeholder(params.length)
    }
    sql += plan.strings[i + 1]
  })
  return { sql, params }
}

/**
 * Runs a raw plan: decoded rows with a codec, the affected row count without. On a pool, a
 * statement that may change its session (`changesSession`) must not leave that change to the
 * next user of the connection: outside a transaction it runs on a connection reset after it (so
 * the change lasts for that statement only); inside one, the transaction's connection is reset
 * when it ends.
 */
export const runRaw = (ex: Executor, plan: Raw<unknown>): MaybePromise<unknown> => {
  const { sql, params } = renderRaw(ex.dialect, plan)
  if ((ex.reserved || ex.sessionChanged) && changesSession(sql)) {
    if (ex.sessionChanged) ex.sessionChanged()
    else return ex.reserved!((r) => Promise.resolve(rawOn(r, sql, params, plan.decode)))
  }
  return rawOn(ex, sql, params, plan.decode)
}

const rawOn = (
  ex: Executor,
  sql: string,
  params: ReadonlyArray<unknown>,
  decode: Raw<unknown>['decode'],
): MaybePromise<unknown> =>
  decode ? then(objectRows(ex, sql, params), (rows) => decodeRaw(decode, rows)) : changedRows(ex, sql, params)

/** Each row through the plan's codec; the first that does not fit is a `DecodeError`. */
const decodeRaw = (
  decode: NonNullable<Raw<unknown>['decode']>,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): unknown[] =>
  rows.map((row, i) => {
    const r = decode(row)
    if (r._tag === 'Left')
      throw new DecodeFailure(decodeError('sql', `[${i}]`, `row ${i} does not fit the codec at: ${r.left}`))
    return r.right
  })

/** Runs a bulk update in batches inside one transaction; yields the rows changed. */
export const runBulkUpdate = async (ex: Executor, plan: BulkUpdate<unknown>): Promise<number> => {
  if (plan.rows.length === 0) return 0
  return ex.transaction(async (tx) => {
    let changed = 0
    // a row binds its key and a value in each field's CASE, and its key again in the IN list
    const size = rowsPerStatement(tx.dialect, plan.batchSize, plan.fields.length * 2 + 1)
    for (let i = 0; i < plan.rows.length; i += size) {
      const c = compileBulkUpdate(tx.dialect, plan.model, plan.rows.slice(i, i + size), plan.fields)
      changed += (await tx.run(c.sql, c.params)).changes
    }
    return changed
  })
}
