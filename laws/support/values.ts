/**
 * Values the laws store and compare: small domains (so filters hit rows) salted with the
 * boundaries and the characters the dialects disagree on, and a canonical text form so results
 * from any dialect and the reference compare as multisets.
 */
import fc from 'fast-check'
import { ENUM_INT, ENUM_TEXT, FieldSpec } from './schema'

/**
 * Characters that separate correct text handling from almost-correct: LIKE metacharacters,
 * quotes, case pairs outside ASCII (ß/ẞ, Σ/σ/ς, Ñ/ñ, K/K-sign), an astral emoji and letter,
 * and U+E000/U+FFFD, which sort above astral characters in UTF-16 but below them by code point.
 */
export const TEXT_CHARS = [
  'a',
  'b',
  'A',
  'B',
  ' ',
  '%',
  '_',
  '\\',
  "'",
  '"',
  'ß',
  'ẞ',
  'Σ',
  'σ',
  'ς',
  'Ñ',
  'ñ',
  'K',
  '\u212A',
  'é',
  '😀',
  '𝔸',
  '\uE000',
  '\uFFFD',
  '*',
  '?',
  '[',
]

export const textArb = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength }).map((cs) => cs.join(''))

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

export const INT_EDGES = [-2147483648, 2147483647]
export const SMALLINT_EDGES = [-32768, 32767]
export const BIGINT_EDGES = [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n]

const smallInt = fc.integer({ min: -3, max: 3 })

/** A decimal with exactly `places` decimal places and at most `digits` digits. */
export const decimalText = (places: number, digits = 18): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.bigInt({ min: -(10n ** BigInt(places + 1)), max: 10n ** BigInt(places + 1) }),
      fc.constantFrom(10n ** BigInt(digits) - 1n, -(10n ** BigInt(digits) - 1n)),
    )
    .map((n) => formatScaled(n, places))

/** `n / 10^places` as fixed-scale text. */
export const formatScaled = (n: bigint, places: number): string => {
  const neg = n < 0n
  const s = (neg ? -n : n).toString().padStart(places + 1, '0')
  const body = places === 0 ? s : `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`
  return neg ? `-${body}` : body
}

const datetimeArb = fc.oneof(
  fc
    .constantFrom(
      '2024-02-29T23:59:59.999Z',
      '2024-01-01T00:00:00.000Z',
      '1999-12-31T12:30:15.250Z',
      '1000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2020-12-28T01:02:03.004Z',
    )
    .map((s) => new Date(s)),
  fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
)

const dateArb = fc.oneof(
  fc.constantFrom('2024-02-29', '2021-01-03', '2020-12-31', '1000-01-01', '9999-12-31'),
  fc
    .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
)

const timeArb = fc
  .tuple(
    fc.integer({ min: 0, max: 23 }),
    fc.constantFrom(0, 30, 59),
    fc.constantFrom(0, 1, 59),
    fc.constantFrom(0, 5, 250, 999),
  )
  .map(([h, m, s, ms]) => `${pad(h)}:${pad(m)}:${pad(s)}${ms ? `.${pad(ms, 3)}`.replace(/0+$/, '') : ''}`)

const UUIDS = [
  '00000000-0000-0000-0000-000000000000',
  '0f0e0d0c-0b0a-4908-8706-050403020100',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
]

const jsonArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom({ a: 1, b: [true, null] }, [1, 'x', { k: 'é😀' }], 'text', 42, false, { '': '' }),
  fc.dictionary(
    fc.string({ maxLength: 3 }).filter((s) => !s.includes('\u0000')),
    fc.integer(),
    { maxKeys: 2 },
  ),
)

const floatArb = fc.constantFrom(0, 1, -1, 0.5, -2.25, 0.1, 1e300, -1e-300, 123456.789, 3)

/** A non-null value of a field. */
export const valueArb = (f: FieldSpec): fc.Arbitrary<unknown> => {
  switch (f.kind) {
    case 'int':
      return fc.oneof(smallInt, fc.constantFrom(...INT_EDGES))
    case 'smallint':
      return fc.oneof(smallInt, fc.constantFrom(...SMALLINT_EDGES))
    case 'bigint':
      return fc.oneof(smallInt.map(BigInt), fc.constantFrom(...BIGINT_EDGES))
    case 'float':
      return floatArb
    case 'decimal':
      return decimalText(f.size)
    case 'char':
      return textArb(f.size)
    case 'text':
      return textArb(6)
    case 'boolean':
      return fc.boolean()
    case 'datetime':
      return datetimeArb
    case 'date':
      return dateArb
    case 'time':
      return timeArb
    case 'uuid':
      return fc.constantFrom(...UUIDS)
    case 'json':
      return jsonArb
    case 'enumText':
      return fc.constantFrom(...ENUM_TEXT)
    case 'enumInt':
      return fc.constantFrom(...ENUM_INT)
  }
}

/** A stored value of a field: NULL now and then when the field allows it. */
export const storedArb = (f: FieldSpec): fc.Arbitrary<unknown> =>
  f.nullable ? fc.option(valueArb(f), { nil: null, freq: 4 }) : valueArb(f)

// ------------------------------------------------------------------------------------------
// canonical form
// ------------------------------------------------------------------------------------------

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v

/** A text form equal for equal values and different for different ones (types included). */
export const canon = (v: unknown): string => {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v)
  if (v instanceof Date) return `@${v.toISOString()}`
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`
  if (typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  // what is left is a symbol or a function: no column holds either
  const rest = v as symbol | (() => unknown)
  return String(rest)
}

/** Canonical form of a JSON column's value (key order is not part of the value). */
export const canonJson = (v: unknown): string => `json:${JSON.stringify(sortKeys(v))}`
