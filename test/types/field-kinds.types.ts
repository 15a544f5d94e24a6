/**
 * Type tests of the field kinds `enum` (from a TypeScript enum object) `timedelta` and `binary`, checked by `tsc --noEmit`:
 * the row type is the enum type, and values outside it fail to compile.
 */
import { pipe } from 'fp-ts/function'
import { InsertOf, RowOf, fields, model, query, where } from 'terrapin'

/** Mutual assignability (an enum type and the union of its members are the same set of values). */
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const expectType = <T extends true>(): T => true as T

enum Color {
  Red = 'red',
  Green = 'green',
}
enum Level {
  Low = 1,
  High = 5,
}

const Paint = model('Paint', {
  fields: {
    id: fields.int({ pk: true }),
    color: fields.enum(Color, { default: Color.Red }),
    level: fields.enum(Level, { null: true }),
    tag: fields.enum(['a', 'b']),
    took: fields.timedelta({ null: true }),
    data: fields.binary({ null: true }),
  },
})

expectType<Equals<RowOf<typeof Paint>['color'], Color>>()
expectType<Equals<RowOf<typeof Paint>['level'], Level | null>>()
expectType<Equals<RowOf<typeof Paint>['tag'], 'a' | 'b'>>()

export const ok: InsertOf<typeof Paint> = { color: Color.Green, level: Level.High, tag: 'a' }
// @ts-expect-error -- a string that is not a member of the string enum
export const badColor: InsertOf<typeof Paint> = { color: 'blue', tag: 'a' }
// @ts-expect-error -- the reverse-mapping name is not a value of a numeric enum
export const badLevel: InsertOf<typeof Paint> = { level: 'High', tag: 'a' }
// @ts-expect-error -- a default outside the enum
fields.enum(Color, { default: 'blue' })

export const f = pipe(query(Paint), where({ level: Level.Low, color__in: [Color.Red] }))
// @ts-expect-error -- filtering with a value outside the enum
pipe(query(Paint), where({ color: 'blue' }))

expectType<Equals<RowOf<typeof Paint>['took'], bigint | null>>()
// @ts-expect-error -- a timedelta is a bigint of microseconds, not a number
export const badTook: InsertOf<typeof Paint> = { tag: 'a', took: 1000 }
export const cmp = pipe(query(Paint), where({ took__gt: 1000n, took__lte: 5000n }))
// @ts-expect-error -- no text lookups on a timedelta
pipe(query(Paint), where({ took__contains: 1n }))

expectType<Equals<RowOf<typeof Paint>['data'], Uint8Array | null>>()
export const bytes: InsertOf<typeof Paint> = { tag: 'a', data: Buffer.from('x') }
export const u8: InsertOf<typeof Paint> = { tag: 'a', data: new Uint8Array([1]) }
// @ts-expect-error -- a string is not bytes
export const badData: InsertOf<typeof Paint> = { tag: 'a', data: 'x' }
export const eq = pipe(
  query(Paint),
  where({ data: Buffer.from('x'), data__in: [Buffer.from('y')], data__isnull: false }),
)
// @ts-expect-error -- bytes have no order
pipe(query(Paint), where({ data__gt: Buffer.from('x') }))
// @ts-expect-error -- bytes have no text lookups
pipe(query(Paint), where({ data__contains: Buffer.from('x') }))
