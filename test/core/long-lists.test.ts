/**
 * `in` / `notIn` with long lists: past `LONG_LIST` plain values, a list is one parameter (JSON
 * read by json_each on SQLite, an array on PostgreSQL, the driver's written-in list on MySQL),
 * so 70,000 values work where a parameter per value stops at the database's limit (32,766 on
 * SQLite, 65,534 on PostgreSQL). Each long list is the values that matter padded with values
 * that match nothing: it must find exactly the rows the short list of those values finds, on
 * every kind of field, negated too, through a relation, in updates and deletes, prepared, and
 * through the compile cache.
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  annotate,
  bind,
  bulkCreate,
  compile,
  count,
  exclude,
  orderBy,
  param,
  prepare,
  query,
  remove,
  run,
  update,
  valuesFlat,
  where,
} from 'terrapin'
import { LONG_LIST } from '../../src/plan/ast'
import { forEachDialect, right } from '../support/dialects'
import { Item } from './models'
import { ROWS, Row } from './item-rows'
import { Author, Book } from '../expr/models'

/** More values than any of the three databases binds as parameters of one statement. */
const LONG = 70_000

type Field = keyof Row

const hms = (s: number): string =>
  [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((x) => String(x).padStart(2, '0')).join(':')

/** Times of day no row holds (more than 70,000 of the 86,400). */
const FREE_CLOCKS: ReadonlyArray<string> = Array.from({ length: 86_400 }, (_, s) => hms(s)).filter(
  (c) => !ROWS.some((r) => r.clock === c),
)

/** The i-th value of a field that no row holds (booleans and the enum have none: their lists repeat what matters). */
const FILLER: { readonly [K in Field]: ((i: number) => Row[K]) | undefined } = {
  name: (i) => `zz ${i}`,
  note: (i) => `filler ${i}`,
  n: (i) => 1_000_000 + i,
  big: (i) => 7n * 10n ** 17n + BigInt(i),
  x: (i) => 1e6 + i / 8,
  price: (i) => `${100_000 + i}.125`,
  on: undefined,
  at: (i) => new Date(Date.UTC(1990, 0, 1) + i * 1001),
  day: (i) => new Date(Date.UTC(1900, 0, 1) + (i % 30_000) * 86_400_000).toISOString().slice(0, 10),
  clock: (i) => FREE_CLOCKS[i],
  ref: (i) => `ffffffff-0000-4000-8000-${String(i).padStart(12, '0')}`,
  kind: undefined,
}

/** What matters of a field: some values rows hold (and one more when the field has room for it). */
const relevant = <K extends Field>(k: K): Row[K][] => {
  const held = ROWS.map((r) => r[k]).filter((v): v is NonNullable<Row[K]> => v !== null)
  const picked = held.filter((_, i) => i % 3 === 0)
  const filler = FILLER[k]
  // a decimal equal to a held one (not picked) as a double, not as a decimal: decimals compare by value
  const nearMiss = k === 'price' ? [`${String(held.find((v) => !picked.includes(v)))}0000000000001` as Row[K]] : []
  return filler ? [...picked, ...nearMiss, filler(LONG + 1)] : picked
}

/** `values` padded to `LONG` items with values no row holds (or with themselves). */
const padded = <K extends Field>(k: K, values: Row[K][]): Row[K][] => {
  const filler = FILLER[k]
  return Array.from({ length: LONG }, (_, i) =>
    i < values.length ? values[i] : filler ? filler(i) : values[i % values.length],
  )
}

/** Integers padded to `LONG` with integers past any the tests hold. */
const longInts = (values: number[]): number[] =>
  Array.from({ length: LONG }, (_, i) => (i < values.length ? values[i] : 1_000_000 + i))

const FIELDS: ReadonlyArray<Field> = [
  'name',
  'note',
  'n',
  'big',
  'x',
  'price',
  'on',
  'at',
  'day',
  'clock',
  'ref',
  'kind',
]

forEachDialect('long in lists', [Item, Author, Book], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Item, ROWS as never), run(t().db))())
    const authors = right(await pipe(bulkCreate(Author, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]), run(t().db))())
    right(
      await pipe(
        bulkCreate(
          Book,
          Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, pages: i * 10, authorId: authors[i % 3].id })),
        ),
        run(t().db),
      )(),
    )
  })

  /** The names (unique) of the rows a filter keeps, in order. */
  const names = async (filter: Record<string, unknown>, negate = false): Promise<string[]> =>
    [
      ...right(
        await pipe(
          query(Item),
          negate ? exclude(filter as never) : where(filter as never),
          valuesFlat('name'),
          run(t().db),
        )(),
      ),
    ].sort()

  it.each(FIELDS)('%s: in and notIn with 70,000 values find what the short list finds, excluded too', async (k) => {
    const short = relevant(k)
    const long = padded(k, short)
    const expected = await names({ [`${k}__in`]: short })
    // the short list's own answer, from the data (so that both cannot be wrong the same way)
    const key = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v))
    const wanted = new Set(short.map(key))
    expect(expected).toEqual(
      ROWS.filter((r) => r[k] !== null && wanted.has(key(r[k])))
        .map((r) => r.name)
        .sort(),
    )
    expect(expected.length).toBeGreaterThan(0)
    expect(await names({ [`${k}__in`]: long })).toEqual(expected)
    expect(await names({ [`${k}__notIn`]: long })).toEqual(await names({ [`${k}__notIn`]: short }))
    expect(await names({ [`${k}__in`]: long }, true)).toEqual(await names({ [`${k}__in`]: short }, true))
    expect(await names({ [`${k}__notIn`]: long }, true)).toEqual(await names({ [`${k}__notIn`]: short }, true))
  })

  it('text an array literal or JSON would read otherwise is matched as it is', async () => {
    const odd = [
      'quote"d',
      '{braces}',
      'x,y',
      'NULL',
      'null',
      'back\\slash\\',
      ' lead',
      'trail ',
      '[1]',
      '"',
      '\\"',
      'ä\u2028b',
    ]
    right(
      await pipe(
        bulkCreate(
          Item,
          odd.map((name) => ({ name })),
        ),
        run(t().db),
      )(),
    )
    try {
      expect(await names({ name__in: padded('name', odd) })).toEqual([...odd].sort())
      expect(await names({ name__in: padded('name', ['NULL']) })).toEqual(['NULL'])
    } finally {
      right(await pipe(query(Item), where({ name__in: odd }), remove, run(t().db))())
    }
  })

  it('a date part takes a long list of integers', async () => {
    const years = longInts([2019, 2021])
    const expected = await names({ at__year__in: [2019, 2021] })
    expect(expected).toEqual(
      ROWS.filter((r) => r.at && [2019, 2021].includes(r.at.getUTCFullYear()))
        .map((r) => r.name)
        .sort(),
    )
    expect(await names({ at__year__in: years })).toEqual(expected)
  })

  it('a long list through a relation, and in a grouped count', async () => {
    const pages = longInts([0, 10, 20])
    const names = right(
      await pipe(query(Author), where({ books__pages__in: pages }), orderBy('name'), valuesFlat('name'), run(t().db))(),
    )
    expect(names).toEqual(['a', 'b', 'c'])
    const only = right(
      await pipe(query(Author), where({ books__pages__in: longInts([10]) }), valuesFlat('name'), run(t().db))(),
    )
    expect(only).toEqual(['b'])
    const perAuthor = right(
      await pipe(
        query(Author),
        annotate({ n: Count('books') }),
        where({ n__in: longInts([10]) }),
        orderBy('name'),
        valuesFlat('name'),
        run(t().db),
      )(),
    )
    expect(perAuthor).toEqual(['a', 'b', 'c'])
  })

  it('updates and deletes the rows a long list names, and only those', async () => {
    const all = right(await pipe(query(Book), orderBy('id'), valuesFlat('id'), run(t().db))())
    const some = [all[2], all[5], all[7], all[11]]
    const long = longInts(some)
    expect(right(await pipe(query(Book), where({ id__in: long }), update({ title: 'chosen' }), run(t().db))())).toBe(
      some.length,
    )
    expect(
      right(await pipe(query(Book), where({ title: 'chosen' }), orderBy('id'), valuesFlat('id'), run(t().db))()),
    ).toEqual(some)
    expect(right(await pipe(query(Book), where({ id__in: long }), remove, run(t().db))())).toBe(some.length)
    expect(right(await pipe(query(Book), where({ title: 'chosen' }), count, run(t().db))())).toBe(0)
    expect(right(await pipe(query(Book), count, run(t().db))())).toBe(30 - some.length)
  })

  it('a prepared plan with a long list and a placeholder', async () => {
    const first = ROWS.slice(0, 6).map((r) => r.name)
    const plan = prepare(
      pipe(query(Item), where({ name__in: padded('name', first), n__gte: param('n') }), valuesFlat('name')),
    )
    for (const n of [-3, 0, 4]) {
      const expected = ROWS.filter((r) => first.includes(r.name) && r.n !== null && r.n >= n).map((r) => r.name)
      expect([...right(await pipe(plan, bind({ n }), run(t().db))())].sort()).toEqual(expected.sort())
    }
  })

  it('one statement for every length past LONG_LIST, and the cache never mixes up two lists', async () => {
    const sqlOf = (n: number): string =>
      compile(pipe(query(Item), where({ id__in: Array.from({ length: n }, (_, i) => i) })), t().dialect).sql
    expect(sqlOf(LONG_LIST + 1)).toBe(sqlOf(LONG))
    expect(sqlOf(LONG_LIST + 1)).not.toBe(sqlOf(LONG_LIST))
    expect(
      compile(pipe(query(Item), where({ id__in: Array.from({ length: LONG }, (_, i) => i) })), t().dialect).params,
    ).toHaveLength(1)
    for (const first of [1, 11, 21, 31]) {
      const wanted = [ROWS[first], ROWS[first + 3], ROWS[first + 5]].map((r) => r.name).sort()
      expect(await names({ name__in: padded('name', wanted) })).toEqual(wanted)
    }
  })
})
