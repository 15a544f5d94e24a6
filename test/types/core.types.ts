/**
 * Type tests of the core API, checked by `tsc --noEmit`: the row and insert types of every
 * field kind, enum literal unions, json typed by its codec, optionality in InsertOf (nullable,
 * default, autoNow, autoNowAdd, generated keys), and the result types of values/valuesList/
 * valuesFlat and the terminals.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  InsertOf,
  PatchOf,
  PkOf,
  RowOf,
  TerrapinError,
  bulkCreate,
  connect,
  count,
  create,
  exists,
  first,
  get,
  getOrCreate,
  getOrNone,
  query,
  remove,
  run,
  save,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  valuesList,
  where,
  orderBy,
  transaction,
} from 'terrapin'
import { Code, Item, Kinds, Tag } from '../core/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined
const db = connect('sqlite://:memory:')

// ------------------------------------------------------------------------------------------
// rows and inserts
// ------------------------------------------------------------------------------------------

type KindsRow = {
  readonly id: number
  readonly i: number | null
  readonly big: bigint
  readonly small: number | null
  readonly name: string
  readonly body: string | null
  readonly flag: boolean
  readonly ratio: number | null
  readonly price: string | null
  readonly at: Date | null
  readonly day: string | null
  readonly clock: string | null
  readonly ref: string | null
  readonly data: unknown
  readonly point: { x: number; y: number } | null
  readonly status: 'draft' | 'published'
  readonly level: 1 | 2 | 3 | null
  readonly code: string | null
  readonly score: number
  readonly createdAt: Date
  readonly updatedAt: Date
}
expectType<Equals<RowOf<typeof Kinds>, KindsRow>>()

// Required: no default, not nullable, not generated. Optional: the rest.
type KindsInsert = {
  name: string
  id?: number
  i?: number | null
  big?: bigint
  small?: number | null
  body?: string | null
  flag?: boolean
  ratio?: number | null
  price?: string | null
  at?: Date | null
  day?: string | null
  clock?: string | null
  ref?: string | null
  data?: unknown
  point?: { x: number; y: number } | null
  status?: 'draft' | 'published'
  level?: 1 | 2 | 3 | null
  code?: string | null
  score?: number
  createdAt?: Date
  updatedAt?: Date
}
expectType<Equals<InsertOf<typeof Kinds>, KindsInsert>>()
expectType<Equals<PatchOf<typeof Kinds>, Partial<KindsRow>>>()
expectType<Equals<PkOf<typeof Kinds>, number>>()
expectType<Equals<PkOf<typeof Code>, string>>()
expectType<Equals<RowOf<typeof Code>, { readonly code: string; readonly label: string }>>()
expectType<Equals<InsertOf<typeof Code>, { code: string; label: string }>>()
expectType<Equals<InsertOf<typeof Tag>, { name: string; id?: number; uses?: number; touchedAt?: Date }>>()

create(Kinds, {
  name: 'x',
  status: 'published',
  level: 2,
  point: { x: 1, y: 2 },
  big: 1n,
  price: '1.50',
  at: new Date(),
  data: { anything: [1] },
})
// @ts-expect-error not a member of the enum
create(Kinds, { name: 'x', status: 'archived' })
// @ts-expect-error an integer enum takes its numbers only
create(Kinds, { name: 'x', level: 4 })
// @ts-expect-error the json codec types the value
create(Kinds, { name: 'x', point: { x: 1 } })
// @ts-expect-error a bigint field takes bigints
create(Kinds, { name: 'x', big: 'a' })
// @ts-expect-error decimals are strings
create(Kinds, { name: 'x', price: true })
// @ts-expect-error datetimes are Dates
create(Kinds, { name: 'x', at: '2020-01-01' })
// @ts-expect-error a boolean is not a number
create(Kinds, { name: 'x', flag: 1 })
// @ts-expect-error name is required
create(Kinds, {})
// @ts-expect-error null in a non-null field
create(Kinds, { name: null })
// @ts-expect-error unknown field
create(Kinds, { name: 'x', nope: 1 })
// @ts-expect-error unknown field in bulkCreate
bulkCreate(Kinds, [{ name: 'x', nope: 1 }])
// @ts-expect-error wrong type in getOrCreate's lookup
getOrCreate(Tag, { name: 1 })
// @ts-expect-error wrong type in updateOrCreate's defaults
updateOrCreate(Tag, { name: 'a' }, { uses: 'many' })
// @ts-expect-error save needs the required fields
save(Tag, { uses: 1 })

// ------------------------------------------------------------------------------------------
// filters of every kind
// ------------------------------------------------------------------------------------------

pipe(
  query(Kinds),
  where({
    big: 1n,
    big__gt: 1n,
    price__gte: '1.00',
    at__lt: new Date(),
    at__year: 2020,
    at__hour__in: [1, 2],
    day__month: 3,
    day__range: ['2020-01-01', '2020-12-31'],
    clock__minute__gte: 3,
    status: 'draft',
    status__in: ['draft', 'published'],
    level__notIn: [1, 2],
    ref: 'x',
    flag: true,
    i: null,
    body__icontains: 'x',
    name__iexact: 'x',
    data__isnull: true,
  }),
)
// @ts-expect-error json equality takes a document of the field's codec type
pipe(query(Kinds), where({ point: { x: 1 } }))
// json compares as documents, and by containment
pipe(query(Kinds), where({ data: { a: 1 }, point__contains: { x: 1 }, point__containedBy: { x: 1, y: 2, z: 3 } }))
// @ts-expect-error a contained part of the codec type: y is a number
pipe(query(Kinds), where({ point__contains: { y: 'a' } }))
// @ts-expect-error json has no order
pipe(query(Kinds), where({ point__gt: { x: 1, y: 1 } }))
// @ts-expect-error an enum has no order
pipe(query(Kinds), where({ status__gt: 'draft' }))
pipe(query(Kinds), where({ data: null, point__isnull: false }))
// @ts-expect-error an enum compares with its members only
pipe(query(Kinds), where({ status: 'archived' }))
// @ts-expect-error bigint filters take bigints
pipe(query(Kinds), where({ big: 'x' }))
// @ts-expect-error a date has no hour
pipe(query(Kinds), where({ day__hour: 1 }))
// @ts-expect-error a time has no year
pipe(query(Kinds), where({ clock__year: 1 }))
// @ts-expect-error a datetime compares with a Date
pipe(query(Kinds), where({ at__gt: '2020-01-01' }))
// @ts-expect-error text lookups do not apply to a boolean
pipe(query(Kinds), where({ flag__contains: 'x' }))
// @ts-expect-error a date part takes a number
pipe(query(Kinds), where({ at__year: '2020' }))
// @ts-expect-error null for a non-null field
pipe(query(Kinds), where({ name: null }))
// @ts-expect-error isnull takes a boolean
pipe(query(Kinds), where({ body__isnull: 1 }))
// @ts-expect-error range takes a pair
pipe(query(Kinds), where({ i__range: [1] }))

// ------------------------------------------------------------------------------------------
// results
// ------------------------------------------------------------------------------------------

type R<P> = P extends TE.TaskEither<infer _E, infer A> ? A : never
const v = pipe(query(Kinds), values('name', 'status', 'point', 'big'), run(db))
expectType<
  Equals<
    R<typeof v>,
    ReadonlyArray<{
      readonly name: string
      readonly status: 'draft' | 'published'
      readonly point: { x: number; y: number } | null
      readonly big: bigint
    }>
  >
>()
const vl = pipe(query(Kinds), valuesList('level', 'at', 'price'), run(db))
expectType<Equals<R<typeof vl>, ReadonlyArray<readonly [1 | 2 | 3 | null, Date | null, string | null]>>>()
const vf = pipe(query(Kinds), valuesFlat('status'), run(db))
expectType<Equals<R<typeof vf>, ReadonlyArray<'draft' | 'published'>>>()
const vfirst = pipe(query(Item), values('name'), first, run(db))
expectType<Equals<R<typeof vfirst>, { readonly name: string } | null>>()
const vget = pipe(query(Item), valuesList('id', 'x'), get, run(db))
expectType<Equals<R<typeof vget>, readonly [number, number | null]>>()
const one = pipe(query(Code), getOrNone, run(db))
expectType<Equals<R<typeof one>, RowOf<typeof Code> | null>>()
const e = pipe(query(Code), exists, run(db))
expectType<Equals<typeof e, TE.TaskEither<TerrapinError, boolean>>>()
const c = pipe(query(Code), count, run(db))
expectType<Equals<R<typeof c>, number>>()
const rm = pipe(query(Code), remove, run(db))
expectType<Equals<R<typeof rm>, number>>()
const up = pipe(query(Tag), update({ uses: 1 }), run(db))
expectType<Equals<R<typeof up>, number>>()
const made = pipe(bulkCreate(Tag, [{ name: 'a' }]), run(db))
expectType<Equals<R<typeof made>, ReadonlyArray<RowOf<typeof Tag>>>>()
const goc = pipe(getOrCreate(Tag, { name: 'a' }), run(db))
expectType<Equals<R<typeof goc>, readonly [RowOf<typeof Tag>, boolean]>>()
const sv = pipe(save(Code, { code: 'a', label: 'b' }), run(db))
expectType<Equals<R<typeof sv>, RowOf<typeof Code>>>()
const tx = transaction(db, (t) =>
  pipe(
    create(Tag, { name: 'a' }),
    run(t),
    TE.chainW(() => TE.left('stop' as const)),
  ),
)
expectType<Equals<typeof tx, TE.TaskEither<TerrapinError | 'stop', never>>>()
// @ts-expect-error values of a field of another model
pipe(query(Kinds), values('label'))
// @ts-expect-error valuesList of an unknown field
pipe(query(Kinds), valuesList('name', 'nope'))
// @ts-expect-error orderBy of an unknown field
pipe(query(Kinds), orderBy('-nope'))
// @ts-expect-error update with a value of the wrong type
pipe(query(Kinds), update({ status: 'gone' }))
