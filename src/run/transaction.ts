/**
 * The transaction effect: `BEGIN`, the program, then `COMMIT` when it returns Right and
 * `ROLLBACK` when it returns Left or throws. A transaction holds one connection; nested calls
 * use SAVEPOINTs, so an inner failure rolls back only the inner part.
 *
 * The program's handle lives as long as its transaction: statements it started and that are
 * still running when the program returns are waited for (part of the transaction, as if the
 * program had awaited them; failing them instead could not be the same on SQLite, where a
 * statement has run by the time it is started), and from then on the handle sends nothing: a
 * statement, stream or nested transaction on it is a `TransactionError`. Without this, a
 * handle kept past its transaction ran its statements on a connection back in the pool
 * (PostgreSQL, MySQL) or on SQLite's one connection, outside the transaction or inside another.
 *
 * A statement the database refused poisons its transaction (or savepoint), as PostgreSQL does
 * and Django's `atomic`: the handle sends nothing more, and the transaction rolls back at its
 * end whatever the program returns. PostgreSQL would do so on its own; MySQL and SQLite would
 * let the program go on and commit half of its work, so the bookkeeping is terrapin's, here,
 * the same for all three.
 *
 * A plan run on the database itself (`run(db)`) inside a transaction of that database, in the
 * same async context, joins the transaction: its innermost open savepoint is found through an
 * async context, looked up only while some transaction is open.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  TerrapinError,
  TerrapinFailure,
  configurationError,
  isRetryable,
  isTerrapinError,
  transactionError,
} from '../errors'
import { DecodeFailure } from './decode'
import { context as asyncContext } from './context'
import { OpenStreams, endable } from './endable'
import { Executor, Isolation, SyncCalls } from './executor'
import { Abort, Db, makeDb, toError } from './statement'

export type { Isolation } from './executor'

/** Carries the program's Left out of the executor's transaction so that it rolls back. */
class Rollback<L> extends Error {
  constructor(readonly left: L) {
    super('rollback')
  }
}

// ------------------------------------------------------------------------------------------
// the handle's life
// ------------------------------------------------------------------------------------------

/** The statement that poisoned a transaction, and how the database refused it. */
interface Poison {
  readonly error: TerrapinError
}

/** A transaction (or savepoint) as its program's handle sees it. */
interface Scope {
  readonly parent: Scope | undefined
  /** The database handle's executor the outermost transaction was begun on (what `run(db)` joins). */
  readonly root: Executor
  ended: boolean
  /** Statements, batches of a stream and nested transactions not yet settled. */
  running: number
  /** Called when `running` drops to 0. */
  idle: (() => void) | undefined
  /** How to close each stream left open. */
  readonly streams: OpenStreams
  /** Set by the first statement the database refused in this scope (or, for the whole transaction, in a savepoint of it). */
  poison: Poison | undefined
  /** The synchronous driver's calls, watched for failures (made once per scope). */
  direct: SyncCalls | undefined
}

const scopeIn = (parent: Scope | undefined, root: Executor): Scope => ({
  parent,
  root,
  ended: false,
  running: 0,
  idle: undefined,
  streams: new Set(),
  poison: undefined,
  direct: undefined,
})

/** A savepoint ends with its transaction, too. */
const isOpen = (s: Scope): boolean => !s.ended && (s.parent === undefined || isOpen(s.parent))

/** The failure that poisoned this scope or one around it. */
const poisonOf = (s: Scope): Poison | undefined => s.poison ?? (s.parent && poisonOf(s.parent))

const ended = (): TerrapinFailure =>
  new TerrapinFailure(
    transactionError(
      'this transaction has ended (committed, rolled back, or its connection lost): its handle runs nothing more; nothing was sent. Run the statement inside the transaction, or on the database',
    ),
  )

const describe = (e: TerrapinError): string => `${e._tag}: ${e.message}`

