/**
 * Writes: inserts (defaults filled in when the plan runs, batches, the no-RETURNING path),
 * updates (`autoNow` refreshed) and tortoise's get-or-create, update-or-create and save.
 */
import * as E from 'fp-ts/Either'
import { compileWith } from '../compile'
import { rowsPerStatement } from '../compile/bulk'
import { compileByPk } from '../compile/sql'
import { Model } from '../model/model'
import { checkColumnValue, validateInput } from '../model/validate'
import { ValidationIssue, validationError } from '../errors'
import { Insert, Select, Update, Upsert, isEmpty, isParam } from '../plan/ast'
import { Values } from '../plan/prepared'
import { Executor, MaybePromise } from './executor'
import { byKeys, hookedInsert, hookedUpdate, hooksOf } from './lifecycle'
import { atomic } from './transaction'
import { terminal } from './read'
import { Abort, changedRows, fill, paramsOf, readOne, readRows, runStatement, then, toError } from './statement'

/** Applies defaults, `autoNow` and `autoNowAdd` to a validated row being inserted. */
type Options = { default?: unknown; autoNow?: boolean; autoNowAdd?: boolean }

/** `f` once per model; the model asked last is answered without a lookup (writes repeat a model). */
const memo = <A>(f: (m: Model) => A): ((m: Model) => A) => {
  const cache = new WeakMap<Model, A>()
  let lastModel: Model | undefined
  let last: A | undefined
  return (m) => {
    if (m === lastModel) return last as A
    let a = cache.get(m)
    if (a === undefined) cache.set(m, (a = f(m)))
    lastModel = m
    last = a
    return a
  }
}

/** The columns an insert fills in when a row omits them, once per model. */
const defaulted = memo((m) =>
  m.columns.filter((c) => {
    const o = c.field.options as Options
    return o.autoNow || o.autoNowAdd || o.default !== undefined
  }),
)

/** The columns every update refreshes, once per model. */
const autoNowColumns = memo((m) => m.columns.filter((c) => (c.field.options as Options).autoNow))

/** Whether a model has `autoNow` or `autoNowAdd` columns, once per model. */
const stamped = memo((m) =>
  m.columns.some((c) => (c.field.options as Options).autoNow || (c.field.options as Options).autoNowAdd),
)

/** The time an insert stamps its rows with, when its model has columns to stamp (one for all its rows). */
const insertTime = (model: Model): Date | undefined => (stamped(model) ? new Date() : undefined)

/** The row itself when it needs nothing filled in (so a prepared insert keeps its plan). */
const withDefaults = (
  model: Model,
  row: Readonly<Record<string, unknown>>,
  time: Date | undefined,
): Readonly<Record<string, unknown>> => {
  let out: Record<string, unknown> | undefined
  for (const col of defaulted(model)) {
    if (col.key in row) continue
    out ??= { ...row }
    const o = col.field.options as Options
    if (o.autoNow || o.autoNowAdd) out[col.key] = time
    else out[col.key] = typeof o.default === 'function' ? (o.default as () => unknown)() : o.default
  }
  return out ?? row
}

/** `autoNow` fields are refreshed by every update that doesn't set them. */
const withAutoNow = (model: Model, patch: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const cols = autoNowColumns(model)
  if (cols.length === 0) return patch
  const extra = cols.filter((c) => !(c.key in patch))
  if (extra.length === 0) return patch
  const now = new Date()
  return { ...patch, ...Object.fromEntries(extra.map((c) => [c.key, now])) }
}

/** Whether a row gives exactly the keys listed (in any order). */
const sameKeys = (row: Readonly<Record<string, unknown>>, keys: ReadonlyArray<string>): boolean => {
  let n = 0
  for (const k in row) {
    if (!keys.includes(k)) return false
    n++
  }
  return n === keys.length
}

