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
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, TerrapinFailure, isTerrapinError, transactionError } from '../errors'
import { OpenStreams, endable } from './endable'
import { Executor } from './executor'
import { Db, makeDb, toError } from './statement'

/** Carries the program's Left out of the executor's transaction so that it rolls back. */
class Rollback<L> extends Error {
  constructor(readonly left: L) {
    super('rollback')
  }
}

// ------------------------------------------------------------------------------------------
// the handle's life
// ------------------------------------------------------------------------------------------

/** A transaction (or savepoint) as its program's handle sees it. */
interface Scope {
  readonly parent: Scope | undefined
  ended: boolean
  /** Statements, batches of a stream and nested transactions not yet settled. */
  running: number
  /** Called when `running` drops to 0. */
  idle: (() => void) | undefined
  /** How to close each stream left open. */
  readonly streams: OpenStreams
}

const scopeIn = (parent: Scope | undefined): Scope => ({
  parent,
  ended: false,
  running: 0,
  idle: undefined,
  streams: new Set(),
})

/** A savepoint ends with its transaction, too. */
const isOpen = (s: Scope): boolean => !s.ended && (s.parent === undefined || isOpen(s.parent))

const ended = (): TerrapinFailure =>
  new TerrapinFailure(
    transactionError(
      'this transaction has ended (committed, rolled back, or its connection lost): its handle runs nothing more; nothing was sent. Run the statement inside the transaction, or on the database',
    ),
  )

