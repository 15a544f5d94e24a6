/**
 * Every lookup of the README, on every kind it applies to, with its decided semantics: text by
 * code point, case-sensitive contains/startswith/endswith/exact, Unicode case-insensitive
 * i-variants, `%` `_` `\` (and GLOB's `*` `?` `[`) matched literally, `{ f: null }` = IS NULL,
 * `in: []` nothing, `notIn: []` everything, two-valued logic (exclude is the exact complement),
 * and date parts of datetime, date and time fields. Each expectation is computed from the data
 * by a small reference evaluator written in plain JS, never hard-coded.
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, count, exclude, orderBy, q, query, run, valuesFlat, where } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'
import { Item } from './models'
import { ROWS, Row } from './item-rows'

// ------------------------------------------------------------------------------------------
// the reference evaluator
// ------------------------------------------------------------------------------------------

const cpCmp = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0)!)
  const y = [...b].map((c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

const isoWeek = (y: number, m: number, d: number): number => {
  const date = new Date(Date.UTC(y, m - 1, d))
  const day = date.getUTCDay() || 7
  date.setUTCDate(date.getUTCDate() + 4 - day)
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1)
  return Math.ceil(((date.getTime() - yearStart) / 86400000 + 1) / 7)
}

const part = (field: keyof Row, p: string, v: unknown): number => {
  let Y = 0,
    M = 0,
    D = 0,
    h = 0,
    mi = 0,
    s = 0
  if (v instanceof Date)
    [Y, M, D, h, mi, s] = [
      v.getUTCFullYear(),
      v.getUTCMonth() + 1,
      v.getUTCDate(),
      v.getUTCHours(),
      v.getUTCMinutes(),
      v.getUTCSeconds(),
    ]
  else if (field === 'day') [Y, M, D] = (v as string).split('-').map(Number)
  else [h, mi, s] = (v as string).split(':').map(Number)
  switch (p) {
    case 'year':
      return Y
    case 'quarter':
      return Math.ceil(M / 3)
    case 'month':
      return M
    case 'week':
      return isoWeek(Y, M, D)
    case 'day':
      return D
    case 'hour':
      return h
    case 'minute':
      return mi
    default:
      return Math.floor(s)
  }
}

const cmp = (a: unknown, b: unknown): number => {
  if (typeof a === 'string' && /^-?\d+\.\d+$/.test(a)) return Number(a) - Number(b)
  if (typeof a === 'string') return cpCmp(a, b as string)
  if (a instanceof Date) return a.getTime() - (b as Date).getTime()
  if (typeof a === 'bigint') return a < BigInt(b as bigint) ? -1 : a > BigInt(b as bigint) ? 1 : 0
  if (typeof a === 'boolean') return Number(a) - Number(b)
  return (a as number) - (b as number)
}

const fold = (s: string): string => s.toLowerCase()
const PARTS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'])

/** Whether a row satisfies one `key: value` condition (two-valued: NULL compares false). */
const holds = (r: Row, key: string, value: unknown): boolean => {
  const [field, ...rest] = key.split('__') as [keyof Row, ...string[]]
  let v: unknown = r[field]
  if (rest[0] && PARTS.has(rest[0])) {
    const p = rest.shift()!
    v = v === null ? null : part(field, p, v)
  }
  const lookup = rest[0] ?? 'exact'
  const eq = (a: unknown, b: unknown) => a !== null && b !== null && cmp(a, b) === 0
  switch (lookup) {
    case 'exact':
      return value === null ? v === null : eq(v, value)
    case 'not':
      return value === null ? v !== null : !eq(v, value)
    case 'in':
      return (value as unknown[]).some((x) => eq(v, x))
    case 'notIn':
      return !(value as unknown[]).some((x) => eq(v, x))
    case 'gt':
      return v !== null && cmp(v, value) > 0
    case 'gte':
      return v !== null && cmp(v, value) >= 0
    case 'lt':
      return v !== null && cmp(v, value) < 0
    case 'lte':
      return v !== null && cmp(v, value) <= 0
    case 'range':
      return v !== null && cmp(v, (value as unknown[])[0]) >= 0 && cmp(v, (value as unknown[])[1]) <= 0
    case 'isnull':
      return value ? v === null : v !== null
    case 'notIsnull':
      return value ? v !== null : v === null
    case 'contains':
      return v !== null && (v as string).includes(value as string)
    case 'icontains':
      return v !== null && fold(v as string).includes(fold(value as string))
    case 'startswith':
      return v !== null && (v as string).startsWith(value as string)
    case 'istartswith':
      return v !== null && fold(v as string).startsWith(fold(value as string))
    case 'endswith':
      return v !== null && (v as string).endsWith(value as string)
    case 'iendswith':
      return v !== null && fold(v as string).endsWith(fold(value as string))
    case 'iexact':
      return v !== null && fold(v as string) === fold(value as string)
  }
  throw new Error(`no reference for ${key}`)
}