/** Positions of the rows, grouped by the set of keys they give (one INSERT shape per group). */
const groupByKeys = (rows: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<ReadonlyArray<number>> => {
  // Usually every row gives the same keys: one group, found without sorting any key list.
  const first = Object.keys(rows[0])
  if (rows.every((r) => sameKeys(r, first))) return [rows.map((_, i) => i)]
  const groups = new Map<string, number[]>()
  rows.forEach((r, i) => {
    const k = Object.keys(r).sort().join('\u0000')
    const g = groups.get(k)
    if (g) g.push(i)
    else groups.set(k, [i])
  })
  return [...groups.values()]
}

const insertBatch = async (
  ex: Executor,
  plan: Insert<unknown>,
  rows: ReadonlyArray<Record<string, unknown>>,
  v: Values | undefined,
): Promise<unknown[]> => {
  const c = fill(compileWith(ex.dialect, { ...plan, rows }), v)
  if (ex.dialect.returning) return readRows(ex, c, plan.model.name, 'Rows')
  // Without RETURNING (MySQL): the insert id, then a re-read on the same connection, which on
  // a pool means inside one transaction.
  if (!ex.inTransaction && !ex.oneConnection) return ex.transaction((tx) => insertBatch(tx, plan, rows, v))
  const r = await runStatement(ex, c.sql, c.params)
  const pk = plan.model.columnByKey[plan.model.pk]
  const given = rows.map((row) => row[pk.key])
  // One multi-row INSERT takes evenly spaced auto-increment values, and reports the first or the
  // last (`insertIdRow`).
  const generated = given.some((g) => g === undefined)
  const step =
    generated && rows.length > 1 && ex.dialect.autoIncrementStep
      ? Number((await ex.all(ex.dialect.autoIncrementStep, [], false))[0][0])
      : 1
  const first = Number(r.lastInsertRowid) - (ex.dialect.insertIdRow === 'last' ? rows.length - 1 : 0)
  const ids = generated ? rows.map((_, i) => first + i * step) : given
  if (r.changes !== rows.length) return [] // ignoreConflicts skipped some: which ones is unknown
  const found = (await readRows(ex, compileByPk(ex.dialect, plan.model, ids), plan.model.name, 'Rows')) as Record<
    string,
    unknown
  >[]
  const byId = new Map(found.map((row) => [String(row[pk.key]), row]))
  return ids.map((id) => byId.get(String(id))).filter((row) => row !== undefined)
}

/**
 * One row inserted with RETURNING: no promise on a synchronous driver. When nothing was filled
 * in, the plan itself compiles (found by identity when it is prepared).
 */
const insertReturning = (
  ex: Executor,
  plan: Insert<unknown>,
  row: Readonly<Record<string, unknown>>,
  v: Values | undefined,
): MaybePromise<unknown[]> => {
  const same = plan.rows.length === 1 && row === plan.rows[0]
  const c = compileWith(ex.dialect, same ? plan : { ...plan, rows: [row] }, same && v !== undefined)
  const params = paramsOf(c, v)
  return readOne(ex, c, plan.model.name, 'Rows', params) ?? readRows(ex, c, plan.model.name, 'Rows', params)
}

/** Whether rows give explicit values for a key the database generates. */
const explicitKey = (model: Model, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): boolean => {
  const pk = model.columnByKey[model.pk]
  return pk.scalar.options.generated === true && rows.some((r) => r[pk.key] !== undefined && r[pk.key] !== null)
}

/**
 * Inserts; after explicit values for a generated key, moves the key generator past them where
 * the dialect needs it (PostgreSQL), so that the next generated key does not collide.
 */
export const insert = (ex: Executor, plan: Insert<unknown>, v: Values | undefined): MaybePromise<unknown> =>
  hooksOf(plan.model) ? hookedInsert(ex, plan, v, insertUnhooked) : insertUnhooked(ex, plan, v)

const insertUnhooked = (ex: Executor, plan: Insert<unknown>, v: Values | undefined): MaybePromise<unknown> => {
  const out = insertRows(ex, plan, v)
  const sync = ex.dialect.syncKey
  if (!sync || !explicitKey(plan.model, plan.rows)) return out
  return then(out, (r) =>
    then(ex.run(sync(plan.model.table, plan.model.columnByKey[plan.model.pk].column), []), () => r),
  )
}

/**
 * Where INSERT IGNORE skips more than unique conflicts (MySQL drops a row with a missing foreign
 * key with a warning, where PostgreSQL and SQLite fail), any warning but a skipped duplicate is
 * raised as the error it stands for, on the transaction's own connection.
 */
const onlyConflictsIgnored = async (tx: Executor): Promise<void> => {
  const ignored = tx.dialect.ignoredWarnings
  if (!ignored) return
  for (const w of await tx.all(ignored.sql, [], false)) {
    const error = ignored.error(w)
    if (error !== undefined) throw new Abort(tx.classify(error, 'INSERT IGNORE'))
  }
}

const firstRow = (rows: ReadonlyArray<unknown>): unknown => rows[0]

const insertRows = (ex: Executor, plan: Insert<unknown>, v: Values | undefined): MaybePromise<unknown> => {
  const time = insertTime(plan.model)
  if (plan.returns !== 'one') return insertMany(ex, plan, time, v)
  const row = withDefaults(plan.model, plan.rows[0], time)
  return then(ex.dialect.returning ? insertReturning(ex, plan, row, v) : insertBatch(ex, plan, [row], v), firstRow)
}

/** Rows in batches in one transaction (apart from `insertRows`, whose every call its closures would cost). */
const insertMany = (
  ex: Executor,
  plan: Insert<unknown>,
  time: Date | undefined,
  v: Values | undefined,
): MaybePromise<unknown[]> => {
  const rows = plan.rows.map((r) => withDefaults(plan.model, r, time))
  if (rows.length === 0) return []
  // Rows come back in the order given, though rows of different shapes are inserted apart
  // (with ignoreConflicts, the rows inserted, in insertion order: which were skipped is not known).
  const go = async (tx: Executor): Promise<unknown[]> => {
    const placed = new Array<unknown>(rows.length)
    const out: unknown[] = []
    let complete = true
    for (const group of groupByKeys(rows)) {
      const size = rowsPerStatement(
        tx.dialect,
        plan.batchSize ?? tx.dialect.insertBatch,
        Object.keys(rows[group[0]]).length,
      )
      for (let i = 0; i < group.length; i += size) {
        const at = group.slice(i, i + size)
        const made = await insertBatch(
          tx,
          plan,
          at.map((j) => rows[j]),
          v,
        )
        if (plan.ignoreConflicts) await onlyConflictsIgnored(tx)
        if (made.length === at.length) at.forEach((j, n) => (placed[j] = made[n]))
        else complete = false
        out.push(...made)
      }
    }
    return complete ? placed : out
  }
  return ex.transaction(go)
}

/**
 * A prepared one-row insert run with many value records (`bindEach`), as one bulk insert: every
 * record's values checked first (a problem names the record, `[3].title`, and sends no SQL),
 * then the rows inserted in batches in one transaction, returned in the order given.
 */
export const insertEach = async (
  ex: Executor,
  plan: Insert<unknown>,
  values: ReadonlyArray<Values>,
): Promise<unknown[]> => {
  const template = plan.rows[0]
  const issues: ValidationIssue[] = []
  const rows = values.map((v, i) => {
    const row: Record<string, unknown> = {}
    for (const k in template) {
      const x = template[k]
      if (!isParam(x)) {
        row[k] = x
        continue
      }
      const value = v[x.name]
      const problem = checkColumnValue(plan.model.columnByKey[k], value)[0]
      if (problem) issues.push({ field: `[${i}].${x.name}`, message: problem })
      row[k] = value
    }
    return row
  })
  if (issues.length > 0) throw new Abort(validationError(issues, plan.model.name))
  return (await insert(ex, { _tag: 'Insert', model: plan.model, rows, returns: 'many' }, undefined)) as unknown[]
}

/** Runs an update plan; through a model with hooks, they see each row changed. */
export const update = (ex: Executor, plan: Update<unknown>, v: Values | undefined): MaybePromise<number> => {
  const model = plan.source.model
  if (!hooksOf(model)) return updateUnhooked(ex, plan, v)
  return hookedUpdate(ex, plan.source, Object.keys(plan.patch), v, (tx, keys) =>
    updateUnhooked(tx, { _tag: 'Update', source: byKeys(model, keys), patch: plan.patch }, v),
  )
}

const updateUnhooked = (ex: Executor, plan: Update<unknown>, v: Values | undefined): MaybePromise<number> => {
  const patch = withAutoNow(plan.source.model, plan.patch)
  // save() of a row with nothing to change: no statement to send (the patch is never empty otherwise).
  if (isEmpty(patch)) return 0
  const c = compileWith(
    ex.dialect,
    patch === plan.patch ? plan : { ...plan, patch },
    v !== undefined && patch === plan.patch,
  )
  return changedRows(ex, c.sql, paramsOf(c, v))
}

const isUnique = (ex: Executor, e: unknown): boolean => {
  const err = toError(ex, e)
  return err._tag === 'IntegrityError' && err.kind === 'unique'
}

const createRow = (ex: Executor, model: Model, data: Readonly<Record<string, unknown>>): Promise<unknown> => {
  const valid = validateInput(model, data, 'create')
  if (E.isLeft(valid)) return Promise.reject(new Abort(valid.left))
  return Promise.resolve(insert(ex, { _tag: 'Insert', model, rows: [valid.right], returns: 'one' }, undefined))
}

/**
 * get-or-create, update-or-create and save, as tortoise does them: read; when nothing is
 * found, insert in a transaction of its own (a savepoint inside the caller's); when that insert
 * loses a race to a concurrent one (a unique violation), read again — a new statement outside
 * the failed transaction, so it sees the winner's committed row on every dialect (MySQL's
 * REPEATABLE READ snapshot would hide it from a read inside the same transaction).
 */
export const upsert = async (ex: Executor, plan: Upsert<unknown>, v: Values | undefined): Promise<unknown> => {
  const model = plan.lookup.model
  const getOne = () =>
    terminal(ex, { _tag: 'Terminal', kind: 'getOrNone', source: plan.lookup }, v) as Promise<Record<
      string,
      unknown
    > | null>
  const byPk = (row: Record<string, unknown>): Select<unknown> => ({
    ...plan.lookup,
    where: { _tag: 'Cond', path: [], key: model.pk, lookup: 'exact', value: row[model.pk] },
  })
  const existing = async (row: Record<string, unknown>): Promise<unknown> => {
    if (plan.kind === 'getOrCreate') return [row, false]
    if (Object.keys(plan.defaults).length > 0 || plan.kind === 'save')
      await update(ex, { _tag: 'Update', source: byPk(row), patch: plan.defaults }, v)
    const fresh = await terminal(ex, { _tag: 'Terminal', kind: 'get', source: byPk(row) }, v)
    return plan.kind === 'save' ? fresh : [fresh, false]
  }
  if (plan.kind === 'save' && Object.keys(plan.create).length === 0) return createRow(ex, model, plan.defaults)
  const found = await getOne()
  if (found) return existing(found)
  try {
    const made = (tx: Executor) => createRow(tx, model, { ...plan.create, ...plan.defaults })
    // with hooks, a transaction whose handle `run(db)` in a hook joins
    const row = await (hooksOf(model) ? atomic(ex, made) : ex.transaction(made))
    return plan.kind === 'save' ? row : [row, true]
  } catch (e) {
    const theirs = isUnique(ex, e) ? await getOne() : null
    if (!theirs) throw e
    return existing(theirs)
  }
}
