/**
 * Values round-trip unchanged on every dialect: datetimes in UTC with milliseconds, decimals
 * as fixed-scale strings, booleans, bigints beyond 2^53, 4-byte emoji, dates, JSON.
 */
import { pipe } from 'fp-ts/function'
import {
  Avg,
  annotate,
  create,
  fields,
  get,
  model,
  query,
  run,
  schema,
  where,
  orderBy,
  values,
  valuesFlat,
} from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Value } = schema({
  Value: model('Value', {
    table: 'rt_value',
    fields: {
      id: fields.int({ pk: true }),
      at: fields.datetime({ null: true }),
      price: fields.decimal({ maxDigits: 30, decimalPlaces: 4, null: true }),
      flag: fields.boolean({ null: true }),
      big: fields.bigint({ null: true }),
      label: fields.text({ null: true }),
      day: fields.date({ null: true }),
      doc: fields.json({ null: true }),
      ratio: fields.float({ null: true }),
    },
  }),
})

const BIG = 2n ** 53n + 1n

const samples = [
  {
    at: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
    price: '12345678901234567890.1234',
    flag: true,
    big: BIG,
    label: 'a😀b',
    day: '2024-02-29',
    doc: { a: [1, 'x'], b: null },
  },
  {
    at: new Date(Date.UTC(1999, 11, 31, 0, 0, 0, 1)),
    price: '-0.0001',
    flag: false,
    big: -(2n ** 63n),
    label: '𝄞 ß Ñ \\ % _',
    day: '1999-12-31',
    doc: 'just a string',
  },
  {
    at: new Date(Date.UTC(2038, 0, 19, 3, 14, 8, 0)),
    price: '0.0000',
    flag: true,
    big: 2n ** 63n - 1n,
    label: 'quote \' and " and `',
    day: '2038-01-19',
    doc: [1, 2, 3],
  },
  { at: null, price: null, flag: null, big: null, label: null, day: null, doc: null },
] as const

forEachDialect('type round-trips', [Value], (t) => {
  beforeEach(() => t().reset())

  it('create returns and a re-read gives back exactly what was written', async () => {
    for (const s of samples) {
      const made = right(await pipe(create(Value, s), run(t().db))())
      const read = right(await pipe(query(Value), where({ id: made.id }), get, run(t().db))())
      for (const row of [made, read]) {
        expect(row.at === null ? null : row.at.toISOString()).toBe(s.at === null ? null : s.at.toISOString())
        expect(row.price).toBe(s.price)
        expect(row.flag).toBe(s.flag)
        expect(row.big).toBe(s.big)
        expect(row.label).toBe(s.label)
        expect(row.day).toBe(s.day)
        expect(row.doc).toEqual(s.doc)
      }
    }
  })

  it('doubles come back with every digit they need, read as rows, values and aggregates', async () => {
    // MySQL's text protocol writes a DOUBLE to 15 significant digits: these need 16 or 17
    const doubles = [91293349681.88661, 1 / 3, 0.1 + 0.2, -5e-324, 1.7976931348623157e308, 2 ** 53 + 2]
    const ids: number[] = []
    for (const ratio of doubles) ids.push(right(await pipe(create(Value, { ratio }), run(t().db))()).id)
    const rows = right(await pipe(query(Value), orderBy('id'), run(t().db))())
    expect(rows.map((r) => r.ratio)).toEqual(doubles)
    expect(right(await pipe(query(Value), orderBy('id'), values('ratio'), run(t().db))())).toEqual(
      doubles.map((ratio) => ({ ratio })),
    )
    const one = right(
      await pipe(query(Value), where({ id: ids[0] }), annotate({ r: Avg('ratio') }), values('r'), run(t().db))(),
    )
    expect(one).toEqual([{ r: doubles[0] }])
  })

  it('filters on bigints beyond 2^53 compare exactly', async () => {
    for (const big of [BIG - 1n, BIG, BIG + 1n]) right(await pipe(create(Value, { big }), run(t().db))())
    const got = right(await pipe(query(Value), where({ big: BIG }), valuesFlat('big'), run(t().db))())
    expect(got).toEqual([BIG])
    const gt = right(
      await pipe(query(Value), where({ big__gt: BIG - 1n }), orderBy('big'), valuesFlat('big'), run(t().db))(),
    )
    expect(gt).toEqual([BIG, BIG + 1n])
  })

  it('datetimes compare and order by instant, with milliseconds', async () => {
    const base = Date.UTC(2020, 5, 1, 12, 0, 0, 0)
    for (const ms of [2, 0, 1]) right(await pipe(create(Value, { at: new Date(base + ms) }), run(t().db))())
    const after = right(
      await pipe(query(Value), where({ at__gt: new Date(base) }), orderBy('at'), valuesFlat('at'), run(t().db))(),
    )
    expect(after.map((d) => d?.getTime())).toEqual([base + 1, base + 2])
  })

  it('decimals compare exactly, beyond double precision', async () => {
    const prices = [
      '12345678901234567890.1233',
      '12345678901234567890.1234',
      '12345678901234567890.1235',
      '-12345678901234567890.1234',
      '0.0001',
      '-0.0001',
      '9.9999',
      '10.0000',
    ]
    for (const price of prices) right(await pipe(create(Value, { price }), run(t().db))())
    const asNumber = (p: string): bigint => BigInt(p.replace('.', ''))
    for (const pivot of prices) {
      const gt = right(await pipe(query(Value), where({ price__gt: pivot }), valuesFlat('price'), run(t().db))())
      expect([...gt].sort()).toEqual(prices.filter((p) => asNumber(p) > asNumber(pivot)).sort())
      const eq = right(await pipe(query(Value), where({ price: pivot }), valuesFlat('price'), run(t().db))())
      expect(eq).toEqual([pivot])
    }
    const ordered = right(
      await pipe(query(Value), where({ price__isnull: false }), orderBy('price'), valuesFlat('price'), run(t().db))(),
    )
    expect(ordered).toEqual(
      [...prices].sort((a, b) => (asNumber(a) < asNumber(b) ? -1 : asNumber(a) > asNumber(b) ? 1 : 0)),
    )
  })
})