/**
 * What a poisoned transaction fails with: a lost connection as itself (as the runners tell it,
 * as when it is lost at any other time), else a TransactionError saying `why` of the failure.
 */
const poisoned = (p: Poison, why: (failure: string) => string, retryable: boolean): TerrapinFailure =>
  new TerrapinFailure(
    p.error._tag === 'ConnectionError' ? p.error : transactionError(why(describe(p.error)), retryable, p.error),
  )

/** A statement refused because an earlier one failed. */
const refused = (p: Poison): TerrapinFailure =>
  poisoned(
    p,
    (failure) =>
      `an earlier statement in this transaction failed (${failure}), so the transaction rolls back at its end and runs nothing more; nothing was sent. To go on after a statement that may fail, run it in a nested transaction(tx, …): its failure rolls back only that savepoint`,
    false,
  )

/** The result of a program that returned Right in a poisoned transaction. */
const rolledBack = (p: Poison): TerrapinFailure =>
  poisoned(
    p,
    (failure) =>
      `the transaction was rolled back because a statement in it failed (${failure}); to go on after a statement that may fail, run it in a nested transaction(tx, …)`,
    isRetryable(p.error),
  )

/**
 * Records a statement's failure in its scope when the database refused it (what terrapin refused
 * itself, before sending, or failed to decode, the database never saw). A retryable failure
 * (deadlock, serialization failure, busy) or a lost connection poisons the whole transaction,
 * savepoints included: the database may have rolled all of it back already (MySQL after a
 * deadlock), and retrying means running it again from its start.
 */
const taint = (ex: Executor, s: Scope, e: unknown, sql: string): void => {
  if (e instanceof TerrapinFailure || e instanceof Abort || e instanceof DecodeFailure || isTerrapinError(e)) return
  const error = ex.classify(e, sql)
  const whole = isRetryable(error) || error._tag === 'ConnectionError'
  for (let x: Scope | undefined = s; x; x = whole ? x.parent : undefined) x.poison ??= { error }
}

/** One piece of the program's work: refused once the transaction has ended or is poisoned, counted while it runs. */
const counted = async <A>(s: Scope, f: () => Promise<A>, ex?: Executor, sql?: string): Promise<A> => {
  if (!isOpen(s)) throw ended()
  const p = poisonOf(s)
  if (p) throw refused(p)
  s.running++
  try {
    return await f()
  } catch (e) {
    if (ex) taint(ex, s, e, sql!)
    throw e
  } finally {
    if (--s.running === 0) s.idle?.()
  }
}

/**
 * Ends the handle once the program has returned: waits for what is still running (statements
 * it started, and those these start in turn), closes the streams left open, then refuses
 * everything.
 */
const finish = async (s: Scope): Promise<void> => {
  while (s.running > 0 || s.streams.size > 0) {
    if (s.running > 0) await new Promise<void>((r) => (s.idle = r))
    else await Promise.allSettled([...s.streams].map((close) => close()))
    // what just settled may start more statements in turn, a few promise hops later
    await new Promise((r) => setImmediate(r))
  }
  s.ended = true
}

/** A synchronous driver's calls whose failures poison the scope. */
const watchedCalls = (ex: Executor, s: Scope, calls: SyncCalls): SyncCalls => {
  const watch =
    <X, A>(f: (sql: string, params: ReadonlyArray<unknown>, x: X) => A) =>
    (sql: string, params: ReadonlyArray<unknown>, x?: X): A => {
      try {
        return f(sql, params, x as X)
      } catch (e) {
        taint(ex, s, e, sql)
        throw e
      }
    }
  return {
    all: watch(calls.all),
    run: watch(calls.run),
    one: calls.one && watch(calls.one),
    objects: calls.objects && watch(calls.objects),
  }
}

