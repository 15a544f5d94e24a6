/**
 * Round-trip laws: for every field kind, arbitrary values — the boundaries of ints and bigints,
 * decimals with every digit used, datetimes to the millisecond, max-length strings of 4-byte
 * characters, JSON — survive `create` then `get` unchanged on every dialect.
 */
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { create, fields, get, model, query, run, schema, where } from 'terrapin'
import { badText } from '../src/model/validate'
import { forEachDialect } from '../test/support/dialects'
import { SEED, params, timeout } from './support/config'
import { show } from './support/harness'
import { BIGINT_EDGES, INT_EDGES, SMALLINT_EDGES, TEXT_CHARS, canon, formatScaled } from './support/values'

const CHAR_MAX = 12

const { Trip } = schema({
  Trip: model('Trip', {
    table: 'laws trip',
    fields: {
      i: fields.int({ null: true }),
      s: fields.smallint({ null: true }),
      b: fields.bigint({ null: true }),
      c: fields.char({ maxLength: CHAR_MAX, null: true }),
      t: fields.text({ null: true }),
      bool: fields.boolean({ null: true }),
      f: fields.float({ null: true }),
      d: fields.decimal({ maxDigits: 20, decimalPlaces: 6, null: true }),
      d0: fields.decimal({ maxDigits: 18, decimalPlaces: 0, null: true }),
      dt: fields.datetime({ null: true }),
      day: fields.date({ null: true }),
      tm: fields.time({ null: true }),
      u: fields.uuid({ null: true }),
      j: fields.json({ null: true }),
      e: fields.enum(['draft', 'ß', '😀 x'] as const, { null: true }),
    },
  }),
})

/** A code point the databases store: any but NUL and surrogate halves, salted with the tricky ones. */
const codePoint = fc.oneof(
  fc.constantFrom(...TEXT_CHARS),
  fc
    .integer({ min: 1, max: 0x10ffff })
    .filter((n) => n < 0xd800 || n > 0xdfff)
    .map((n) => String.fromCodePoint(n)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((n) => String.fromCodePoint(n)),
)
const text = (min: number, max: number) =>
  fc.array(codePoint, { minLength: min, maxLength: max }).map((cs) => cs.join(''))
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 8 })

const rowArb = fc.record({
  i: nullable(fc.oneof(fc.integer({ min: INT_EDGES[0], max: INT_EDGES[1] }), fc.constantFrom(...INT_EDGES))),
  s: nullable(
    fc.oneof(fc.integer({ min: SMALLINT_EDGES[0], max: SMALLINT_EDGES[1] }), fc.constantFrom(...SMALLINT_EDGES)),
  ),
  b: nullable(fc.oneof(fc.bigInt({ min: BIGINT_EDGES[0], max: BIGINT_EDGES[1] }), fc.constantFrom(...BIGINT_EDGES))),
  // Often exactly at the maximum length, counted in code points.
  c: nullable(fc.oneof(text(CHAR_MAX, CHAR_MAX), text(0, CHAR_MAX))),
  t: nullable(text(0, 200)),
  bool: nullable(fc.boolean()),
  f: nullable(
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1, 1 / 3),
    ),
  ),
  d: nullable(
    fc
      .oneof(
        fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }),
        fc.constantFrom(10n ** 20n - 1n, -(10n ** 20n) + 1n, 1n, -1n),
      )
      .map((n) => formatScaled(n, 6)),
  ),
  d0: nullable(fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }).map((n) => formatScaled(n, 0))),
  dt: nullable(
    fc.date({
      min: new Date('1000-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
  ),
  day: nullable(
    fc
      .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  ),
  tm: nullable(
    fc
      .tuple(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999))
      .map(([h, m, s, ms]) => `${pad(h)}:${pad(m)}:${pad(s)}${ms ? `.${pad(ms, 3)}`.replace(/0+$/, '') : ''}`),
  ),
  u: nullable(fc.uuid().map((u) => u.toLowerCase())),
  j: nullable(fc.jsonValue().filter((v) => v !== null && !badText(JSON.stringify(v)))),
  e: nullable(fc.constantFrom('draft' as const, 'ß' as const, '😀 x' as const)),
})

forEachDialect(`round-trip laws (seed ${SEED})`, [Trip], (t) => {
  it(
    'every kind of value survives create then get',
    async () => {
      await fc.assert(
        fc.asyncProperty(rowArb, async (row) => {
          const created = await run(t().db)(create(Trip, row))()
          if (E.isLeft(created))
            throw new Error(`create failed: ${created.left._tag}: ${created.left.message}\nrow: ${show(row)}`)
          const { id, ...stored } = created.right
          expect(canon(stored)).toBe(canon(row))
          const got = await pipe(query(Trip), where({ id }), get, run(t().db))()
          if (E.isLeft(got)) throw new Error(`get failed: ${got.left._tag}: ${got.left.message}`)
          expect(canon(got.right)).toBe(canon(created.right))
        }),
        params(100),
      )
    },
    timeout(100, 100),
  )
})
