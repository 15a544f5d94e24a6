/**
 * Interpreting plans: `run(db)` turns a plan into a `TaskEither`; `runPromise(db)` into a
 * Promise that rejects with the typed error. One async function per execution does the work
 * (compile, execute, decode); the `TaskEither` wraps it once at the boundary.
 */
import * as E from 'fp-ts/Either'
import type { IOEither } from 'fp-ts/IOEither'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, TerrapinFailure, configurationError, validationError } from '../errors'
import { BulkUpdate, Delete, Plan } from '../plan/ast'
import { Bound, BoundEach, Values } from '../plan/prepared'
import { Executor, MaybePromise, isPromise } from './executor'
import { runLink } from './link'
import { deleteWaits, runDelete } from './on-delete'
import { runBulkUpdate, runRaw } from './raw'
import { terminal } from './read'
import { select } from './prefetch'
import { Abort, Db, fill, toError } from './statement'
import { RunOptions, abortError, signalOf, signalled } from './cancel'
import { joined } from './transaction'
import { byKeys, hookedDelete, hookedUpdate, hooksOf } from './lifecycle'
import { insert, insertEach, update, upsert } from './write'

export type { Db } from './statement'
export type { RunOptions } from './cancel'

// ------------------------------------------------------------------------------------------
// execution
// ------------------------------------------------------------------------------------------

const dispatch = (ex: Executor, plan: Plan<unknown>, v: Values | undefined): MaybePromise<unknown> => {
  switch (plan._tag) {
    case 'Select':
      return select(ex, plan, v)
    case 'Terminal':
      return terminal(ex, plan, v)
    case 'Insert':
      return insert(ex, plan, v)
    case 'Update':
      return update(ex, plan, v)
    case 'Delete':
      return deleteWith(ex, plan, v)
    case 'Upsert':
      return upsert(ex, plan, v)
    case 'Link':
      return runLink(ex, plan)
    case 'BulkUpdate':
      return hooksOf(plan.model) ? bulkUpdateHooked(ex, plan) : runBulkUpdate(ex, plan)
    case 'Raw':
      return runRaw(ex, plan)
  }
}

/** A bulk update through a model with hooks: they see each row of the given keys that exists. */
const bulkUpdateHooked = (ex: Executor, plan: BulkUpdate<unknown>): Promise<number> =>
  hookedUpdate(
    ex,
    byKeys(
      plan.model,
      plan.rows.map((r) => r[plan.model.pk]),
    ),
    plan.fields,
    undefined,
    (tx) => runBulkUpdate(tx, plan),
  )

// apart from `dispatch`, whose every call would otherwise allocate the `v` this closure captures
const deleteWith = (ex: Executor, plan: Delete<unknown>, v: Values | undefined): MaybePromise<number> =>
  hooksOf(plan.source.model) ? deleteHooked(ex, plan, v) : runDelete(ex, plan, (c) => fill(c, v))

/** A delete through a model with hooks: they see each row deleted. */
const deleteHooked = (ex: Executor, plan: Delete<unknown>, v: Values | undefined): Promise<number> =>
  hookedDelete(ex, plan.source, v, (tx, keys) =>
    runDelete(tx, { _tag: 'Delete', source: byKeys(plan.source.model, keys) }),
  )

/** A plan, or a prepared plan bound to values (or to a list of them). */
export type Runnable<A> = Plan<A> | Bound<A> | BoundEach<A>

/**
 * Each value record in turn, in one transaction; synchronous rows are not awaited one by one.
 * An insert is sent as a bulk insert instead, in multi-row INSERTs: on a server one round trip
 * per batch, not per row; on SQLite too (`Dialect.insertBatch` rows each), which cost less per
 * row than one statement per row.
 */
const each = (ex: Executor, b: BoundEach<unknown>): Promise<unknown[]> =>
  b.plan._tag === 'Insert' && b.plan.returns === 'one' ? insertEach(ex, b.plan, b.values) : eachInTurn(ex, b)

/** A value problem of the i-th record names it, as `bindEach` names a missing value: `[3].title`. */
const ofRecord = (i: number, e: unknown): unknown =>
  e instanceof Abort && e.error._tag === 'ValidationError'
    ? new Abort(
        validationError(
          e.error.issues.map((x) => ({ ...x, field: `[${i}].${x.field}` })),
          e.error.model,
        ),
      )
    : e

