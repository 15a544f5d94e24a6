/**
 * Type tests of expressions, annotations and raw SQL, checked by `tsc --noEmit`: annotation
 * values are inferred from the model, and unknown fields in `F`, aggregates and `update`
 * fail to compile.
 */
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import {
  Avg,
  Coalesce,
  Concat,
  Count,
  F,
  Length,
  Lower,
  Max,
  Min,
  OuterRef,
  Sum,
  TerrapinError,
  Trim,
  Upper,
  annotate,
  bulkCreate,
  bulkUpdate,
  connect,
  exists,
  groupBy,
  orderBy,
  query,
  rowsOf,
  run,
  sql,
  stream,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { Author, Book } from '../expr/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

const db = connect('sqlite://:memory:')

type AuthorRow = { readonly id: number; readonly name: string; readonly nick: string | null }

// Annotations are typed from the model: counts are numbers, Min/Max the field's type or null.
const counted = pipe(query(Author), annotate({ n: Count('books') }), run(db))
expectType<
  Equals<
    typeof counted,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{ readonly id: number; readonly name: string; readonly nick: string | null; readonly n: number }>
    >
  >
>()

const stats = pipe(
  query(Author),
  annotate({
    mean: Avg('books__rating'),
    top: Max('books__rating'),
    first: Min('books__title'),
    total: Sum('books__pages'),
  }),
  values('name', 'mean', 'top', 'first', 'total'),
  run(db),
)
expectType<
  Equals<
    typeof stats,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{
        readonly name: string
        readonly mean: number | null
        readonly top: number | null
        readonly first: string | null
        readonly total: number | null
      }>
    >
  >
>()

// Functions keep the nullability of their argument; Coalesce removes it.
const fns = pipe(
  query(Author),
  annotate({
    low: Lower(F('name')),
    up: Upper(F('nick')),
    len: Length(F('name')),
    tr: Trim(F('name')),
    nick: Coalesce(F('nick'), F('name')),
    label: Concat(F('name'), ' ', F('nick')),
  }),
  valuesFlat('low'),
  run(db),
)
expectType<Equals<typeof fns, TE.TaskEither<TerrapinError, ReadonlyArray<string>>>>()
const nullable = pipe(
  query(Author),
  annotate({ up: Upper(F('nick')), both: Coalesce(F('nick'), F('name')), plus: F('id').add(1) }),
  values('up', 'both', 'plus'),
  run(db),
)
expectType<
  Equals<
    typeof nullable,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{ readonly up: string | null; readonly both: string; readonly plus: number }>
    >
  >
>()

// Grouped rows hold the group keys and the annotations.
const grouped = pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }), run(db))
expectType<
  Equals<typeof grouped, TE.TaskEither<TerrapinError, ReadonlyArray<{ readonly authorId: number; readonly n: number }>>>
>()
// A relation path is a group key too, under its own name, typed as the related field.
const byAuthorName = pipe(query(Book), groupBy('author__name'), annotate({ n: Count() }), run(db))
expectType<
  Equals<
    typeof byAuthorName,
    TE.TaskEither<TerrapinError, ReadonlyArray<{ readonly author__name: string; readonly n: number }>>
  >
>()

// Annotations can be filtered, ordered and referenced by later annotations.
pipe(
  query(Author),
  annotate({ n: Count('books') }),
  where({ n__gte: 2 }),
  orderBy('-n'),
  annotate({ twice: F('n').mul(2) }),
)

// F in updates; subqueries in filters; exists with OuterRef.
pipe(query(Book), update({ rating: F('rating').add(1), pages: F('pages').mul(2) }))
pipe(query(Book), where({ authorId__in: pipe(query(Author), where({ name__startswith: 'A' })) }))
pipe(query(Book), where({ authorId__in: pipe(query(Author), valuesFlat('id')) }))
pipe(query(Author), where(exists(pipe(query(Book), where({ authorId: OuterRef('id') })))))
pipe(query(Book), where({ pages__gt: F('rating') }))

// Raw SQL rows are typed by the codec; a raw statement alone yields the affected count.
const raw = pipe(
  sql`SELECT id, name FROM x_author WHERE id > ${1}`,
  rowsOf(t.type({ id: t.number, name: t.string })),
  run(db),
)
expectType<Equals<typeof raw, TE.TaskEither<TerrapinError, ReadonlyArray<{ id: number; name: string }>>>>()
const affected = pipe(sql`DELETE FROM x_author`, run(db))
expectType<Equals<typeof affected, TE.TaskEither<TerrapinError, number>>>()

// Streams yield rows.
const rows = pipe(query(Author), stream(db))
expectType<Equals<typeof rows, AsyncIterable<AuthorRow>>>()

bulkCreate(Author, [{ name: 'a' }], { onConflict: { fields: ['name'], update: ['nick'] } })
bulkUpdate(Book, [{ id: 1, rating: 2 }], ['rating'])

// @ts-expect-error nope is not a field of Book
pipe(query(Book), update({ rating: F('nope').add(1) }))
// @ts-expect-error bookz is not a relation of Author
pipe(query(Author), annotate({ n: Count('bookz') }))
// @ts-expect-error books__ratin is not a path
pipe(query(Author), annotate({ m: Avg('books__ratin') }))
// @ts-expect-error F of an unknown field in an annotation
pipe(query(Author), annotate({ low: Lower(F('nam')) }))
// @ts-expect-error n is not an annotation of this plan
pipe(query(Author), annotate({ x: Count('books') }), where({ n__gte: 2 }))
// @ts-expect-error ordering by an unknown annotation
pipe(query(Author), annotate({ n: Count('books') }), orderBy('-m'))
// @ts-expect-error groupBy an unknown field
pipe(query(Book), groupBy('nope'))
// @ts-expect-error groupBy a path to an unknown field
pipe(query(Book), groupBy('author__nome'))
// @ts-expect-error groupBy through a to-many relation (one row per book is no group)
pipe(query(Author), groupBy('books__title'))
// @ts-expect-error bulkUpdate of an unknown field
bulkUpdate(Book, [{ id: 1, rating: 2 }], ['ratin'])
// @ts-expect-error a title is not a number
pipe(query(Book), update({ title: 3 }))
// @ts-expect-error F of an unknown field in a filter
pipe(query(Book), where({ pages__gt: F('nope') }))
// @ts-expect-error an arithmetic expression over an unknown field in a filter
pipe(query(Book), where({ pages__gt: F('rating').mul(F('pagez')) }))
