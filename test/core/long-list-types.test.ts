/**
 * A long `in` list (past `LONG_LIST`) on PostgreSQL binds one parameter typed as an array of
 * the column's type (`= ANY(CAST($1 AS INTEGER[]))`): the server reads the array once, where a
 * text parameter cast again to an array is re-read for every row a scan visits. The golden SQL
 * pins that form for every kind of column; the runs check, on every dialect, that a long list
 * finds exactly the rows of its short list for the kinds `long-lists.test.ts` leaves out
 * (smallint, integer and text enums, text with the characters an array literal escapes) and that
 * a NULL item is refused as a short list's is.
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, compile, exclude, query, run, values, valuesFlat, where } from 'terrapin'
import { LONG_LIST } from '../../src/plan/ast'
import { forEachDialect, left, right } from '../support/dialects'
import { Kinds } from './models'

/** A long list: `held` first, then `filler(j)` (values no row holds) up to `LONG_LIST * 3` items. */
const long = <A>(held: ReadonlyArray<A>, filler: (j: number) => A): A[] =>
  Array.from({ length: LONG_LIST * 3 }, (_, j) => (j < held.length ? held[j] : filler(j)))

/** The SQL type each kind of column's long list is cast to on PostgreSQL, and a long list for it. */
const GOLDEN: ReadonlyArray<readonly [string, string, ReadonlyArray<unknown>]> = [
  ['i', 'INTEGER', long([], (j) => j)],
  ['big', 'BIGINT', long([], (j) => BigInt(j))],
  ['small', 'SMALLINT', long([], (j) => j)],
  ['name', 'TEXT', long([], (j) => `n${j}`)],
  ['body', 'TEXT', long([], (j) => `b${j}`)],
  ['flag', 'BOOLEAN', long([true], () => false)],
  ['ratio', 'DOUBLE PRECISION', long([], (j) => j / 4)],
  ['price', 'NUMERIC', long([], (j) => `${j}.25`)],
  ['at', 'TIMESTAMPTZ', long([], (j) => new Date(j * 1000))],
  ['day', 'DATE', long([], () => '2020-01-02')],
  ['clock', 'TIME', long([], () => '10:11:12')],
  ['ref', 'UUID', long([], (j) => `ffffffff-0000-4000-8000-${String(j).padStart(12, '0')}`)],
  ['status', 'TEXT', long([], () => 'draft')],
  ['level', 'INTEGER', long([], () => 2)],
]

describe('long lists on PostgreSQL: golden SQL', () => {
  it.each(GOLDEN)('%s: one parameter typed as an array of %s', (key, type, list) => {
    const { sql, params } = compile(
      pipe(query(Kinds), where({ [`${key}__in`]: list } as never), values('id')),
      'postgres',
    )
    expect(sql).toBe(`SELECT "t0"."id" FROM "core_kinds" AS "t0" WHERE "t0"."${key}" = ANY(CAST($1 AS ${type}[]))`)
    expect(params).toHaveLength(1)
    const excluded = compile(
      pipe(query(Kinds), where({ [`${key}__notIn`]: list } as never), values('id')),
      'postgres',
    ).sql
    expect(excluded).toBe(
      `SELECT "t0"."id" FROM "core_kinds" AS "t0" WHERE (NOT ("t0"."${key}" = ANY(CAST($1 AS ${type}[]))) OR "t0"."${key}" IS NULL)`,
    )
  })

  it('the parameter is the text of an array literal, every item quoted and escaped', () => {
    const names = long(['q"d', 'b\\s', '{x,y}', 'NULL', 'ä😀'], (j) => `n${j}`)
    const { params } = compile(pipe(query(Kinds), where({ name__in: names }), values('id')), 'postgres')
    expect(String(params[0]).startsWith('{"q\\"d","b\\\\s","{x,y}","NULL","ä😀","n5",')).toBe(true)
    const at = compile(
      pipe(query(Kinds), where({ at__in: long([], (j) => new Date(Date.UTC(2020, 0, 1, 0, 0, 0, j))) }), values('id')),
      'postgres',
    )
    expect(String(at.params[0]).startsWith('{"2020-01-01T00:00:00.000Z","2020-01-01T00:00:00.001Z",')).toBe(true)
  })
})

