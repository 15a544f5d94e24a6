/**
 * Type tests of Case/When, Value, RawSQL, mod/pow/neg and aggregates over expressions, checked by
 * `tsc --noEmit`: annotation values follow the expression, and arithmetic over a field that is not
 * a number, or a path the model lacks, fails to compile.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Avg,
  Case,
  Count,
  F,
  Max,
  RawSQL,
  Sum,
  TerrapinError,
  Value,
  When,
  annotate,
  connect,
  query,
  run,
  sql,
  update,
  values,
  where,
} from 'terrapin'
import { Author, Book } from '../expr/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

const db = connect('sqlite://:memory:')

// Results follow the expression: nullable operands make a nullable result, mod/pow/div may be null.
const arith = pipe(
  query(Book),
  annotate({
    m: F('pages').mod(7),
    p: F('pages').pow(2),
    n: F('pages').neg(),
    nr: F('rating').neg(),
    d: F('price').mul(2),
    v: Value(3),
  }),
  values('m', 'p', 'n', 'nr', 'd', 'v'),
  run(db),
)
expectType<
  Equals<
    typeof arith,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{
        readonly m: number | null
        readonly p: number | null
        readonly n: number
        readonly nr: number | null
        readonly d: number | null
        readonly v: number
      }>
    >
  >
>()

// Case: the union of its branches, null without a default.
const graded = pipe(
  query(Book),
  annotate({
    g: Case([When({ rating__gte: 4 }, 'good'), When({ rating__gte: 2 }, 'fair')], { default: 'poor' }),
    maybe: Case([When({ rating__gte: 4 }, F('pages'))]),
    raw: RawSQL<number>(sql`abs(${F('pages')} - ${300})`),
  }),
  values('g', 'maybe', 'raw'),
  run(db),
)
expectType<
  Equals<
    typeof graded,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{ readonly g: 'good' | 'fair' | 'poor'; readonly maybe: number | null; readonly raw: number }>
    >
  >
>()

// Aggregates over expressions, across a relation.
const aggs = pipe(
  query(Author),
  annotate({
    r: Avg(F('books__rating').add(1)),
    s: Sum(F('books__pages').mul(2)),
    c: Count(F('books__rating')),
    hi: Max(F('books__pages').neg()),
  }),
  values('r', 's', 'c', 'hi'),
  run(db),
)
expectType<
  Equals<
    typeof aggs,
    TE.TaskEither<
      TerrapinError,
      ReadonlyArray<{
        readonly r: number | null
        readonly s: number | null
        readonly c: number
        readonly hi: number | null
      }>
    >
  >
>()

// Case in an update and as a filter value.
pipe(query(Book), update({ rating: Case([When({ rating__lt: 2 }, 0)], { default: F('rating') }) }))
pipe(query(Book), where({ pages__gt: Case([When({ rating__gte: 3 }, 150)], { default: 0 }) }))

// Wrong operand types and unknown paths do not compile.
// @ts-expect-error title is text: arithmetic needs numbers
pipe(query(Book), annotate({ x: F('title').add(1) }))
// @ts-expect-error title is text, also as the right operand
pipe(query(Book), annotate({ x: F('pages').mul(F('title')) }))
// @ts-expect-error a related text field
pipe(query(Book), annotate({ x: F('author__name').mod(2) }))
// @ts-expect-error negating text
pipe(query(Book), annotate({ x: F('title').neg() }))
// @ts-expect-error nested: the inner operand is text
pipe(query(Book), annotate({ x: F('pages').add(F('title').pow(2)) }))
// @ts-expect-error an aggregate over a path Author lacks
pipe(query(Author), annotate({ x: Avg(F('bookz__rating').add(1)) }))
// @ts-expect-error a Case branch reading a path Book lacks
pipe(query(Book), annotate({ x: Case([When({ rating__gte: 1 }, F('pagez'))]) }))
// @ts-expect-error arithmetic takes numbers or expressions
F('pages').add('1')