/** The scope's watched synchronous calls, when the driver's may be used now. */
const syncOf = (ex: Executor, s: Scope): SyncCalls | undefined => {
  if (!isOpen(s) || poisonOf(s)) return undefined
  const calls = ex.sync!()
  return calls && (s.direct ??= watchedCalls(ex, s, calls))
}

/**
 * The handle a program gets: the runner's transaction executor, each call counted in the scope
 * and refused once it has ended or is poisoned. A nested transaction is one piece of the outer
 * scope's work, and its program gets a handle of its own.
 */
const scoped = (ex: Executor, s: Scope): Executor =>
  // Inherits from the runner's executor, so that its getters (`dialect`, `ready`) stay live.
  Object.create(ex, {
    all: {
      value: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) =>
        counted(s, () => ex.all(sql, params, bigint), ex, sql),
      enumerable: true,
    },
    decoded: {
      value:
        ex.decoded &&
        (<A>(
          sql: string,
          params: ReadonlyArray<unknown>,
          bigint: boolean,
          decode: (row: ReadonlyArray<unknown>) => A,
        ) => counted(s, () => ex.decoded!(sql, params, bigint, decode), ex, sql)),
      enumerable: true,
    },
    run: {
      value: (sql: string, params: ReadonlyArray<unknown>) => counted(s, () => ex.run(sql, params), ex, sql),
      enumerable: true,
    },
    allObjects: {
      value:
        ex.allObjects &&
        ((sql: string, params: ReadonlyArray<unknown>) => counted(s, () => ex.allObjects!(sql, params), ex, sql)),
      enumerable: true,
    },
    // a synchronous driver's call runs at once: nothing to wait for, only the end to respect
    sync: { value: ex.sync && (() => syncOf(ex, s)), enumerable: true },
    syncRefusal: {
      value: () => {
        if (!isOpen(s)) return ended().error
        const p = poisonOf(s)
        return p ? refused(p).error : (ex.syncRefusal?.() ?? transactionError('the connection is busy'))
      },
      enumerable: true,
    },
    stream: {
      value:
        ex.stream &&
        ((sql: string, params: ReadonlyArray<unknown>, bigint: boolean, batchSize: number) =>
          // each batch counted, refused after the end, closed when left open
          endable(
            { open: s.streams, isOpen: () => isOpen(s), refused: ended, step: (next) => counted(s, next, ex, sql) },
            () => ex.stream!(sql, params, bigint, batchSize),
          )),
      enumerable: true,
    },
    transaction: {
      value: <A>(f: (tx: Executor) => Promise<A>) => counted(s, () => within(ex, s, s.root, f)),
      enumerable: true,
    },
    // a run's signal on the handle: the runner's view of the transaction, scoped alike
    withSignal: {
      value: ex.withSignal && ((signal: AbortSignal) => scoped(ex.withSignal!(signal), s)),
      enumerable: true,
    },
  }) as Executor

// ------------------------------------------------------------------------------------------
// joining: run(db) inside a transaction of db
// ------------------------------------------------------------------------------------------

/** An open transaction (or savepoint) of the async context, innermost first. */
interface Frame {
  readonly scope: Scope
  readonly handle: Executor
  readonly outer: Frame | undefined
}

/** The open transactions of each async context (looked up only while some transaction is open). */
const frames = asyncContext<Frame>()

/**
 * The executor a plan run on `ex` uses: the handle of the innermost open transaction of `ex` in
 * the caller's async context, else `ex` itself.
 */
export const joined = (ex: Executor): Executor => {
  for (let f = frames.get(); f; f = f.outer) if (f.scope.root === ex && isOpen(f.scope)) return f.handle
  return ex
}

/**
 * Runs `f` in a transaction of `ex` (a savepoint when `parent` is given) with a scoped handle,
 * which ends when `f` has finished. (A transaction can end before: PostgreSQL's when its
 * connection is lost. The program may still be running then, and its statements are the
 * runner's to refuse, with the ConnectionError that tells it why.) A program that returns while
 * its transaction is poisoned fails with the statement that poisoned it, so that it rolls back.
 */
