/**
 * The io-ts codecs of the scalar field kinds: each checks a JS value (`is`) and reads what a
 * driver returns (`validate`). They are the single source of truth for a field's value type.
 */
import * as t from 'io-ts'

export const integer = (name: string, min: number, max: number): t.Type<number, unknown, unknown> =>
  new t.Type<number, unknown, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      const n = typeof u === 'bigint' ? Number(u) : typeof u === 'string' && /^-?\d+$/.test(u) ? Number(u) : u
      return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c)
    },
    t.identity,
  )

/** The range of a signed 64-bit integer, what every database's BIGINT holds. */
const MIN_INT64 = -(2n ** 63n)
const MAX_INT64 = 2n ** 63n - 1n

/** The values each integer kind holds, inclusive: the one table the codecs, messages and migration guards read. */
export const INT_RANGE: Readonly<Record<'smallint' | 'int' | 'bigint', readonly [bigint, bigint]>> = {
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [MIN_INT64, MAX_INT64],
}

/** A bigint in the signed 64-bit range (two comparisons: the guard runs for every bigint written or compared). */
export const isInt64 = (u: unknown): u is bigint => typeof u === 'bigint' && u >= MIN_INT64 && u <= MAX_INT64

export const bigintCodec = new t.Type<bigint, unknown, unknown>(
  'bigint',
  isInt64,
  (u, c) => {
    if (typeof u === 'bigint') return isInt64(u) ? t.success(u) : t.failure(u, c)
    if (typeof u === 'number' && Number.isSafeInteger(u)) return t.success(BigInt(u))
    if (typeof u === 'string' && /^-?\d+$/.test(u)) {
      const n = BigInt(u)
      return isInt64(n) ? t.success(n) : t.failure(u, c)
    }
    return t.failure(u, c)
  },
  t.identity,
)

export const floatCodec = new t.Type<number, unknown, unknown>(
  'float',
  // NaN and the infinities are not stored alike by the three databases: not floats here.
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    const n = typeof u === 'string' ? Number(u) : u
    return typeof n === 'number' && Number.isFinite(n) ? t.success(n) : t.failure(u, c)
  },
  t.identity,
)

export const booleanCodec = new t.Type<boolean, unknown, unknown>(
  'boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) =>
    typeof u === 'boolean'
      ? t.success(u)
      : u === 0 || u === 1 || u === 0n || u === 1n
        ? t.success(Number(u) === 1)
        : t.failure(u, c),
  t.identity,
)

export const decimalCodec = new t.Type<string, unknown, unknown>(
  'decimal',
  (u): u is string => typeof u === 'string' && /^-?\d+(\.\d+)?$/.test(u),
  (u, c) =>
    typeof u === 'string' && /^-?\d+(\.\d+)?$/.test(u)
      ? t.success(u)
      : typeof u === 'number' && Number.isFinite(u)
        ? t.success(String(u))
        : t.failure(u, c),
  t.identity,
)

const ISO_DT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)?$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Days before each month's first in a common year. */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/**
 * Whether the fields name a real moment: a month of the year, a day of that month (`2001-02-31`
 * is none, nor `1900-02-29`), an hour, minute and second of the day. NaN is never valid.
 */
export const validDateTime = (year: number, month: number, day: number, h: number, mi: number, sec: number): boolean =>
  year >= 0 &&
  month >= 1 &&
  month <= 12 &&
  day >= 1 &&
  day <= (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]) &&
  h >= 0 &&
  h <= 23 &&
  mi >= 0 &&
  mi <= 59 &&
  sec >= 0 &&
  sec <= 59

/**
 * Years are counted from 400 years earlier in {@link daysFromCivil}: the Gregorian calendar
 * repeats every 400 years (146,097 days), and from there every year before a date's is a
 * positive number, whose quotients `| 0` truncates to integers (a `Math.floor` of a float
 * division costs more than the rest of the arithmetic). The epoch, 1970, counted the same way.
 */
const SHIFT = 400
const EPOCH_DAYS =
  365 * (1970 + SHIFT) + (((1969 + SHIFT) / 4) | 0) - (((1969 + SHIFT) / 100) | 0) + (((1969 + SHIFT) / 400) | 0)

