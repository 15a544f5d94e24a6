/**
 * Type tests of the transaction options, checked by `tsc --noEmit`: the isolation levels are a
 * closed union, retry takes attempts and a number or a function as backoff, and the options
 * change no result type, for `transaction` and `inTransaction` alike.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Isolation,
  TerrapinError,
  TransactionOptions,
  connect,
  count,
  create,
  inTransaction,
  query,
  run,
  runPromise,
  transaction,
} from 'terrapin'
import { Tag } from '../core/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined
const db = connect('sqlite://:memory:')

expectType<Equals<Isolation, 'read committed' | 'repeatable read' | 'serializable'>>()

const serializable = transaction(db, (tx) => pipe(query(Tag), count, run(tx)), {
  isolation: 'serializable',
  retry: { attempts: 5 },
})
expectType<Equals<typeof serializable, TE.TaskEither<TerrapinError, number>>>()
const withLeft = transaction(
  db,
  (tx) =>
    pipe(
      create(Tag, { name: 'a' }),
      run(tx),
      TE.chainW(() => TE.left('stop' as const)),
    ),
  { retry: { attempts: 3, backoffMs: (failed) => failed * 10 } },
)
expectType<Equals<typeof withLeft, TE.TaskEither<TerrapinError | 'stop', never>>>()
const awaited = inTransaction(db, async (tx) => (await runPromise(tx)(create(Tag, { name: 'b' }))).name, {
  isolation: 'read committed',
  retry: { attempts: 2, backoffMs: 5 },
})
expectType<Equals<typeof awaited, Promise<string>>>()

const options: TransactionOptions = { isolation: 'repeatable read' }
void options
// @ts-expect-error not a level terrapin offers
transaction(db, (tx) => pipe(query(Tag), count, run(tx)), { isolation: 'read uncommitted' })
// @ts-expect-error retry needs its number of attempts
transaction(db, (tx) => pipe(query(Tag), count, run(tx)), { retry: { backoffMs: 10 } })
// @ts-expect-error backoff is milliseconds or a function of the failed runs
void inTransaction(db, () => Promise.resolve(1), { retry: { attempts: 2, backoffMs: '10' } })
// @ts-expect-error no such option
void inTransaction(db, () => Promise.resolve(1), { timeout: 10 })