const matches = (r: Row, filter: Record<string, unknown>): boolean =>
  Object.entries(filter).every(([k, v]) => holds(r, k, v))

// ------------------------------------------------------------------------------------------
// the cases
// ------------------------------------------------------------------------------------------

const at = (s: string) => new Date(s)
const present = <K extends keyof Row>(k: K) => ROWS.map((r) => r[k]).filter((v) => v !== null) as NonNullable<Row[K]>[]

const CASES: ReadonlyArray<Record<string, unknown>> = [
  // equality, null, not
  { n: 3 },
  { n: null },
  { n__not: 3 },
  { n__not: null },
  { name: 'ab' },
  { name: 'ab ' },
  { name: 'AB' },
  { name: '' },
  { note: null },
  { note: '' },
  { note__not: 'HELLO' },
  { on: true },
  { on: false },
  { on__not: true },
  { on: null },
  { kind: 'a' },
  { kind__not: 'a' },
  { kind__in: ['a', 'c'] },
  { kind__notIn: ['b'] },
  { kind: null },
  { big: present('big')[1] },
  { big__not: present('big')[1] },
  { x: 0.5 },
  { price: present('price')[2] },
  { at: present('at')[3] },
  { day: present('day')[4] },
  { clock: present('clock')[5] },
  { ref: present('ref')[2] },
  { ref: present('ref')[2].toUpperCase() },
  // in / notIn, empty lists
  { n__in: [1, 3, 99] },
  { n__in: [] },
  { n__notIn: [1, 3] },
  { n__notIn: [] },
  { name__in: ['ab', 'AB', 'nope'] },
  { name__notIn: [] },
  { big__in: present('big').slice(0, 3) },
  { at__in: present('at').slice(0, 2) },
  { day__notIn: present('day').slice(0, 5) },
  // ordering comparisons on every ordered kind
  { n__gt: 2 },
  { n__gte: 2 },
  { n__lt: 0 },
  { n__lte: 0 },
  { big__gt: 0n },
  { big__lte: -1000n },
  { x__gt: 1.25 },
  { x__lt: -1 },
  { price__gt: '10.5' },
  { price__lte: '-9.99' },
  { price__gte: 5 },
  { at__gt: at('2020-06-01T00:00:00Z') },
  { at__lte: at('2021-01-01T12:00:00.500Z') },
  { day__gte: '2021-06-15' },
  { day__lt: '2020-07-01' },
  { clock__gt: '12:00:00' },
  { clock__lte: '05:30:00' },
  { name__gt: 'a' },
  { name__lt: 'a' },
  { name__gte: 'ñ' },
  { name__gt: 'Z' },
  { ref__gt: '00000005-0000-4000-8000-000000000000' },
  // range
  { n__range: [-1, 4] },
  { x__range: [-2, 2] },
  { price__range: ['-50', '50'] },
  { at__range: [at('2020-01-01T00:00:00Z'), at('2021-12-31T23:59:59.999Z')] },
  { day__range: ['2020-03-01', '2021-03-01'] },
  { name__range: ['a', 'b'] },
  { big__range: [-(10n ** 17n), 10n ** 17n] },
  // isnull
  { n__isnull: true },
  { n__isnull: false },
  { n__notIsnull: true },
  { n__notIsnull: false },
  { at__isnull: true },
  { note__isnull: false },
  { kind__isnull: true },
  { on__isnull: false },
  { ref__isnull: true },
  { price__isnull: true },
  // text matching: case-sensitive, literal metacharacters
  { name__contains: 'b' },
  { name__contains: 'B' },
  { name__contains: '%' },
  { name__contains: '_' },
  { name__contains: '\\' },
  { name__contains: '\\\\' },
  { name__contains: '*' },
  { name__contains: '?' },
  { name__contains: '[' },
  { name__contains: '[y]' },
  { name__contains: "'" },
  { name__contains: '😀' },
  { name__contains: '' },
  { name__startswith: 'a' },
  { name__startswith: 'A' },
  { name__startswith: 'a%' },
  { name__startswith: 'a_' },
  { name__endswith: 'b' },
  { name__endswith: ' ' },
  { name__endswith: 'ß' },
  { note__contains: '%' },
  { note__contains: '_' },
  { note__endswith: '%' },
  { note__startswith: 'back\\' },
  { name__contains: 'ñ' },
  { name__contains: 'Ñ' },
  // text matching: Unicode case-insensitive
  { name__icontains: 'ab' },
  { name__icontains: 'ÑAN' },
  { name__icontains: 'ñan' },
  { name__icontains: 'дом' },
  { name__icontains: '%' },
  { name__icontains: '_b' },
  { name__istartswith: 'a' },
  { name__istartswith: 'д' },
  { name__iendswith: 'DÚ' },
  { name__iendswith: 'B' },
  { note__icontains: 'éCLAIR' },
  { note__icontains: 'hello' },
  { name__iexact: 'ab' },
  { name__iexact: 'ÑANDÚ' },
  { name__iexact: 'straße' },
  { note__iexact: 'hello' },
  { name__iexact: 'ab ' },
  // date parts of a datetime
  { at__year: 2020 },
  { at__year__gte: 2021 },
  { at__quarter: 2 },
  { at__quarter__in: [1, 4] },
  { at__month: 6 },
  { at__month__range: [3, 8] },
  { at__week: present('at').length && part('at', 'week', present('at')[0]) },
  { at__week__gt: 26 },
  { at__day: present('at').length && part('at', 'day', present('at')[1]) },
  { at__day__lte: 10 },
  { at__hour: part('at', 'hour', present('at')[2]) },
  { at__hour__lt: 12 },
  { at__minute__gte: 30 },
  { at__second__lt: 20 },
  { at__second: part('at', 'second', present('at')[4]) },
  { at__year__not: 2020 },
  { at__month__notIn: [1, 2, 3] },
  // date parts of a date
  { day__year: 2021 },
  { day__quarter: 3 },
  { day__month: 2 },
  { day__month__in: [1, 12] },
  { day__week: part('day', 'week', present('day')[0]) },
  { day__week__lte: 5 },
  { day__day: part('day', 'day', present('day')[2]) },
  { day__day__gt: 20 },
  { day__year__not: 2020 },
  // date parts of a time
  { clock__hour: part('clock', 'hour', present('clock')[1]) },
  { clock__hour__gte: 12 },
  { clock__minute__lt: 15 },
  { clock__second: part('clock', 'second', present('clock')[3]) },
  { clock__minute__range: [10, 40] },
  { clock__second__not: 0 },
  // several conditions ANDed
  { n__gte: 0, name__contains: 'a' },
  { on: true, kind__in: ['a', 'b'] },
]

