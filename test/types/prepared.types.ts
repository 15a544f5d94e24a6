/**
 * Type-level tests of prepared plans, checked by `tsc --noEmit`: the result type passes
 * through `prepare`/`bind`/`bindEach`, and a prepared plan that declares its values rejects
 * missing, misspelt or ill-typed ones. `runSync` gives the same result types as an `IOEither`.
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import type * as IOE from 'fp-ts/IOEither'
import * as TE from 'fp-ts/TaskEither'
import {
  RowOf,
  TerrapinError,
  bind,
  bindEach,
  connect,
  create,
  get,
  param,
  prepare,
  query,
  run,
  runSync,
  update,
  where,
} from 'terrapin'
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
const add = prepare(create(Book, { title: param('title'), authorId: param('authorId') }))
const many = pipe(add, bindEach([{ title: 'a', authorId: 1 }]), run(db))
expectType<Equals<typeof many, TE.TaskEither<TerrapinError, ReadonlyArray<BookRow>>>>()

// Writes take placeholders for stored fields, without a cast.
prepare(create(Book, { title: param('title'), rating: param('rating'), authorId: 1 }))
prepare(pipe(query(Book), where({ id: param('id') }), update({ title: param('title'), rating: null })))
const renamed = pipe(prepare(pipe(query(Book), update({ title: param('title') }))), bind({ title: 'x' }), run(db))
expectType<Equals<typeof renamed, TE.TaskEither<TerrapinError, number>>>()
// @ts-expect-error a placeholder for a field the model does not have
prepare(create(Book, { title: param('title'), authorId: 1, titel: param('t') }))
// @ts-expect-error a relation given as its row takes the row, not a placeholder (use authorId)
prepare(create(Book, { title: param('title'), author: param('author') }))
// @ts-expect-error a required field is still required when others are placeholders
prepare(create(Book, { title: param('title') }))
// @ts-expect-error an update of a field the model does not have
prepare(pipe(query(Book), update({ ratingg: param('rating') })))

// Lists and ranges of placeholders.
prepare(pipe(query(Book), where({ id__in: [param('a'), param('b')], rating__range: [param('lo'), 5] })))
// @ts-expect-error a range bound of the wrong type
prepare(pipe(query(Book), where({ rating__range: [param('lo'), 'high'] })))

// runSync: the same result types as run, as an IOEither (SQLite's synchronous driver).
const now = pipe(byId, bind({ id: 1 }), runSync(db))
expectType<Equals<typeof now, IOE.IOEither<TerrapinError, BookRow>>>()
const nowMany = pipe(query(Book), where({ rating__gte: 4 }), runSync(db))()
expectType<Equals<typeof nowMany, E.Either<TerrapinError, ReadonlyArray<BookRow>>>>()
// @ts-expect-error a declared value of the wrong type, through runSync too
pipe(typed, bind({ id: 'two' }), runSync(db))
