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

export const bigintCodec = new t.Type<bigint, unknown, unknown>(
  'bigint',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => {
    if (typeof u === 'bigint') return t.success(u)
    if (typeof u === 'number' && Number.isSafeInteger(u)) return t.success(BigInt(u))
    if (typeof u === 'string' && /^-?\d+$/.test(u)) return t.success(BigInt(u))
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
  (u, c) => (typeof u === 'boolean' ? t.success(u) : u === 0 || u === 1 || u === 0n || u === 1n ? t.success(Number(u) === 1) : t.failure(u, c)),
  t.identity,
)

export const decimalCodec = new t.Type<string, unknown, unknown>(
  'decimal',
  (u): u is string => typeof u === 'string' && /^-?\d+(\.\d+)?$/.test(u),
  (u, c) =>
    typeof u === 'string' && /^-?\d+(\.\d+)?$/.test(u) ? t.success(u) : typeof u === 'number' && Number.isFinite(u) ? t.success(String(u)) : t.failure(u, c),
  t.identity,
)

const ISO_DT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/** Datetimes are UTC; a string without an offset (SQLite's storage format) is read as UTC. */
export const parseUtc = (s: string): Date | undefined => {
  const m = ISO_DT.exec(s)
  if (!m) return undefined
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000 + 1e-9) : 0
  // Date.UTC reads years 0–99 as 1900–1999: set the year apart.
  const at = new Date(Date.UTC(2000, +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms))
  at.setUTCFullYear(+m[1], +m[2] - 1, +m[3])
  const base = at.getTime()
  const off = m[8]
  if (!off || off === 'Z') return new Date(base)
  const sign = off[0] === '-' ? -1 : 1
  const digits = off.slice(1).replace(':', '').padEnd(4, '0')
  return new Date(base - sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4)) * 60000)
}

/** A valid Date in years 1–9999 UTC, the range every database stores. */
const isStorableDate = (u: unknown): u is Date => u instanceof Date && !Number.isNaN(u.getTime()) && u.getUTCFullYear() >= 1 && u.getUTCFullYear() <= 9999

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
  if (!m || +m[1] < 1) return false
  const d = new Date(Date.UTC(2000, +m[2] - 1, +m[3]))
  d.setUTCFullYear(+m[1])
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

export const dateCodec = new t.Type<string, unknown, unknown>(
  'date',
  isCalendarDay,
  (u, c) => {
    if (isCalendarDay(u)) return t.success(u)
    if (u instanceof Date && !Number.isNaN(u.getTime())) return t.success(`${pad(u.getUTCFullYear(), 4)}-${pad(u.getUTCMonth() + 1)}-${pad(u.getUTCDate())}`)
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
