/**
 * json fields: equality (jsonb's: key order never matters, arrays in order), `__contains` and
 * `__containedBy` with PostgreSQL's containment on every dialect (`src/compile/json.ts` states
 * it), `__not` as the complement, typed and checked values, and the same rows on every dialect
 * as the JS statement of the semantics for random documents.
 */
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { bulkCreate, exclude, fields, model, orderBy, query, run, schema, valuesFlat, where } from 'terrapin'
import { jsonContains, jsonEqual } from '../../src/compile/json'
import { forEachDialect, left, right } from '../support/dialects'

const Point = t.type({ x: t.number, y: t.number, tags: t.array(t.string) })

const { Doc } = schema({
  Doc: model('Doc', {
    table: 'j_doc',
    fields: {
      id: fields.int({ pk: true }),
      data: fields.json({ null: true }),
      point: fields.json({ codec: Point, null: true }),
    },
  }),
})

const DOCS: ReadonlyArray<unknown> = [
  { a: 1, b: { c: [1, 2, 3], d: 'x' } },
  { b: { d: 'x', c: [3, 2, 1] }, a: 1 },
  { a: [1, 2], e: null },
  [1, 2, [3, 4]],
  [{ a: 1 }, { b: 2 }],
  'text',
  1.5,
  true,
  [],
  {},
  { a: { a: { a: 1 } } },
  ['a', 'b', 'a'],
  { tags: ['x', 'y'], n: 0 },
  null,
]

const CANDIDATES: ReadonlyArray<unknown> = [
  { a: 1 },
  { b: { c: [2] } },
  { b: { c: 2 } },
  { a: 1.5 },
  [1],
  1,
  [3],
  [[3]],
  [[4, 3]],
  { a: [2] },
  { a: 2 },
  [{ a: 1 }],
  { a: 1, b: 2 },
  'text',
  'a',
  ['a', 'a'],
  [],
  {},
  { e: null },
  { tags: ['y'] },
  { a: { a: {} } },
  true,
  1.5,
]

/** Whether every array in a document holds only scalars (where MySQL/MariaDB mean what PostgreSQL does). */
const flatArrays = (v: unknown): boolean =>
  Array.isArray(v)
    ? v.every((x) => typeof x !== 'object' || x === null)
    : typeof v === 'object' && v !== null
      ? Object.values(v).every(flatArrays)
      : true