/** One piece of the program's work: refused once the transaction has ended, counted while it runs. */
const counted = async <A>(s: Scope, f: () => Promise<A>): Promise<A> => {
  if (!isOpen(s)) throw ended()
  s.running++
  try {
    return await f()
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

/**
 * The handle a program gets: the runner's transaction executor, each call counted in the scope
 * and refused once it has ended. A nested transaction is one piece of the outer scope's work,
 * and its program gets a handle of its own.
 */
const scoped = (ex: Executor, s: Scope): Executor =>
  // Inherits from the runner's executor, so that its getters (`dialect`, `ready`) stay live.
  Object.create(ex, {
    all: { value: (sql: string, params: ReadonlyArray<unknown>, bigint: boolean) => counted(s, () => ex.all(sql, params, bigint)), enumerable: true },
    decoded: {
      value:
        ex.decoded &&
        (<A>(sql: string, params: ReadonlyArray<unknown>, bigint: boolean, decode: (row: ReadonlyArray<unknown>) => A) =>
          counted(s, () => ex.decoded!(sql, params, bigint, decode))),
      enumerable: true,
    },
    run: { value: (sql: string, params: ReadonlyArray<unknown>) => counted(s, () => ex.run(sql, params)), enumerable: true },
    allObjects: {
      value: ex.allObjects && ((sql: string, params: ReadonlyArray<unknown>) => counted(s, () => ex.allObjects!(sql, params))),
      enumerable: true,
    },
    // a synchronous driver's call runs at once: nothing to wait for, only the end to respect
    sync: { value: ex.sync && (() => (isOpen(s) ? ex.sync!() : undefined)), enumerable: true },
    syncRefusal: { value: () => (isOpen(s) ? (ex.syncRefusal?.() ?? transactionError('the connection is busy')) : ended().error), enumerable: true },
    stream: {
      value:
        ex.stream &&
        ((sql: string, params: ReadonlyArray<unknown>, bigint: boolean, batchSize: number) =>
          // each batch counted, refused after the end, closed when left open
          endable({ open: s.streams, isOpen: () => isOpen(s), refused: ended, step: (next) => counted(s, next) }, () =>
            ex.stream!(sql, params, bigint, batchSize),
          )),
      enumerable: true,
    },
    transaction: { value: <A>(f: (tx: Executor) => Promise<A>) => counted(s, () => within(ex, s, f)), enumerable: true },
    // a run's signal on the handle: the runner's view of the transaction, scoped alike
    withSignal: { value: ex.withSignal && ((signal: AbortSignal) => scoped(ex.withSignal!(signal), s)), enumerable: true },
  })

/**
 * Runs `f` in a transaction of `ex` (a savepoint when `parent` is given) with a scoped handle,
 * which ends when `f` has finished. (A transaction can end before: PostgreSQL's when its
 * connection is lost. The program may still be running then, and its statements are the
 * runner's to refuse, with the ConnectionError that tells it why.)
 */
const within = <A>(ex: Executor, parent: Scope | undefined, f: (tx: Executor) => Promise<A>): Promise<A> =>
  ex.transaction(async (raw) => {
    const s = scopeIn(parent)
    try {
      const out = await f(scoped(raw, s))
      await finish(s)
      return out
    } catch (e) {
      await finish(s)
      throw e
    }
  })

/** The executor's own transaction, or, for a program's handle, a savepoint of it. */
const begin = <A>(ex: Executor, f: (tx: Executor) => Promise<A>): Promise<A> => (ex.inTransaction ? ex.transaction(f) : within(ex, undefined, f))

// ------------------------------------------------------------------------------------------
// public
// ------------------------------------------------------------------------------------------

/**
 * Runs a program in a transaction. Commits when it returns Right; rolls back when it returns
 * Left (which is returned) or throws (returned as a `TransactionError` holding the cause).
 * Statements the program started are part of the transaction even if it did not await them:
 * the transaction waits for them before it ends (a failure among them rolls it back and is the
 * result). After the end, `tx` runs nothing: each statement on it is a `TransactionError`.
 *
 * @example
 * transaction(db, (tx) => pipe(create(Author, { name: 'A' }), run(tx), TE.chain(() => TE.left('stop'))))
 * // ROLLBACK: nothing is written
 */
export const transaction =
  <L, A>(db: Db, program: (tx: Db) => TE.TaskEither<L, A>): TE.TaskEither<L | TerrapinError, A> =>
  async () => {
    try {
      return E.right(
        await begin(db.executor, async (ex) => {
          const r = await program(makeDb(ex))()
          if (E.isLeft(r)) throw new Rollback(r.left)
          return r.right
        }),
      )
    } catch (e) {
      if (e instanceof Rollback) return E.left(e.left as L)
      if (e instanceof TerrapinFailure) return E.left(e.error)
      if (isTerrapinError(e)) return E.left(e)
      const err = toError(db.executor, e)
      return E.left(
        err._tag === 'QueryError' && err.message.startsWith('unexpected error')
          ? transactionError(`transaction rolled back: ${(e as Error).message}`, false, e)
          : err,
      )
    }
  }

/**
 * The async/await form, as tortoise's `in_transaction`: commits when the function resolves,
 * rolls back and rejects with the same error when it throws. When the transaction itself fails
 * (BEGIN or COMMIT refused, the connection lost) it rejects with a `TerrapinFailure` holding the
 * typed error. The handle lives as long as the transaction, as for `transaction`.
 *
 * @example
 * await inTransaction(db, async (tx) => { await runPromise(tx)(create(User, { name: 'a' })); throw new Error('no') })
 */
export const inTransaction = async <A>(db: Db, program: (tx: Db) => Promise<A>): Promise<A> => {
  // What the program threw is rethrown as it is; what the driver threw around it (BEGIN,
  // COMMIT, a lost connection) as the typed error, like every other failure of the library.
  let own: { readonly e: unknown } | undefined
  try {
    return await begin(db.executor, async (ex) => {
      try {
        return await program(makeDb(ex))
      } catch (e) {
        own = { e }
        throw e
      }
    })
  } catch (e) {
    if ((own && own.e === e) || e instanceof TerrapinFailure) throw e
    throw new TerrapinFailure(isTerrapinError(e) ? e : toError(db.executor, e))
  }
}
