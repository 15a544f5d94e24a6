/**
 * The transaction effect: `BEGIN`, the program, then `COMMIT` when it returns Right and
 * `ROLLBACK` when it returns Left or throws. A transaction holds one connection; nested calls
 * use SAVEPOINTs, so an inner failure rolls back only the inner part.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, isTerrapinError, transactionError } from '../errors'
import { Db, makeDb, toError } from './statement'

/** Carries the program's Left out of the executor's transaction so that it rolls back. */
class Rollback<L> extends Error {
  constructor(readonly left: L) {
    super('rollback')
  }
}

/**
 * Runs a program in a transaction. Commits when it returns Right; rolls back when it returns
 * Left (which is returned) or throws (returned as a `TransactionError` holding the cause).
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
        await db.executor.transaction(async (ex) => {
          const r = await program(makeDb(ex))()
          if (E.isLeft(r)) throw new Rollback(r.left)
          return r.right
        }),
      )
    } catch (e) {
      if (e instanceof Rollback) return E.left(e.left as L)
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
 * rolls back and rejects with the same error when it throws.
 *
 * @example
 * await inTransaction(db, async (tx) => { await runPromise(tx)(create(User, { name: 'a' })); throw new Error('no') })
 */
export const inTransaction = <A>(db: Db, program: (tx: Db) => Promise<A>): Promise<A> => db.executor.transaction((ex) => program(makeDb(ex)))