const eachInTurn = (ex: Executor, b: BoundEach<unknown>): Promise<unknown[]> =>
  ex.transaction(async (tx) => {
    const out = new Array<unknown>(b.values.length)
    for (let i = 0; i < b.values.length; i++) {
      try {
        const r = dispatch(tx, b.plan, b.values[i])
        out[i] = isPromise(r) ? await r : r
      } catch (e) {
        throw ofRecord(i, e)
      }
    }
    return out
  })

const settle = async <A>(ex: Executor, plan: Plan<A>, v: Values | undefined): Promise<E.Either<TerrapinError, A>> => {
  try {
    if (ex.ready) await ex.ready
    return E.right((await dispatch(ex, plan as Plan<unknown>, v)) as A)
  } catch (e) {
    return E.left(toError(ex, e))
  }
}

/**
 * Executes a plan; never rejects. On a synchronous driver the whole plan (compile, execute,
 * decode) runs before the one promise this returns; otherwise one async function awaits it.
 */
export const execute = <A>(ex: Executor, runnable: Runnable<A>): Promise<E.Either<TerrapinError, A>> => {
  if (runnable.error) return Promise.resolve(E.left(runnable.error))
  if (runnable._tag === 'BoundEach') {
    if (runnable.plan.error) return Promise.resolve(E.left(runnable.plan.error))
    return (async () => {
      try {
        if (ex.ready) await ex.ready
        return E.right((await each(ex, runnable)) as A)
      } catch (e) {
        return E.left(toError(ex, e))
      }
    })()
  }
  const bound = runnable._tag === 'Bound'
  const plan = bound ? runnable.plan : runnable
  if (plan.error) return Promise.resolve(E.left(plan.error))
  const v = bound ? runnable.values : undefined
  if (ex.ready || !ex.sync) return settle(ex, plan, v)
  try {
    const out = dispatch(ex, plan, v)
    return isPromise(out)
      ? out.then(
          (a) => E.right(a as A),
          (e) => E.left(toError(ex, e)),
        )
      : Promise.resolve(E.right(out as A))
  } catch (e) {
    return Promise.resolve(E.left(toError(ex, e)))
  }
}

/**
 * Executes a plan under a run's options (`run(db, { timeoutMs, signal })`): refused before
 * anything is sent when the signal has already aborted or the deadline cannot be kept.
 */
export const executeWith = <A>(
  ex: Executor,
  runnable: Runnable<A>,
  options: RunOptions,
): Promise<E.Either<TerrapinError, A>> => {
  const signal = signalOf(ex, options)
  if (signal === undefined) return execute(ex, runnable)
  if (!(signal instanceof AbortSignal)) return Promise.resolve(E.left(signal))
  if (signal.aborted) return Promise.resolve(E.left(abortError(signal)))
  return execute(signalled(ex, signal), runnable)
}

/** Why a write through a model with hooks waits. */
const HOOKED = 'a write through a model with hooks (a transaction)'

/**
 * Why a plan cannot run to its end at once on a synchronous driver (undefined when it can):
 * reads (with their prefetch levels, one statement after the other with nothing between) and
 * the writes of one statement (raw `sql` included) run without waiting; the others wait
 * between statements (a bulk insert's transaction, get-or-create's read then insert).
 */
export const waitsFor = (ex: Executor, plan: Plan<unknown>): string | undefined => {
  switch (plan._tag) {
    case 'Select':
    case 'Terminal':
      return undefined
    case 'Insert':
      if (hooksOf(plan.model)) return HOOKED
      if (plan.returns !== 'one') return 'a bulk insert (a transaction)'
      return ex.dialect.returning && !ex.dialect.syncKey ? undefined : 'an insert read back by its key'
    case 'Update':
      return hooksOf(plan.source.model) ? HOOKED : undefined
    case 'Delete':
      if (hooksOf(plan.source.model)) return HOOKED
      return deleteWaits(ex.dialect, plan)
        ? 'a delete that first sets the referencing keys to their default (a transaction)'
        : undefined
    case 'Upsert':
      return `${plan.kind} (a read, then a write in a transaction)`
    case 'Link':
      return 'a many-to-many add or remove (a transaction)'
    case 'BulkUpdate':
      return 'a bulk update (a transaction)'
    case 'Raw':
      return undefined
  }
}

