/**
 * Type-level tests, checked by `tsc --noEmit` (part of `npm test`): every `@ts-expect-error`
 * line must fail to compile, and every `expectType` must hold exactly.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  F,
  InsertOf,
  RowOf,
  TerrapinError,
  connect,
  count,
  create,
  exclude,
  first,
  get,
  orderBy,
  param,
  q,
  query,
  run,
  update,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

const db = connect('sqlite://:memory:')

type BookRow = {
  readonly id: number
  readonly title: string
  readonly rating: number | null
  readonly publishedAt: Date
  readonly authorId: number
}

// Row and insert types are inferred from the definition.
expectType<Equals<RowOf<typeof Book>, BookRow>>()
expectType<
  Equals<
    InsertOf<typeof Book>,
    { title: string; rating?: number | null; publishedAt?: Date; authorId: number; id?: number }
  >
>()

// The headline query is typed end to end.
const headline = pipe(query(Book), where({ title__contains: 'x' }), run(db))
expectType<Equals<typeof headline, TE.TaskEither<TerrapinError, ReadonlyArray<BookRow>>>>()

const combined = pipe(
  query(Book),
  where(q.or({ title__contains: 'x' }, q.not({ rating__gte: 4 }))),
  exclude({ rating: null }),
  orderBy('-rating', 'id'),
  run(db),
)
expectType<Equals<typeof combined, TE.TaskEither<TerrapinError, ReadonlyArray<BookRow>>>>()

const picked = pipe(query(Book), values('id', 'title'), run(db))
expectType<
  Equals<typeof picked, TE.TaskEither<TerrapinError, ReadonlyArray<{ readonly id: number; readonly title: string }>>>
>()
const pairs = pipe(query(Book), valuesList('id', 'title'), run(db))
expectType<Equals<typeof pairs, TE.TaskEither<TerrapinError, ReadonlyArray<readonly [number, string]>>>>()
const titles = pipe(query(Book), valuesFlat('title'), run(db))
expectType<Equals<typeof titles, TE.TaskEither<TerrapinError, ReadonlyArray<string>>>>()
const one = pipe(query(Book), where({ id: 1 }), get, run(db))
expectType<Equals<typeof one, TE.TaskEither<TerrapinError, BookRow>>>()
const maybe = pipe(query(Book), first, run(db))
expectType<Equals<typeof maybe, TE.TaskEither<TerrapinError, BookRow | null>>>()
const n = pipe(query(Book), count, run(db))
expectType<Equals<typeof n, TE.TaskEither<TerrapinError, number>>>()
const changed = pipe(query(Book), where({ id: 1 }), update({ title: 'y' }), run(db))
expectType<Equals<typeof changed, TE.TaskEither<TerrapinError, number>>>()

// Lookups and date parts that exist compile.
pipe(
  query(Book),
  where({
    publishedAt__year: 2020,
    publishedAt__month__in: [1, 2],
    title__in: ['a'],
    rating__range: [1, 2],
    rating__isnull: true,
    authorId: 1,
  }),
)

// Unknown fields do not compile.
// @ts-expect-error titel is not a field of Book
pipe(query(Book), where({ titel: 'x' }))
// @ts-expect-error contains applies to text, not to a float
pipe(query(Book), where({ rating__contains: 1 }))
// @ts-expect-error nope is not a field
pipe(query(Book), orderBy('-nope'))
// @ts-expect-error title is a string
create(Book, { title: 1, authorId: 1 })
// @ts-expect-error authorId is required
create(Book, { title: 'x' })
// @ts-expect-error unknown field inside q.or
pipe(query(Book), where(q.or({ titl: 'x' }, { rating__gte: 4 })))
// @ts-expect-error title is a string, not a number
pipe(query(Book), where({ title: 3 }))
// @ts-expect-error in takes an array
pipe(query(Book), where({ id__in: 3 }))
// @ts-expect-error null is not a title
pipe(query(Book), where({ title: null }))
// @ts-expect-error hour is not a part of… a float
pipe(query(Book), where({ rating__hour: 3 }))
// @ts-expect-error values of an unknown field
pipe(query(Book), values('nope'))
// @ts-expect-error update of an unknown field
pipe(query(Book), update({ nope: 1 }))
// @ts-expect-error update with a wrong type
pipe(query(Book), update({ rating: 'high' }))

// A model without a pk field gets `id: number`; a uuid key types foreign keys to it as strings.
import { PkOf, fields, model, schema } from 'terrapin'
const { Tag, Post } = schema({
  Tag: model('Tag', { fields: { label: fields.char({ maxLength: 20 }) } }),
  Post: model('Post', { fields: { key: fields.uuid({ pk: true }), tag: fields.foreignKey('Tag', { null: true }) } }),
})
expectType<Equals<RowOf<typeof Tag>, { readonly id: number; readonly label: string }>>()
expectType<Equals<PkOf<typeof Post>, string>>()
expectType<Equals<RowOf<typeof Post>, { readonly key: string; readonly tagId: number | null }>>()
expectType<Equals<InsertOf<typeof Post>, { key?: string; tagId?: number | null }>>()

// Own lookups and date parts are checked as written, in where/exclude and inside q alike.
// @ts-expect-error a text lookup on a number
pipe(query(Book), where({ rating__icontains: 'x' }))
// @ts-expect-error a lookup that does not exist
pipe(query(Book), exclude({ title__bogus: 'x' }))
// @ts-expect-error a comparison with the wrong type
pipe(query(Book), where({ rating__gte: 'high' }))
// @ts-expect-error the wrong type inside q.or
pipe(query(Book), where(q.or({ rating__gte: 'high' }, { id: 1 })))
// @ts-expect-error an unknown lookup inside q.not
pipe(query(Book), where(q.not({ title__bogus: 'x' })))
pipe(query(Book), where({ rating__gte: 4, title__icontains: 'x', id__in: [1, 2], rating__isnull: false }))
pipe(query(Book), where({ publishedAt__year__gte: 2020, publishedAt__month__in: [1, 2], publishedAt__day: 3 }))
// @ts-expect-error a date part's lookup with the wrong type
pipe(query(Book), where({ publishedAt__year__gte: '2020' }))
// @ts-expect-error a date part on a text column
pipe(query(Book), where({ title__year: 2020 }))

// A text lookup takes a string or a param, not an expression (it is escaped as a string)
{
  const T = model('TextOnly', { fields: { id: fields.int({ pk: true }), t: fields.text(), u: fields.text() } })
  // @ts-expect-error: contains takes a string
  pipe(query(T), where({ t__contains: F('u') }))
  // @ts-expect-error: iexact takes a string
  pipe(query(T), where({ t__iexact: F('u') }))
  pipe(query(T), where({ t__contains: 'x', u__iexact: param('u') }))
}
