/**
 * Type tests of `pipe` and `flow` from 'terrapin', checked by `tsc --noEmit`: they are fp-ts's
 * own, with its inference, so a plan built through them keeps its row type.
 */
import { flow as fpFlow, pipe as fpPipe } from 'fp-ts/function'
import { Db, RowOf, flow, pipe, query, runPromise, where } from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

expectType<Equals<typeof pipe, typeof fpPipe>>()
expectType<Equals<typeof flow, typeof fpFlow>>()

declare const db: Db
const rows = pipe(query(Book), where({ title__contains: 'x' }), runPromise(db))
expectType<Equals<typeof rows, Promise<ReadonlyArray<RowOf<typeof Book>>>>>()

const byTitle = flow((title: string) => pipe(query(Book), where({ title })), runPromise(db))
expectType<Equals<ReturnType<typeof byTitle>, Promise<ReadonlyArray<RowOf<typeof Book>>>>>()

// @ts-expect-error the next function must take what the last one gave
pipe(1, (s: string) => s.length)
const length = (s: string): number => s.length
// @ts-expect-error flow's functions line up too
flow(length, length)
// @ts-expect-error Book has no field 'nope', through pipe as without it
pipe(query(Book), where({ nope: 1 }))
