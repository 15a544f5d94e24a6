/**
 * Differential law of aggregates: for random parents and children (NULLs, repeats, parents with
 * no children), Count/Sum/Avg/Min/Max (plain, distinct, filtered) over the reverse relation and
 * over groups of the children agree on every dialect with the same aggregates computed in JS,
 * and HAVING keeps exactly the groups JS keeps.
 */
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  Avg,
  Count,
  Max,
  Min,
  Sum,
  annotate,
  bulkCreate,
  fields,
  groupBy,
  model,
  orderBy,
  query,
  run,
  schema,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, right } from '../test/support/dialects'

const { LawParent, LawChild } = schema({
  LawParent: model('LawParent', { table: 'law_agg_parent', fields: { id: fields.int({ pk: true }) } }),
  LawChild: model('LawChild', {
    table: 'law_agg_child',
    fields: {
      id: fields.int({ pk: true }),
      v: fields.float({ null: true }),
      w: fields.int(),
      parent: fields.foreignKey('LawParent', { relatedName: 'kids' }),
    },
  }),
})

const PARENTS = 5
const child = fc.record({
  parent: fc.integer({ min: 1, max: PARENTS }),
  v: fc.option(
    fc.integer({ min: -6, max: 6 }).map((n) => n / 2),
    { nil: null },
  ),
  w: fc.integer({ min: 0, max: 3 }),
})

const agg = (vs: ReadonlyArray<number | null>) => {
  const xs = vs.filter((x): x is number => x !== null)
  return {
    count: xs.length,
    distinct: new Set(xs).size,
    sum: xs.length ? xs.reduce((a, b) => a + b, 0) : null,
    avg: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
    min: xs.length ? Math.min(...xs) : null,
    max: xs.length ? Math.max(...xs) : null,
  }
}

const near = (a: number | null, b: number | null): boolean =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

forEachDialect('aggregate laws', [LawParent, LawChild], (t) => {
  it('over a relation, over groups, with HAVING: the same numbers as JS', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(child, { maxLength: 14 }), async (kids) => {
        await t().reset()
        right(
          await pipe(
            bulkCreate(
              LawParent,
              Array.from({ length: PARENTS }, (_, i) => ({ id: i + 1 })),
            ),
            run(t().db),
          )(),
        )
        right(
          await pipe(
            bulkCreate(
              LawChild,
              kids.map((k, i) => ({ id: i + 1, v: k.v, w: k.w, parentId: k.parent })),
            ),
            run(t().db),
          )(),
        )
        const per = right(
          await pipe(
            query(LawParent),
            annotate({
              n: Count('kids'),
              c: Count('kids__v'),
              d: Count('kids__v', { distinct: true }),
              s: Sum('kids__v'),
              a: Avg('kids__v'),
              lo: Min('kids__v'),
              hi: Max('kids__v'),
              big: Count('kids', { filter: { w__gte: 2 } }),
            }),
            orderBy('id'),
            run(t().db),
          )(),
        )
        for (const p of per) {
          const mine = kids.filter((k) => k.parent === p.id)
          const e = agg(mine.map((k) => k.v))
          const ok =
            p.n === mine.length &&
            p.c === e.count &&
            p.d === e.distinct &&
            near(p.s, e.sum) &&
            near(p.a, e.avg) &&
            p.lo === e.min &&
            p.hi === e.max &&
            p.big === mine.filter((k) => k.w >= 2).length
          if (!ok)
            throw new Error(
              `parent ${p.id}: got ${JSON.stringify(p)}, want ${JSON.stringify({ n: mine.length, ...e })}`,
            )
        }
        const groups = right(
          await pipe(
            query(LawChild),
            groupBy('w'),
            annotate({ n: Count(), s: Sum('v'), hi: Max('v') }),
            orderBy('w'),
            run(t().db),
          )(),
        )
        const ws = [...new Set(kids.map((k) => k.w))].sort((a, b) => a - b)
        expect(groups.map((g) => g.w)).toEqual(ws)
        for (const g of groups) {
          const mine = kids.filter((k) => k.w === g.w)
          const e = agg(mine.map((k) => k.v))
          if (g.n !== mine.length || !near(g.s, e.sum) || g.hi !== e.max)
            throw new Error(`group ${g.w}: got ${JSON.stringify(g)}, want ${JSON.stringify({ n: mine.length, ...e })}`)
        }
        const having = right(
          await pipe(
            query(LawChild),
            groupBy('parentId'),
            annotate({ n: Count(), s: Sum('v') }),
            where({ n__gte: 2, s__gt: 0 }),
            valuesFlat('parentId'),
            run(t().db),
          )(),
        )
        const want = Array.from({ length: PARENTS }, (_, i) => i + 1).filter((id) => {
          const mine = kids.filter((k) => k.parent === id)
          const s = agg(mine.map((k) => k.v)).sum
          return mine.length >= 2 && s !== null && s > 0
        })
        expect([...having].sort((a, b) => a - b)).toEqual(want)
        const counted = right(
          await pipe(query(LawParent), annotate({ n: Count('kids') }), where({ n: 0 }), values('id'), run(t().db))(),
        )
        expect(counted.map((r) => r.id).sort((a, b) => a - b)).toEqual(
          Array.from({ length: PARENTS }, (_, i) => i + 1).filter((id) => !kids.some((k) => k.parent === id)),
        )
      }),
      { numRuns: 20 },
    )
  })
})