/**
 * Days from 1970-01-01 to a proleptic Gregorian date in years 0–9999, in integer arithmetic:
 * `Date.UTC` is a runtime call costing more than the rest of a datetime's reading, and it reads
 * years 0–99 as 1900–1999. A day beyond the month's end counts on into the next month, as in
 * `Date.UTC`.
 */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = year + SHIFT
  const before = y - 1
  const leapDay = month > 2 && (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0
  return (
    365 * y +
    ((before / 4) | 0) -
    ((before / 100) | 0) +
    ((before / 400) | 0) +
    DAYS_BEFORE_MONTH[month - 1] +
    leapDay +
    day -
    1 -
    EPOCH_DAYS
  )
}

/** `+00`, `-00`, `+0000` or `+00:00` at `i`. */
const zeroOffset = (s: string, i: number, len: number): boolean => {
  const sign = s.charCodeAt(i)
  if ((sign !== 43 && sign !== 45) || s.charCodeAt(i + 1) !== 48 || s.charCodeAt(i + 2) !== 48) return false
  if (len === 3) return true
  if (len === 5) return s.charCodeAt(i + 3) === 48 && s.charCodeAt(i + 4) === 48
  return len === 6 && s.charCodeAt(i + 3) === 58 && s.charCodeAt(i + 4) === 48 && s.charCodeAt(i + 5) === 48
}

/** The digit at `i` as a number, anything else as a number outside 0–9 (`(d >>> 0) > 9` tells it). */
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48

/**
 * The milliseconds of what follows a datetime's seconds (from index 19 of `s`, `n` long): a
 * fraction of up to nine digits, then an offset of zero or none; -1 for anything else.
 */
const tailMs = (s: string, n: number): number => {
  let i = 19
  let ms = 0
  if (i < n && s.charCodeAt(i) === 46) {
    // up to nine digits; the first three are the milliseconds, as the pattern's floor(fraction * 1000)
    const end = Math.min(n, i + 10)
    let scale = 100
    let j = i + 1
    for (; j < end; j++) {
      const f = digit(s, j)
      if (f >>> 0 > 9) break
      ms += f * scale
      scale = (scale / 10) | 0
    }
    if (j === i + 1) return -1
    i = j
  }
  // an offset of zero (`Z`, `+00`, `+00:00`, `+0000`) or none; other offsets take the pattern
  if (i < n && !(n - i === 1 ? s.charCodeAt(i) === 90 : zeroOffset(s, i, n - i))) return -1
  return ms
}

/**
 * What the drivers send (`YYYY-MM-DD HH:MM:SS[.fff…]`, MariaDB's and SQLite's text, PostgreSQL's
 * with `+00`), read without a regular expression; undefined for anything else, which
 * {@link parseUtc} then reads with its pattern. Only fields in range take this path, so that it
 * gives the pattern's Date exactly. It runs once per datetime of every row read: each digit is
 * read once and checked with one comparison, and the fraction as it is read.
 */
const fastUtc = (s: string): Date | undefined => {
  const n = s.length
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return undefined
  const sep = s.charCodeAt(10)
  if (sep !== 32 && sep !== 84) return undefined
  const y0 = digit(s, 0)
  const y1 = digit(s, 1)
  const y2 = digit(s, 2)
  const y3 = digit(s, 3)
  const mo0 = digit(s, 5)
  const mo1 = digit(s, 6)
  const d0 = digit(s, 8)
  const d1 = digit(s, 9)
  const h0 = digit(s, 11)
  const h1 = digit(s, 12)
  const mi0 = digit(s, 14)
  const mi1 = digit(s, 15)
  const s0 = digit(s, 17)
  const s1 = digit(s, 18)
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    mo0 >>> 0 > 9 ||
    mo1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    mi0 >>> 0 > 9 ||
    mi1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9
  )
    return undefined
  const ms = tailMs(s, n)
  if (ms < 0) return undefined
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
  const month = mo0 * 10 + mo1
  const day = d0 * 10 + d1
  const h = h0 * 10 + h1
  const mi = mi0 * 10 + mi1
  const sec = s0 * 10 + s1
  if (!validDateTime(year, month, day, h, mi, sec)) return undefined
  return new Date(daysFromCivil(year, month, day) * 86400000 + h * 3600000 + mi * 60000 + sec * 1000 + ms)
}

/** Datetimes are UTC; a string without an offset (SQLite's storage format) is read as UTC. */
export const parseUtc = (s: string): Date | undefined => {
  const fast = fastUtc(s)
  if (fast) return fast
  const m = ISO_DT.exec(s)
  // No field runs on into the next (Date.UTC would read `2001-02-31` as March 3).
  if (!m || !validDateTime(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6])) return undefined
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000 + 1e-9) : 0
  // Date.UTC reads years 0–99 as 1900–1999: set the year apart.
  const at = new Date(Date.UTC(2000, +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms))
  at.setUTCFullYear(+m[1], +m[2] - 1, +m[3])
  const base = at.getTime()
  const off = m[8]
  if (!off || off === 'Z') return new Date(base)
  const sign = off[0] === '-' ? -1 : 1
  const digits = off.slice(1).replace(':', '').padEnd(4, '0')
  const oh = +digits.slice(0, 2)
  const om = +digits.slice(2, 4)
  if (oh > 23 || om > 59) return undefined
  return new Date(base - sign * (oh * 60 + om) * 60000)
}

