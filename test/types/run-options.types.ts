/**
 * Type tests of a run's options, checked by `tsc --noEmit`: `run(db, { timeoutMs, signal })` and
 * `runPromise(db, options)` keep the plan's result type; unknown or mistyped options do not check.
 */
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { Db, RunOptions, TerrapinError, count, query, run, runPromise } from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

declare const db: Db
const ac = new AbortController()

const n = pipe(query(Book), count, run(db, { timeoutMs: 2000, signal: ac.signal }))
expectType<Equals<typeof n, TE.TaskEither<TerrapinError, number>>>()
const plain = pipe(query(Book), count, run(db))
expectType<Equals<typeof plain, TE.TaskEither<TerrapinError, number>>>()
const p = runPromise(db, { signal: ac.signal })(pipe(query(Book), count))
expectType<Equals<typeof p, Promise<number>>>()

const options: RunOptions = { timeoutMs: 1 }
void options

// @ts-expect-error the deadline is timeoutMs, in milliseconds
run(db, { timeout: 1000 })
// @ts-expect-error a number of milliseconds
run(db, { timeoutMs: '1s' })
// @ts-expect-error an AbortSignal, not its controller
run(db, { signal: ac })