forEachDialect('json fields', [Doc], (ctx) => {
  // MySQL/MariaDB: inside arrays JSON_CONTAINS finds a scalar or object in a nested array (see README)
  const exact = (v: unknown): boolean => ctx().dialect !== 'mysql' || flatArrays(v)
  beforeAll(async () => {
    await ctx().reset()
    right(
      await pipe(
        bulkCreate(
          Doc,
          DOCS.map((data, i) => ({ id: i + 1, data })),
        ),
        run(ctx().db),
      )(),
    )
  })

  const ids = async (filter: Record<string, unknown>): Promise<number[]> => [
    ...right(await pipe(query(Doc), where(filter as never), orderBy('id'), valuesFlat('id'), run(ctx().db))()),
  ]

  const want = (f: (d: unknown) => boolean): number[] => DOCS.flatMap((d, i) => (d !== null && f(d) ? [i + 1] : []))

  it('compares documents for equality as jsonb does: key order aside, arrays in order', async () => {
    expect(await ids({ data: { a: 1, b: { c: [1, 2, 3], d: 'x' } } })).toEqual([1])
    expect(await ids({ data: { b: { d: 'x', c: [1, 2, 3] }, a: 1 } })).toEqual([1])
    expect(await ids({ data: [1, 2, [3, 4]] })).toEqual([4])
    expect(await ids({ data: 'text' })).toEqual([6])
    expect(await ids({ data: {} })).toEqual([10])
    expect(await ids({ data: null })).toEqual([14])
    expect(await ids({ data__not: { a: 1, b: { c: [1, 2, 3], d: 'x' } } })).toEqual(
      DOCS.flatMap((_, i) => (i === 0 ? [] : [i + 1])),
    )
  })

  it('contains and containedBy give the rows the JS statement of jsonb containment gives', async () => {
    const comparable = new Set(DOCS.flatMap((d, i) => (exact(d) ? [i + 1] : [])))
    const only = (xs: number[]): number[] => xs.filter((id) => comparable.has(id))
    for (const c of CANDIDATES.filter(exact)) {
      expect([c, only(await ids({ data__contains: c }))]).toEqual([c, only(want((d) => jsonContains(d, c)))])
      expect([c, only(await ids({ data__containedBy: c }))]).toEqual([c, only(want((d) => jsonContains(c, d)))])
    }
  })

  it('exclude(contains) is the exact complement, NULL documents included', async () => {
    const got = right(
      await pipe(query(Doc), exclude({ data__contains: { a: 1 } }), orderBy('id'), valuesFlat('id'), run(ctx().db))(),
    )
    const inside = new Set(want((d) => jsonContains(d, { a: 1 })))
    expect(got).toEqual(DOCS.flatMap((_, i) => (inside.has(i + 1) ? [] : [i + 1])))
  })

  it('random documents and candidates agree with the JS statement', async () => {
    const scalar = fc.oneof(fc.constantFrom(0, 1, 2, 'a', 'b', true, null))
    const doc = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 }),
      ),
    })).v
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 6 }), doc, async (docs, c) => {
        fc.pre(c !== null && exact(c) && docs.every(exact))
        await ctx().reset()
        right(
          await pipe(
            bulkCreate(
              Doc,
              docs.map((data, i) => ({ id: i + 1, data })),
            ),
            run(ctx().db),
          )(),
        )
        const expected = (f: (d: unknown) => boolean): number[] =>
          docs.flatMap((d, i) => (d !== null && f(d) ? [i + 1] : []))
        expect(await ids({ data__contains: c })).toEqual(expected((d) => jsonContains(d, c)))
        expect(await ids({ data__containedBy: c })).toEqual(expected((d) => jsonContains(c, d)))
        if (c !== null) expect(await ids({ data: c })).toEqual(expected((d) => jsonEqual(d, c)))
      }),
      { numRuns: 40 },
    )
  })

  it('path filters: keys and array indexes into the document, then the usual lookups', async () => {
    const P = { author: { name: 'Ann Émile', age: 40 }, tags: ['orm', 'ts'], ok: true, none: null }
    await ctx().reset()
    right(
      await pipe(
        bulkCreate(Doc, [
          { id: 1, data: P },
          { id: 2, data: { author: { name: 'bob', age: 7 }, tags: ['sql'], ok: false } },
          { id: 3, data: { author: 'plain text', tags: 'orm' } },
          { id: 4, data: [1, 2] },
          { id: 5, data: null },
        ]),
        run(ctx().db),
      )(),
    )
    const cases: Array<[Record<string, unknown>, number[]]> = [
      [{ data__author__name: 'Ann Émile' }, [1]],
      [{ data__author__name__icontains: 'émi' }, [1]],
      [{ data__author__name__startswith: 'b' }, [2]],
      [{ data__author__age__gte: 10 }, [1]],
      [{ data__author__age__in: [7, 8] }, [2]],
      [{ data__author__age__range: [1, 50] }, [1, 2]],
      [{ data__tags__0: 'orm' }, [1]],
      [{ data__tags__1: 'ts' }, [1]],
      [{ data__0: 1 }, [4]],
      [{ data__ok: true }, [1]],
      [{ data__ok: false }, [2]],
      [{ data__author__name__not: 'bob' }, [1, 3, 4, 5]],
      [{ data__author__age__notIn: [40] }, [2, 3, 4, 5]],
      [{ data__none__isnull: true }, [1, 2, 3, 4, 5]],
      [{ data__author__isnull: false }, [1, 2, 3]],
      [{ data__author: 'plain text' }, [3]],
      [{ data__author__age: '40' }, []],
    ]
    for (const [f, want] of cases) expect([f, await ids(f)]).toEqual([f, want])
    await ctx().reset()
    right(
      await pipe(
        bulkCreate(
          Doc,
          DOCS.map((data, i) => ({ id: i + 1, data })),
        ),
        run(ctx().db),
      )(),
    )
  })

  it('bad values are ValidationErrors before any SQL: undefined inside, null to contains, a codec mismatch', async () => {
    ctx().clearLog()
    for (const f of [{ data__contains: { a: undefined } }, { data__contains: null }, { point: { x: 1 } }]) {
      const e = left(await pipe(query(Doc), where(f as never), run(ctx().db))())
      expect(e._tag).toBe('ValidationError')
    }
    expect(ctx().log).toHaveLength(0)
  })
})