/** The rows: text an array literal or JSON escapes, and case and trailing-space neighbours that only a binary comparison tells apart. */
const ROWS = [
  { id: 1, name: 'q"d', body: 'b\\s{,}', small: -32768, status: 'draft', level: 1 },
  { id: 2, name: 'Q"D', body: 'B\\S{,}', small: 32767, status: 'published', level: 2 },
  { id: 3, name: 'ab', body: 'NULL', small: 0, status: 'draft', level: 3 },
  { id: 4, name: 'ab ', body: 'null', small: 7, status: 'published', level: null },
  { id: 5, name: 'ä😀', body: 'Ä😀', small: null, status: 'draft', level: 2 },
  { id: 6, name: 'x,y', body: '"', small: -7, status: 'published', level: 1 },
] as const

type Key = 'name' | 'body' | 'small' | 'status' | 'level'

/** Per key: the values the short list holds, and values no row holds (an enum has none: its list repeats what it holds). */
const CASES: ReadonlyArray<readonly [Key, ReadonlyArray<unknown>, ((j: number) => unknown) | undefined]> = [
  ['name', ['q"d', 'ab', 'ä😀'], (j) => `zz${j}`],
  ['body', ['B\\S{,}', 'NULL', '"'], (j) => `filler ${j}`],
  ['small', [-32768, 0, -7], (j) => 1000 + j],
  ['status', ['published'], undefined],
  ['level', [2, 3], undefined],
]

forEachDialect('long lists of every kind', [Kinds], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Kinds, ROWS as never), run(t().db))())
  })

  const ids = async (filter: Record<string, unknown>, negate = false): Promise<number[]> =>
    [
      ...right(
        await pipe(
          query(Kinds),
          negate ? exclude(filter as never) : where(filter as never),
          valuesFlat('id'),
          run(t().db),
        )(),
      ),
    ].sort((a, b) => a - b)

  it.each(CASES)(
    '%s: a long list finds the rows its short list finds, negated and excluded too',
    async (key, held, filler) => {
      const list = long(held, filler ?? ((j) => held[j % held.length]))
      const wanted = ROWS.filter((r) => held.includes(r[key])).map((r) => r.id)
      expect(wanted.length).toBeGreaterThan(0)
      expect(await ids({ [`${key}__in`]: held })).toEqual(wanted)
      expect(await ids({ [`${key}__in`]: list })).toEqual(wanted)
      // two-valued: notIn keeps the rows whose value is NULL, as `exclude` of `in` does
      const others = ROWS.filter((r) => !held.includes(r[key])).map((r) => r.id)
      expect(await ids({ [`${key}__notIn`]: list })).toEqual(others)
      expect(await ids({ [`${key}__in`]: list }, true)).toEqual(others)
    },
  )

  it('text compares by code point: neither case nor a trailing space matches', async () => {
    expect(await ids({ name__in: long(['Q"d', 'ab'], (j) => `zz${j}`) })).toEqual([3])
    expect(await ids({ name__in: long(['ab '], (j) => `zz${j}`) })).toEqual([4])
  })

  it('a NULL item is a ValidationError, as in a short list', async () => {
    const list: unknown[] = long([1], (j) => j + 10)
    list[LONG_LIST + 1] = null
    expect(
      left(await pipe(query(Kinds), where({ small__in: list as number[] }), valuesFlat('id'), run(t().db))())._tag,
    ).toBe('ValidationError')
    expect(
      left(
        await pipe(query(Kinds), where({ small__in: [1, null as unknown as number] }), valuesFlat('id'), run(t().db))(),
      )._tag,
    ).toBe('ValidationError')
  })
})