/**
 * Executes a plan at once on a synchronous driver: the same work as `execute`, no promise.
 * Refused (a Left, nothing sent) where the driver is not synchronous, where the plan would wait
 * between statements, and where the connection is not free now (another task's transaction
 * holds it, or the handle's transaction has ended).
 */
export const executeSync = <A>(ex: Executor, runnable: Runnable<A>): E.Either<TerrapinError, A> => {
  if (runnable.error) return E.left(runnable.error)
  if (runnable._tag === 'BoundEach')
    return E.left(
      configurationError('runSync runs one plan at a time: run a bindEach list with run(db), in one transaction'),
    )
  const bound = runnable._tag === 'Bound'
  const plan = (bound ? runnable.plan : runnable) as Plan<unknown>
  if (plan.error) return E.left(plan.error)
  if (!ex.sync || ex.ready)
    return E.left(configurationError(`runSync needs a synchronous driver (SQLite); on ${ex.dialect.name}, use run(db)`))
  const why = waitsFor(ex, plan)
  if (why) return E.left(configurationError(`runSync runs plans of one statement; this one is ${why}: use run(db)`))
  if (!ex.sync()) return E.left(ex.syncRefusal?.() ?? configurationError('the connection is busy'))
  try {
    const out = dispatch(ex, plan, bound ? runnable.values : undefined)
    if (isPromise(out)) {
      // not reached for the plans waitsFor lets through; never left as an unhandled rejection
      out.catch(() => undefined)
      return E.left(configurationError('runSync: this plan waits between statements; use run(db)'))
    }
    return E.right(out as A)
  } catch (e) {
    return E.left(toError(ex, e))
  }
}

// ------------------------------------------------------------------------------------------
// public
// ------------------------------------------------------------------------------------------

/**
 * Runs a plan on a database (or inside a transaction). On the database while a transaction of
 * it is open in the same async context (inside its program), the plan joins that transaction.
 * With `options`, under a deadline (`timeoutMs`, from the start of each run) and/or an
 * `AbortSignal`: a statement running when either fires is cancelled on the server (PostgreSQL,
 * MySQL/MariaDB) and the run is a `QueryError` of code `'TIMEOUT'` or `'CANCELLED'`.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const books = await pipe(query(Book), where({ title__contains: 'x' }), run(db))() // Either<TerrapinError, ReadonlyArray<Book>>
 * console.log(books)
 * //> { _tag: 'Right', right: [] }
 * const cancel = new AbortController()
 * cancel.abort()
 * const stopped = await pipe(query(Book), count, run(db, { signal: cancel.signal }))()
 * console.log(stopped._tag === 'Left' && stopped.left._tag === 'QueryError' && stopped.left.code)
 * //> CANCELLED
 * await close(db)
 * ```
 */
export const run = (db: Db, options?: RunOptions): (<A>(plan: Runnable<A>) => TE.TaskEither<TerrapinError, A>) =>
  options === undefined
    ? (plan) => () => execute(joined(db.executor), plan)
    : (plan) => () => executeWith(joined(db.executor), plan, options)

/**
 * Runs a plan at once on a synchronous driver (SQLite through better-sqlite3), as an `IOEither`:
 * the same plans, SQL, values and errors as `run(db)`, without a promise. For reads (a select or
 * terminal, with its prefetch levels) and writes of one statement: an insert of one row, an
 * update, a delete, a raw `sql` plan.
 * Anything else, another dialect, or a database that a transaction of another task holds now
 * (which `run` would wait for) is a Left and sends nothing.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const n = pipe(query(Book), count, runSync(db))() // Either<TerrapinError, number>, with no await
 * console.log(n)
 * //> { _tag: 'Right', right: 0 }
 * await close(db)
 * ```
 */
export const runSync =
  (db: Db) =>
  <A>(plan: Runnable<A>): IOEither<TerrapinError, A> =>
  () =>
    executeSync(joined(db.executor), plan)

/**
 * Runs a plan and resolves with its value, or rejects with a `TerrapinFailure` carrying the
 * typed error (`e.error._tag`), for async/await code.
 */
export const runPromise =
  (db: Db, options?: RunOptions) =>
  async <A>(plan: Runnable<A>): Promise<A> => {
    const ex = joined(db.executor)
    const r = await (options === undefined ? execute(ex, plan) : executeWith(ex, plan, options))
    if (E.isLeft(r)) throw new TerrapinFailure(r.left)
    return r.right
  }