const within = <A>(
  ex: Executor,
  parent: Scope | undefined,
  root: Executor,
  f: (tx: Executor) => Promise<A>,
  isolation?: Isolation,
): Promise<A> =>
  ex.transaction(async (raw) => {
    const s = scopeIn(parent, root)
    const handle = scoped(raw, s)
    try {
      const out = await frames.run({ scope: s, handle, outer: frames.get() }, () => f(handle))
      await finish(s)
      const p = poisonOf(s)
      if (p) throw rolledBack(p)
      return out
    } catch (e) {
      await finish(s)
      throw e
    }
  }, isolation)

/** The transaction's options, checked before anything is sent. */
const checked = (ex: Executor, options: TransactionOptions): TerrapinError | undefined => {
  const { isolation, retry } = options
  if (isolation !== undefined && !ISOLATIONS.has(isolation))
    return configurationError(
      `isolation must be one of ${[...ISOLATIONS].map((i) => `'${i}'`).join(', ')}, got ${JSON.stringify(isolation)}`,
    )
  if (retry !== undefined && (!Number.isSafeInteger(retry.attempts) || retry.attempts < 1))
    return configurationError(
      `retry.attempts must be a positive integer (the number of runs in all), got ${JSON.stringify(retry.attempts)}`,
    )
  const nested = ex.inTransaction || joined(ex) !== ex
  if (nested && isolation !== undefined)
    return configurationError(
      "isolation is set where a transaction begins: a nested transaction (a savepoint) runs with its transaction's isolation",
    )
  if (nested && retry !== undefined)
    return configurationError(
      'retry runs a whole transaction again: a nested transaction (a savepoint) cannot be retried alone; set retry on the outermost one',
    )
  return undefined
}

/**
 * Begins a transaction of `ex`: a savepoint when `ex` is a program's handle, or when a
 * transaction of `ex` is open in this async context (which the new one then joins).
 */
const begin = <A>(ex: Executor, f: (tx: Executor) => Promise<A>, isolation: Isolation | undefined): Promise<A> => {
  if (ex.inTransaction) return ex.transaction(f)
  const j = joined(ex)
  return j === ex ? within(ex, undefined, ex, f, isolation) : j.transaction(f)
}

/**
 * Runs `f` as one statement's own transaction: a savepoint inside the caller's (of the handle,
 * or joined), else a transaction of its own, with a handle that plans run on `db` join.
 */
export const atomic = <A>(ex: Executor, f: (tx: Executor) => Promise<A>): Promise<A> => begin(ex, f, undefined)

// ------------------------------------------------------------------------------------------
// public
// ------------------------------------------------------------------------------------------

const ISOLATIONS: ReadonlySet<Isolation> = new Set<Isolation>(['read committed', 'repeatable read', 'serializable'])

/** How a transaction that failed with a retryable error runs again. */
export interface RetryOptions {
  /** Runs in all, the first included (at least 1). */
  readonly attempts: number
  /**
   * The wait before each new run: a function of the number of runs that have failed, or a base
   * in milliseconds (default 10) that doubles after each failed run, up to a second, of which a
   * random part is waited (so that transactions that collided do not collide again).
   */
  readonly backoffMs?: number | ((failedRuns: number) => number)
}

/** Options of an outermost transaction (a nested one, a savepoint, takes none). */
export interface TransactionOptions {
  /**
   * The isolation level (default: the database's, READ COMMITTED on PostgreSQL, REPEATABLE READ
   * on MySQL). SQLite's transactions are always serializable, which every level allows.
   */
  readonly isolation?: Isolation
  /** Run the whole program again on a retryable error (deadlock, serialization failure, busy database). */
  readonly retry?: RetryOptions
}

