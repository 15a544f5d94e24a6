/**
 * Type-level tests of prepared plans, checked by `tsc --noEmit`: the result type passes
 * through `prepare`/`bind`/`bindEach`, and a prepared plan that declares its values rejects
 * missing, misspelt or ill-typed ones.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { RowOf, TerrapinError, bind, bindEach, connect, create, get, param, prepare, query, run, where } from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

const db = connect('sqlite://:memory:')
type BookRow = RowOf<typeof Book>

// Undeclared values: any record, checked when the plan runs.
const byId = prepare(pipe(query(Book), where({ id: param('id') }), get))
const one = pipe(byId, bind({ id: 1 }), run(db))
expectType<Equals<typeof one, TE.TaskEither<TerrapinError, BookRow>>>()

// Declared values: checked by the compiler.
const typed = prepare<BookRow, { id: number }>(pipe(query(Book), where({ id: param('id') }), get))
pipe(typed, bind({ id: 2 }), run(db))
// @ts-expect-error a misspelt name
pipe(typed, bind({ idd: 2 }), run(db))
// @ts-expect-error a value of the wrong type
pipe(typed, bind({ id: 'two' }), run(db))

// bindEach yields the list of results.
const add = prepare(create(Book, { title: param('title'), authorId: param('authorId') } as never))
const many = pipe(add, bindEach([{ title: 'a', authorId: 1 }]), run(db))
expectType<Equals<typeof many, TE.TaskEither<TerrapinError, ReadonlyArray<BookRow>>>>()