/** 0001-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z. */
const FIRST_STORABLE = -62135596800000
const PAST_STORABLE = 253402300800000

/** A valid Date in years 1–9999 UTC, the range every database stores (compared as times: the guard runs on every datetime read). */
const isStorableDate = (u: unknown): u is Date => {
  if (!(u instanceof Date)) return false
  const t = u.getTime()
  return t >= FIRST_STORABLE && t < PAST_STORABLE
}

export const datetimeCodec = new t.Type<Date, unknown, unknown>(
  'datetime',
  isStorableDate,
  (u, c) => {
    if (u instanceof Date) return isStorableDate(u) ? t.success(u) : t.failure(u, c)
    if (typeof u === 'string') {
      const d = parseUtc(u)
      return d ? t.success(d) : t.failure(u, c)
    }
    return t.failure(u, c)
  },
  t.identity,
)

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Dates are `YYYY-MM-DD` strings: a calendar day has no time zone, and a `Date` would invent one. */
/** A real calendar day, years 1–9999 (what every database stores): `2021-02-29` is not one. */
const isCalendarDay = (u: unknown): u is string => {
  if (typeof u !== 'string') return false
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(u)
  return m !== null && +m[1] >= 1 && validDateTime(+m[1], +m[2], +m[3], 0, 0, 0)
}

export const dateCodec = new t.Type<string, unknown, unknown>(
  'date',
  isCalendarDay,
  (u, c) => {
    if (isCalendarDay(u)) return t.success(u)
    if (u instanceof Date && !Number.isNaN(u.getTime()))
      return t.success(`${pad(u.getUTCFullYear(), 4)}-${pad(u.getUTCMonth() + 1)}-${pad(u.getUTCDate())}`)
    return t.failure(u, c)
  },
  t.identity,
)

const TIME = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,3})?$/

/** The one spelling of a time: milliseconds kept, trailing zeros trimmed (`'10:00:00.250'` → `'10:00:00.25'`). */
export const canonicalTime = (s: string): string => {
  const m = TIME.exec(s)
  if (!m) return s
  const frac = m[4] ? m[4].replace(/0+$/, '') : ''
  return `${m[1]}:${m[2]}:${m[3]}${frac === '.' ? '' : frac}`
}

/** Times are `HH:MM:SS` or `HH:MM:SS.mmm` strings, read back in their canonical spelling. */
export const timeCodec = new t.Type<string, unknown, unknown>(
  'time',
  (u): u is string => typeof u === 'string' && TIME.test(u),
  (u, c) => (typeof u === 'string' && TIME.test(u) ? t.success(canonicalTime(u)) : t.failure(u, c)),
  t.identity,
)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const uuidCodec = new t.Type<string, unknown, unknown>(
  'uuid',
  (u): u is string => typeof u === 'string' && UUID.test(u),
  (u, c) => (typeof u === 'string' && UUID.test(u) ? t.success(u.toLowerCase()) : t.failure(u, c)),
  t.identity,
)

/** Bytes: a `Buffer` or any `Uint8Array` written, a `Buffer` (a `Uint8Array`) read back. */
export const binaryCodec = new t.Type<Uint8Array, unknown, unknown>(
  'binary',
  (u): u is Uint8Array => u instanceof Uint8Array,
  (u, c) =>
    Buffer.isBuffer(u)
      ? t.success(u)
      : u instanceof Uint8Array
        ? t.success(Buffer.from(u.buffer, u.byteOffset, u.byteLength))
        : t.failure(u, c),
  t.identity,
)

export const jsonCodec = new t.Type<unknown, unknown, unknown>(
  'json',
  (_u): _u is unknown => true,
  (u, c) => {
    if (typeof u !== 'string') return t.success(u)
    try {
      return t.success(JSON.parse(u))
    } catch {
      return t.failure(u, c)
    }
  },
  t.identity,
)

export const stringCodec = (name: string): t.Type<string, unknown, unknown> =>
  new t.Type<string, unknown, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)),
    t.identity,
  )
