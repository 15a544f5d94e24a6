/**
 * Interpreting plans: `run(db)` turns a plan into a `TaskEither`; `runPromise(db)` into a
 * Promise that rejects with the typed error. One async function per execution does the work
 * (compile, execute, decode); the `TaskEither` wraps it once at the boundary.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, TerrapinFailure, validationError } from '../errors'
import { Plan } from '../plan/ast'
import { Bound, BoundEach, Values } from '../plan/prepared'
import { Executor, MaybePromise, isPromise } from './executor'
import { runLink } from './link'
import { runDelete } from './on-delete'
import { runBulkUpdate, runRaw } from './raw'
import { select, terminal } from './read'
import { Abort, Db, fill, toError } from './statement'
import { insert, insertEach, update, upsert } from './write'

export type { Db } from './statement'

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
      return runDelete(ex, plan, (c) => fill(c, v))
    case 'Upsert':
      return upsert(ex, plan, v)
    case 'Link':
      return runLink(ex, plan)
    case 'BulkUpdate':
      return runBulkUpdate(ex, plan)
    case 'Raw':
      return runRaw(ex, plan)
  }
}

/** A plan, or a prepared plan bound to values (or to a list of them). */
export type Runnable<A> = Plan<A> | Bound<A> | BoundEach<A>

/**
 * Each value record in turn, in one transaction; synchronous rows are not awaited one by one.
 * An insert on a server is sent as multi-row INSERTs instead (one round trip per batch, not per
 * row); on SQLite one prepared statement per row is what the driver does fastest.
 */
const each = (ex: Executor, b: BoundEach<unknown>): Promise<unknown[]> =>
  b.plan._tag === 'Insert' && b.plan.returns === 'one' && !ex.sync ? insertEach(ex, b.plan, b.values) : eachInTurn(ex, b)

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
    const out = dispatch(ex, plan as Plan<unknown>, v)
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

// ------------------------------------------------------------------------------------------
// public
// ------------------------------------------------------------------------------------------

/**
 * Runs a plan on a database (or inside a transaction).
 *
 * @example
 * const books = await pipe(query(Book), where({ title__contains: 'x' }), run(db))()
 * // Either<TerrapinError, ReadonlyArray<Book>>
 */
export const run =
  (db: Db) =>
  <A>(plan: Runnable<A>): TE.TaskEither<TerrapinError, A> =>
  () =>
    execute(db.executor, plan)

/**
 * Runs a plan and resolves with its value, or rejects with a `TerrapinFailure` carrying the
 * typed error (`e.error._tag`), for async/await code.
 */
export const runPromise =
  (db: Db) =>
  async <A>(plan: Runnable<A>): Promise<A> => {
    const r = await execute(db.executor, plan)
    if (E.isLeft(r)) throw new TerrapinFailure(r.left)
    return r.right
  }
