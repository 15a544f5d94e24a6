/**
 * Values no database stores alike are `ValidationError`s naming the field, on every dialect,
 * before anything is sent: integers outside their kind's range (a `bigint` beyond 64 bits, an
 * `int` beyond 32, a `smallint` beyond 16: SQLite would store them all, the servers would fail
 * or the driver throw), and JSON values that would not come back as they went in (a cycle,
 * `undefined` or a symbol key inside, which `JSON.stringify` drops, functions, bigints,
 * non-finite numbers, Dates and other class instances). Values at the edges of each range
 * round-trip on all three.
 */
import { pipe } from 'fp-ts/function'
import {
  F,
  TerrapinError,
  bind,
  bulkCreate,
  bulkUpdate,
  create,
  fields,
  get,
  getOrCreate,
  model,
  param,
  prepare,
  query,
  run,
  schema,
  update,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'

const { Gap } = schema({
  Gap: model('Gap', {
    table: 'ig_gap',
    fields: {
      id: fields.int({ pk: true }),
      big: fields.bigint({ null: true }),
      n: fields.int({ null: true }),
      small: fields.smallint({ null: true }),
      data: fields.json({ null: true }),
    },
  }),
})

const MAX64 = 2n ** 63n - 1n
const MIN64 = -(2n ** 63n)

/** The error is a ValidationError naming `field` (alone or as `[i].field`). */
const namesField = (e: TerrapinError, field: string): void => {
  expect(e._tag).toBe('ValidationError')
  if (e._tag !== 'ValidationError') return
  expect(e.issues.map((i) => i.field.replace(/^\[\d+\]\./, ''))).toContain(field)
}

/** A cycle through an array and an object. */
const cyclic = (): unknown => {
  const v: { a: unknown[] } = { a: [1] }
  v.a.push({ back: v })
  return v
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** JSON values that would not come back as they went in, and where the walk finds the fault. */
const BAD_JSON: ReadonlyArray<readonly [string, () => unknown, RegExp]> = [
  ['a cycle', cyclic, /cycle/],
  ['an array that contains itself', () => ((a: unknown[]) => (a.push(a), a))([]), /cycle/],
  ['{ a: undefined }', () => ({ a: undefined }), /at \.a: undefined/],
  ['undefined deep inside', () => ({ a: [{ b: 1, c: undefined }] }), /at \.a\[0\]\.c: undefined/],
  ['[undefined]', () => [undefined], /at \[0\]: undefined/],
  ['a hole in an array', () => [1, , 3], /at \[1\]: undefined/], // eslint-disable-line no-sparse-arrays -- the hole is the input under test
  ['a function', () => ({ f: () => 1 }), /at \.f: a function/],
  ['a toJSON method', () => ({ toJSON: () => 'x' }), /at \.toJSON: a function/],
  ['a symbol value', () => ({ s: Symbol('s') }), /at \.s: a symbol/],
  ['a symbol key', () => ({ [Symbol('k')]: 1 }), /symbol key/],
  ['a bigint', () => ({ n: 1n }), /at \.n: a bigint/],
  ['NaN', () => [NaN], /NaN/],
  ['Infinity', () => ({ x: -Infinity }), /-Infinity/],
  ['a Date', () => ({ at: new Date(0) }), /at \.at: a Date .*read back as a string/],
  ['a Map', () => ({ m: new Map() }), /a Map/],
  ['a class instance', () => ({ p: new Point(1, 2) }), /a Point/],
  ['a NUL in a key', () => ({ 'a\u0000': 1 }), /NUL/],
]

forEachDialect('input gaps', [Gap], (t) => {
  beforeEach(() => t().reset())

  /** Runs a plan that must be refused: a ValidationError naming `field`, and no statement sent. */
  const refused = async (plan: Parameters<ReturnType<typeof run>>[0], field: string): Promise<TerrapinError> => {
    t().clearLog()
    const e = left(await pipe(plan, run(t().db))())
    namesField(e, field)
    expect(t().log).toEqual([])
    return e
  }

  const stored = async (): Promise<ReadonlyArray<unknown>> => right(await pipe(query(Gap), run(t().db))())

  describe('integer ranges', () => {
    it('the edges of bigint, int and smallint round-trip', async () => {
      for (const [big, n, small] of [
        [MAX64, 2147483647, 32767],
        [MIN64, -2147483648, -32768],
      ] as const) {
        const row = right(await pipe(create(Gap, { big, n, small }), run(t().db))())
        expect(row).toMatchObject({ big, n, small })
        expect(right(await pipe(query(Gap), where({ id: row.id }), get, run(t().db))())).toMatchObject({
          big,
          n,
          small,
        })
        expect(right(await pipe(query(Gap), where({ big, n, small }), run(t().db))())).toHaveLength(1)
      }
    })

    it('a bigint beyond 64 bits is refused in create, update, bulkCreate, filters, F expressions, bindings and upserts', async () => {
      const row = right(await pipe(create(Gap, { big: 1n }), run(t().db))())
      for (const beyond of [MAX64 + 1n, MIN64 - 1n, 2n ** 100n]) {
        const e = await refused(create(Gap, { big: beyond }), 'big')
        expect(e.message).toMatch(/outside the bigint range/)
        await refused(pipe(query(Gap), update({ big: beyond })), 'big')
        await refused(bulkCreate(Gap, [{ big: 1n }, { big: beyond }]), 'big')
        await refused(bulkUpdate(Gap, [{ id: row.id, big: beyond }], ['big']), 'big')
        await refused(getOrCreate(Gap, { big: beyond }), 'big')
        await refused(pipe(query(Gap), where({ big: beyond })), 'big')
        await refused(pipe(query(Gap), where({ big__gt: beyond })), 'big__gt')
        await refused(pipe(query(Gap), where({ big__in: [1n, beyond] })), 'big__in')
        await refused(pipe(query(Gap), where({ big__range: [0n, beyond] })), 'big__range')
        await refused(pipe(query(Gap), update({ big: F('big').add(beyond as never) })), 'big')
        await refused(pipe(query(Gap), where({ big__lt: F('big').sub(beyond as never) } as never)), 'big')
        const byBig = prepare(pipe(query(Gap), where({ big: param('big') })))
        await refused(pipe(byBig, bind({ big: beyond })), 'big')
      }
      // the same plans with values inside the range run (an F expression's result is the database's)
      right(await pipe(query(Gap), update({ big: F('big').add((MAX64 - 1n) as never) }), run(t().db))())
      expect(right(await pipe(query(Gap), where({ id: row.id }), get, run(t().db))()).big).toBe(MAX64)
      expect(await stored()).toHaveLength(1)
    })

    it('an int beyond 32 bits and a smallint beyond 16 are refused, not stored or wrapped', async () => {
      for (const [field, beyond] of [
        ['n', 2147483648],
        ['n', -2147483649],
        ['n', 2 ** 53],
        ['small', 32768],
        ['small', -32769],
      ] as const) {
        const e = await refused(create(Gap, { [field]: beyond } as never), field)
        expect(e.message).toMatch(/outside the (int|smallint) range/)
        await refused(pipe(query(Gap), update({ [field]: beyond })), field)
        await refused(bulkCreate(Gap, [{ [field]: 1 }, { [field]: beyond }]), field)
        await refused(pipe(query(Gap), where({ [field]: beyond } as never)), field)
      }
      expect(await stored()).toEqual([])
    })

    it('a number for a bigint field is taken while it is exact, refused beyond', async () => {
      const row = right(await pipe(create(Gap, { big: Number.MAX_SAFE_INTEGER as unknown as bigint }), run(t().db))())
      expect(row.big).toBe(BigInt(Number.MAX_SAFE_INTEGER))
      const e = await refused(create(Gap, { big: (2 ** 60) as unknown as bigint }), 'big')
      expect(e.message).toMatch(/pass a bigint/)
    })
  })

  describe('JSON values', () => {
    it('nested JSON (nulls, arrays, objects, unicode) round-trips', async () => {
      const data = { a: [1, null, 'x', { b: true, c: [] }], 'two words': { é: 'ü' }, n: -1.5 }
      const row = right(await pipe(create(Gap, { data }), run(t().db))())
      expect(row.data).toEqual(data)
      expect(right(await pipe(query(Gap), where({ id: row.id }), get, run(t().db))()).data).toEqual(data)
      // one value under two keys is no cycle
      const shared = { x: [1, 2] }
      expect(right(await pipe(create(Gap, { data: { a: shared, b: [shared, shared] } }), run(t().db))()).data).toEqual({
        a: shared,
        b: [shared, shared],
      })
    })

    it.each(BAD_JSON)(
      '%s is refused in create, update and bulkCreate, naming where it is',
      async (_label, make, message) => {
        const e = await refused(create(Gap, { data: make() }), 'data')
        expect(e.message).toMatch(message)
        await refused(pipe(query(Gap), update({ data: make() })), 'data')
        await refused(bulkCreate(Gap, [{ data: { ok: 1 } }, { data: make() }]), 'data')
        await refused(getOrCreate(Gap, { n: 1 }, { data: make() }), 'data')
        expect(await stored()).toEqual([])
      },
    )

    it('a value refused with a cycle does not throw while the plan is built', () => {
      expect(() => create(Gap, { data: cyclic() })).not.toThrow()
      expect(() => pipe(query(Gap), where({ big: cyclic() as bigint }))).not.toThrow()
      expect(create(Gap, { big: cyclic() as bigint }).error?._tag).toBe('ValidationError')
    })
  })
})

it('a JSON value inside the nesting limit is accepted, one beyond it refused without a cycle named', () => {
  let deep: unknown = 1
  for (let i = 0; i < 100; i++) deep = [deep]
  expect(create(Gap, { data: deep }).error).toBeUndefined()
  const e = create(Gap, { data: [deep] }).error
  expect(e?._tag).toBe('ValidationError')
  expect(e?.message).toMatch(/nested more than 100 levels/)
})