const waitBefore = (retry: RetryOptions, failedRuns: number): Promise<void> => {
  const b = retry.backoffMs
  const ms = typeof b === 'function' ? b(failedRuns) : Math.random() * Math.min(1000, (b ?? 10) * 2 ** (failedRuns - 1))
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve()
}

/** The error of a transaction that failed with a retryable error on every run. */
const gaveUp = (runs: number, last: TerrapinError): TerrapinError =>
  transactionError(
    `the transaction failed on all ${runs} runs (retry.attempts) with a retryable error; the last: ${describe(last)}`,
    true,
    last,
  )

/** Whether a run's failure is one to run the transaction again for. */
const retryable = (e: unknown): e is TerrapinError => isTerrapinError(e) && isRetryable(e)

/**
 * Runs `attempt` up to `retry.attempts` times while it fails with a retryable error; after the
 * last, that error is wrapped in one that says how many runs were made.
 */
const withRetry = async <R>(
  retry: RetryOptions | undefined,
  attempt: () => Promise<R>,
  failure: (r: R) => unknown,
  wrap: (e: TerrapinError) => R,
): Promise<R> => {
  const runs = retry?.attempts ?? 1
  for (let n = 1; ; n++) {
    const r = await attempt()
    const e = failure(r)
    if (!retryable(e)) return r
    if (n >= runs) return runs > 1 ? wrap(gaveUp(n, e)) : r
    await waitBefore(retry!, n)
  }
}

/**
 * A transaction's lost connection is retryable: the runners tell a loss during COMMIT, whose
 * outcome is unknown, as a `TransactionError` of its own, so this one came before COMMIT was
 * sent, and the server rolled the transaction back.
 */
const beforeCommit = (e: TerrapinError): TerrapinError =>
  e._tag === 'ConnectionError' && !e.retryable ? { ...e, retryable: true } : e

const once = async <L, A>(
  db: Db,
  program: (tx: Db) => TE.TaskEither<L, A>,
  isolation: Isolation | undefined,
): Promise<E.Either<L | TerrapinError, A>> => {
  try {
    return E.right(
      await begin(
        db.executor,
        async (ex) => {
          const r = await program(makeDb(ex))()
          if (E.isLeft(r)) throw new Rollback(r.left)
          return r.right
        },
        isolation,
      ),
    )
  } catch (e) {
    // (a Left is never committed: a lost connection in it is as retryable as the runner's)
    if (e instanceof Rollback) return E.left((isTerrapinError(e.left) ? beforeCommit(e.left) : e.left) as L)
    if (e instanceof TerrapinFailure) return E.left(beforeCommit(e.error))
    if (isTerrapinError(e)) return E.left(beforeCommit(e))
    const err = toError(db.executor, e)
    return E.left(
      err._tag === 'QueryError' && err.message.startsWith('unexpected error')
        ? transactionError(`transaction rolled back: ${(e as Error).message}`, false, e)
        : beforeCommit(err),
    )
  }
}

/**
 * Runs a program in a transaction. Commits when it returns Right; rolls back when it returns
 * Left (which is returned) or throws (returned as a `TransactionError` holding the cause).
 * Statements the program started are part of the transaction even if it did not await them:
 * the transaction waits for them before it ends. After the end, `tx` runs nothing: each
 * statement on it is a `TransactionError`.
 *
 * A statement the database refuses poisons the transaction: later statements on `tx` are a
 * `TransactionError` (nothing sent), and a program that returns Right after it gets a
 * `TransactionError` that names the failure (its `cause`), the transaction rolled back. Run a
 * statement that may fail in a nested `transaction(tx, …)` (a savepoint) to go on after it.
 * Plans run on `db` itself inside the program join the transaction.
 *
 * @example
 * ```ts
 * import { chain, chainW, left } from 'fp-ts/lib/TaskEither.js'
 *
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const stopped = await transaction(db, (tx) => pipe(create(Author, { name: 'A' }), run(tx), chainW(() => left('stop'))))()
 * console.log(stopped, await pipe(query(Author), count, runPromise(db))) // ROLLBACK: nothing is written
 * //> { _tag: 'Left', left: 'stop' } 0
 * const renamed = await transaction(
 *   db,
 *   (tx) =>
 *     pipe(
 *       create(Author, { name: 'B' }),
 *       run(tx),
 *       chain((a) => pipe(query(Author), where({ id: a.id }), update({ name: 'C' }), run(tx))),
 *     ),
 *   { isolation: 'serializable', retry: { attempts: 10 } },
 * )()
 * console.log(renamed)
 * //> { _tag: 'Right', right: 1 }
 * await close(db)
 * ```
 */