forEachDialect('lookups', [Item], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Item, ROWS), run(t().db))())
  })

  const ids = async (filter: Record<string, unknown>, negate = false): Promise<string[]> => {
    const base = negate ? pipe(query(Item), exclude(filter as never)) : pipe(query(Item), where(filter as never))
    return [...right(await pipe(base, valuesFlat('name'), run(t().db))())].sort()
  }

  it('the data covers what the cases need (NULLs in every nullable column, both cases, metacharacters)', () => {
    for (const k of ['note', 'n', 'big', 'x', 'price', 'on', 'at', 'day', 'clock', 'ref', 'kind'] as const) {
      expect(ROWS.some((r) => r[k] === null)).toBe(true)
      expect(ROWS.some((r) => r[k] !== null)).toBe(true)
    }
  })

  it.each(CASES.map((c) => [JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), c] as const))(
    '%s',
    async (_label, filter) => {
      const expected = ROWS.filter((r) => matches(r, filter))
        .map((r) => r.name)
        .sort()
      const got = await ids(filter)
      expect(got).toEqual(expected)
      // exclude() is the exact complement: together they partition the table.
      const rest = await ids(filter, true)
      expect(rest).toEqual(
        ROWS.filter((r) => !matches(r, filter))
          .map((r) => r.name)
          .sort(),
      )
      // and the count agrees with the rows.
      expect(right(await pipe(query(Item), where(filter as never), count, run(t().db))())).toBe(expected.length)
    },
  )

  it('most cases select some rows and not all (the cases can fail)', () => {
    const informative = CASES.filter((c) => {
      const n = ROWS.filter((r) => matches(r, c)).length
      return n > 0 && n < ROWS.length
    })
    expect(informative.length).toBeGreaterThan(CASES.length * 0.85)
  })

  it('q.and / q.or / q.not and nested negations follow two-valued logic', async () => {
    const combos: ReadonlyArray<[unknown, (r: Row) => boolean]> = [
      [q.or({ n: 3 }, { name__startswith: 'a' }), (r) => holds(r, 'n', 3) || holds(r, 'name__startswith', 'a')],
      [q.and({ n__gte: 0 }, q.not({ on: true })), (r) => holds(r, 'n__gte', 0) && !holds(r, 'on', true)],
      [q.not(q.not({ x__gt: 0 })), (r) => holds(r, 'x__gt', 0)],
      [q.not(q.or({ n__lt: 0 }, { kind: 'a' })), (r) => !(holds(r, 'n__lt', 0) || holds(r, 'kind', 'a'))],
      [q.not(q.and({ on: false }, { x__lt: 0 })), (r) => !(holds(r, 'on', false) && holds(r, 'x__lt', 0))],
      [q.or(), () => false],
      [q.and(), () => true],
      [q.not({ n__in: [] }), () => true],
      [q.not({ n__notIn: [] }), () => false],
    ]
    for (const [f, pred] of combos) {
      const got = [...right(await pipe(query(Item), where(f as never), valuesFlat('name'), run(t().db))())].sort()
      expect(got).toEqual(
        ROWS.filter(pred)
          .map((r) => r.name)
          .sort(),
      )
      const comp = [...right(await pipe(query(Item), exclude(f as never), valuesFlat('name'), run(t().db))())].sort()
      expect(comp).toEqual(
        ROWS.filter((r) => !pred(r))
          .map((r) => r.name)
          .sort(),
      )
    }
  })

  it('successive where calls are ANDed, where and exclude compose', async () => {
    const got = [
      ...right(
        await pipe(
          query(Item),
          where({ n__gte: 0 }),
          where({ name__contains: 'a' }),
          exclude({ on: true }),
          valuesFlat('name'),
          run(t().db),
        )(),
      ),
    ].sort()
    expect(got).toEqual(
      ROWS.filter((r) => holds(r, 'n__gte', 0) && holds(r, 'name__contains', 'a') && !holds(r, 'on', true))
        .map((r) => r.name)
        .sort(),
    )
  })

  it('text, dates, times and uuids order by code point / chronologically, NULLs first ascending and last descending', async () => {
    const nullsFirst =
      <A>(cmpA: (a: A, b: A) => number) =>
      (a: A | null, b: A | null) =>
        a === null ? (b === null ? 0 : -1) : b === null ? 1 : cmpA(a, b)
    const keys = ['name', 'note', 'at', 'day', 'clock', 'ref', 'price', 'big'] as const
    for (const k of keys) {
      const sorted = [...ROWS].sort((a, b) => nullsFirst<unknown>(cmp)(a[k], b[k]) || cpCmp(a.name, b.name))
      const asc = right(await pipe(query(Item), orderBy(k, 'name'), valuesFlat('name'), run(t().db))())
      expect([k, asc]).toEqual([k, sorted.map((r) => r.name)])
      const desc = [...ROWS].sort((a, b) => nullsFirst<unknown>(cmp)(b[k], a[k]) || cpCmp(a.name, b.name))
      const got = right(await pipe(query(Item), orderBy(`-${k}` as const, 'name'), valuesFlat('name'), run(t().db))())
      expect([k, got]).toEqual([k, desc.map((r) => r.name)])
    }
  })
})