export const transaction =
  <L, A>(
    db: Db,
    program: (tx: Db) => TE.TaskEither<L, A>,
    options: TransactionOptions = {},
  ): TE.TaskEither<L | TerrapinError, A> =>
  async () => {
    const bad = checked(db.executor, options)
    if (bad) return E.left(bad)
    return withRetry(
      options.retry,
      () => once(db, program, options.isolation),
      (r) => (E.isLeft(r) ? r.left : undefined),
      (e) => E.left(e),
    )
  }

/**
 * The async/await form, as tortoise's `in_transaction`: commits when the function resolves,
 * rolls back and rejects with the same error when it throws. When the transaction itself fails
 * (BEGIN or COMMIT refused, the connection lost, a statement in it failed while the function
 * resolved) it rejects with a `TerrapinFailure` holding the typed error. The handle lives as long
 * as the transaction, as for `transaction`, and the options are the same; with `retry`, a
 * function that throws a `TerrapinFailure` of a retryable error (what `runPromise` rejects
 * with) runs again.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * await inTransaction(db, async (tx) => {
 *   await runPromise(tx)(create(Author, { name: 'a' }))
 *   throw new Error('no')
 * }).catch((e: unknown) => console.log(String(e)))
 * //> Error: no
 * console.log(await pipe(query(Author), count, runPromise(db))) // rolled back
 * //> 0
 * await close(db)
 * ```
 */
export const inTransaction = async <A>(
  db: Db,
  program: (tx: Db) => Promise<A>,
  options: TransactionOptions = {},
): Promise<A> => {
  const bad = checked(db.executor, options)
  if (bad) throw new TerrapinFailure(bad)
  const r = await withRetry(
    options.retry,
    () => inOnce(db, program, options.isolation),
    (r) => (E.isLeft(r) ? (r.left instanceof TerrapinFailure ? r.left.error : r.left) : undefined),
    (e) => E.left(new TerrapinFailure(e)),
  )
  if (E.isLeft(r)) throw r.left
  return r.right
}

/** One run of `inTransaction`'s function: its value, or what to reject with. */
const inOnce = async <A>(
  db: Db,
  program: (tx: Db) => Promise<A>,
  isolation: Isolation | undefined,
): Promise<E.Either<unknown, A>> => {
  // What the program threw is rethrown as it is; what the driver threw around it (BEGIN,
  // COMMIT, a lost connection) as the typed error, like every other failure of the library.
  let own: { readonly e: unknown } | undefined
  try {
    return E.right(
      await begin(
        db.executor,
        async (ex) => {
          try {
            return await program(makeDb(ex))
          } catch (e) {
            own = { e }
            throw e
          }
        },
        isolation,
      ),
    )
  } catch (e) {
    if (own && own.e === e)
      return E.left(
        e instanceof TerrapinFailure && beforeCommit(e.error) !== e.error
          ? new TerrapinFailure(beforeCommit(e.error))
          : e,
      )
    const err = e instanceof TerrapinFailure ? e.error : isTerrapinError(e) ? e : toError(db.executor, e)
    return E.left(
      e instanceof TerrapinFailure && beforeCommit(err) === err ? e : new TerrapinFailure(beforeCommit(err)),
    )
  }
}
