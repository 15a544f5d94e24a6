/**
 * The compile cache keys on plan shape: plans that differ only in values share one compiled
 * statement (the same SQL text, each with its own parameters), and plans whose SQL differs
 * never share one. Checked against a fresh, uncached compile of every plan, on every dialect.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { Statement, compileUncached, compileWith, dialects } from '../../src/compile'
import { Compiled } from '../../src/compile/sql'
import {
  Count,
  F,
  Max,
  annotate,
  count,
  create,
  distinct,
  exclude,
  exists,
  first,
  get,
  getOrNone,
  groupBy,
  limit,
  offset,
  orderBy,
  param,
  q,
  query,
  remove,
  valuesFlat,
  update,
  values,
  where,
} from 'terrapin'
import { HINT, OWNER, hintOf } from '../../src/plan/hint'
import { shapeOf } from '../../src/plan/shape'
import { Item, Rel } from './models'

const fresh = (plan: Statement, d = dialects.sqlite): Compiled => compileUncached(d, plan)

const sqlOf = (c: Compiled) => ({
  sql: c.sql,
  params: c.params.map((p) =>
    typeof p === 'object' && p !== null && (p as { _tag?: string })._tag === 'Slot'
      ? `slot:${(p as { name: string }).name}`
      : p,
  ),
})

const same = (plan: Statement): void => {
  for (const d of Object.values(dialects)) expect(sqlOf(compileWith(d, plan))).toEqual(sqlOf(fresh(plan, d)))
}

describe('compile cache', () => {
  it('gives plans that differ only in values the same SQL and their own parameters', () => {
    const a = pipe(query(Item), where({ name__contains: 'ab', n__gte: 2 }), orderBy('-n', 'id'), limit(20))
    const b = pipe(query(Item), where({ name__contains: 'x%y', n__gte: 7 }), orderBy('-n', 'id'), limit(20))
    for (const d of Object.values(dialects)) {
      const ca = compileWith(d, a)
      const cb = compileWith(d, b)
      expect(cb.sql).toBe(ca.sql)
      expect(cb.params).not.toEqual(ca.params)
      expect(sqlOf(ca)).toEqual(sqlOf(fresh(a, d)))
      expect(sqlOf(cb)).toEqual(sqlOf(fresh(b, d)))
    }
  })

  it('gives plans whose SQL differs different statements', () => {
    const plans: Statement[] = [
      pipe(query(Item), where({ n: 1 })),
      pipe(query(Item), where({ n: null })),
      pipe(query(Item), where({ n__not: 1 })),
      pipe(query(Item), where({ n__not: null })),
      pipe(query(Item), where({ n__in: [] })),
      pipe(query(Item), where({ n__in: [1] })),
      pipe(query(Item), where({ n__in: [1, 2] })),
      pipe(query(Item), where({ n__notIn: [] })),
      pipe(query(Item), where({ x__isnull: true })),
      pipe(query(Item), where({ x__isnull: false })),
      pipe(query(Item), where({ x: 1 })),
      pipe(query(Item), where({ n: param('n') })),
      pipe(query(Item), where({ n: param('m') })),
      pipe(query(Item), exclude({ n: 1 })),
      pipe(query(Item), where(q.or({ n: 1 }, { x: 2 }))),
      pipe(query(Item), where(q.and({ n: 1 }, { x: 2 }))),
      pipe(query(Item), limit(1)),
      pipe(query(Item), limit(3)),
      pipe(query(Item), offset(2)),
      pipe(query(Item), orderBy('n')),
      pipe(query(Item), orderBy('-n')),
      pipe(query(Item), where({ at__year: 2020 })),
      pipe(query(Item), where({ at__month: 2020 })),
      pipe(query(Item), where({ name__icontains: 'a' })),
      pipe(query(Item), where({ name__contains: 'a' })),
      pipe(query(Item), first),
      pipe(query(Item), get),
      pipe(query(Item), count),
      pipe(query(Item), where({ n: 1 }), update({ x: 1 })),
      pipe(query(Item), where({ n: 1 }), update({ n: 1 })),
      pipe(query(Item), where({ n: 1 }), remove),
      pipe(query(Rel.Book), where({ author__name: 'a' })),
      pipe(query(Rel.Book), where({ title: 'a' })),
      pipe(query(Rel.Author), annotate({ n: Count('books') })),
      pipe(query(Rel.Author), annotate({ n: Count('books') }), where({ n__gte: 2 })),
      pipe(query(Item), annotate({ m: F('n').add(1) })),
      pipe(query(Item), annotate({ m: F('n').add(2) })),
      pipe(query(Item), annotate({ m: F('x').add(1) })),
      pipe(query(Item), groupBy('n'), annotate({ c: Count() })),
      pipe(query(Item), groupBy('x'), annotate({ c: Count() })),
    ]
    for (const d of Object.values(dialects)) {
      // Distinct statements: the SQL text or, where only a placeholder differs, its parameters.
      const statements = plans.map((p) => JSON.stringify(sqlOf(compileWith(d, p))))
      expect(new Set(statements).size).toBe(plans.length)
      plans.forEach((p) => expect(sqlOf(compileWith(d, p))).toEqual(sqlOf(fresh(p, d))))
    }
  })

  it('shares statements between annotated and grouped plans that differ only in filter values', () => {
    const plan = (lo: number) =>
      pipe(query(Item), where({ n__gte: lo }), groupBy('n'), annotate({ c: Count(), m: F('n').add(1) }), orderBy('n'))
    for (const d of Object.values(dialects)) {
      expect(compileWith(d, plan(1)).sql).toBe(compileWith(d, plan(5)).sql)
      for (const lo of [1, 5, 9]) expect(sqlOf(compileWith(d, plan(lo)))).toEqual(sqlOf(fresh(plan(lo), d)))
    }
  })

  it('never differs from a fresh compile, for random filters (shapes repeat, values vary)', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 3 }))
    const cond = fc.oneof(
      value.map((v) => ({ n: v })),
      value.map((v) => ({ n__not: v })),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).map((xs) => ({ n__in: xs })),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).map((xs) => ({ n__notIn: xs })),
      fc.boolean().map((b) => ({ x__isnull: b })),
      fc
        .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }))
        .map(([a, b]) => ({ x__range: [a, b] as const })),
      fc
        .string({ maxLength: 3 })
        .filter((s) => !s.includes('\u0000'))
        .map((s) => ({ name__icontains: s })),
      fc
        .string({ maxLength: 3 })
        .filter((s) => !s.includes('\u0000'))
        .map((s) => ({ name: s })),
    )
    const filter = fc.array(cond, { minLength: 1, maxLength: 3 })
    fc.assert(
      fc.property(
        filter,
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        (conds, negate, lim) => {
          const base = pipe(
            query(Item),
            negate ? exclude(q.or(...(conds as never[]))) : where(q.and(...(conds as never[]))),
            orderBy('n'),
          )
          const plan = lim === undefined ? base : pipe(base, limit(lim))
          same(plan)
          same(pipe(plan, first))
          same(pipe(plan, count))
          same(pipe(plan, update({ note: 'x' })))
        },
      ),
      { numRuns: 300 },
    )
  })

  describe('shape hints (the combinators step through a trie of shapes)', () => {
    // Per key, values that change the SQL (null, list lengths, placeholders, flags) and values that do not.
    const POOLS: Readonly<Record<string, ReadonlyArray<unknown>>> = {
      n: [null, 1, 2, param('p'), param('q')],
      n__not: [null, 1, 2, param('p')],
      n__gte: [0, 3, param('p')],
      n__in: [[], [1], [2], [1, 2], [param('l')], [1, param('l')]],
      n__notIn: [[], [1], [1, 2]],
      x__isnull: [true, false],
      x__range: [
        [1, 2],
        [0, 5],
        [param('lo'), 2],
      ],
      name: ['a', 'b', null, param('name')],
      name__icontains: ['a', '%', ''],
      at__year: [2020, 1999],
      price: ['1.5', null, 2],
    }
    type Step =
      | { where: ReadonlyArray<string> }
      | { exclude: ReadonlyArray<string> }
      | { order: string[] }
      | { limit: number }
      | { offset: number }
    const keys = fc.uniqueArray(fc.constantFrom(...Object.keys(POOLS)), { minLength: 1, maxLength: 3 })
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      keys.map((k) => ({ where: k })),
      keys.map((k) => ({ exclude: k })),
      fc.subarray(['n', '-n', 'name', '-id'], { minLength: 1 }).map((o) => ({ order: o })),
      fc.integer({ min: 0, max: 2 }).map((n) => ({ limit: n })),
      fc.integer({ min: 0, max: 2 }).map((n) => ({ offset: n })),
    )
    /** The plan of a chain of steps, each filter key taking the value `pick` chooses from its pool. */
    const build = (steps: ReadonlyArray<Step>, pick: (n: number) => number) => {
      let i = 0
      const filter = (ks: ReadonlyArray<string>) =>
        Object.fromEntries(ks.map((k) => [k, POOLS[k][pick(i++) % POOLS[k].length]])) as never
      return steps.reduce(
        (p, s) =>
          'where' in s
            ? pipe(p, where(filter(s.where)))
            : 'exclude' in s
              ? pipe(p, exclude(filter(s.exclude)))
              : 'order' in s
                ? pipe(p, orderBy(...(s.order as never[])))
                : 'limit' in s
                  ? pipe(p, limit(s.limit))
                  : pipe(p, offset(s.offset)),
        query(Item),
      )
    }
    const ends = (plan: ReturnType<typeof build>, patch: string | null): Statement[] => [
      plan,
      pipe(plan, first),
      pipe(plan, get),
      pipe(plan, getOrNone),
      pipe(plan, count),
      pipe(plan, exists),
      ...(patch ? [pipe(plan, update({ [patch]: patch === 'note' ? 'x' : patch === 'n' ? param('v') : null }))] : []),
    ]

    it('two plans share a hint exactly when the full walk gives them one shape, and compile as a fresh compile does', () => {
      const choices = fc.array(fc.nat(), { minLength: 12, maxLength: 12 })
      fc.assert(
        fc.property(
          fc.array(stepArb, { maxLength: 4 }),
          choices,
          choices,
          fc.constantFrom(null, 'n', 'note', 'x'),
          (steps, a, b, patch) => {
            const as = ends(
              build(steps, (i) => a[i % a.length]),
              patch,
            )
            const bs = ends(
              build(steps, (i) => b[i % b.length]),
              patch,
            )
            as.forEach((p, i) => {
              const other = bs[i]
              if (p.error || other.error) return
              expect(hintOf(p)).toBeDefined()
              expect(hintOf(p) === hintOf(other)).toBe(shapeOf(p)?.key === shapeOf(other)?.key)
              same(p)
              same(other)
            })
          },
        ),
        { numRuns: 400 },
      )
    })

    it('groupBy and annotate step too: the same expressions share a hint, other expressions or keys do not', () => {
      const plan = (lo: number, e: unknown, key: 'n' | 'x' = 'n'): Statement =>
        pipe(
          query(Item),
          where({ n__gte: lo }),
          groupBy(key),
          annotate({ c: Count(), m: e } as never),
          orderBy(key) as never,
        )
      const a = plan(1, F('n').add(1))
      const b = plan(7, F('n').add(1))
      expect(hintOf(a)).toBeDefined()
      expect(hintOf(a)).toBe(hintOf(b))
      for (const other of [
        plan(1, F('n').add(2)),
        plan(1, F('x').add(1)),
        plan(1, Count()),
        plan(1, F('n').add(1), 'x'),
      ]) {
        expect(hintOf(other)).toBeDefined()
        expect(hintOf(other)).not.toBe(hintOf(a))
        same(other)
      }
      same(a)
      same(b)
      const filtered = (k: number) =>
        pipe(
          query(Rel.Author),
          annotate({ n: Count('books', { filter: { title__contains: 'x' } } as never) }),
          where({ n__gte: k }),
        )
      expect(hintOf(filtered(1))).toBe(hintOf(filtered(2)))
      same(filtered(1))
      same(filtered(2))
    })

    it('an update by an expression steps by the expression: plans built alike share a hint and compile as a fresh compile does', () => {
      const plan = (n: number, patch: object): Statement => pipe(query(Item), where({ n }), update(patch as never))
      const a = plan(1, { n: F('n').add(1) })
      const b = plan(7, { n: F('n').add(1) })
      expect(hintOf(a)).toBeDefined()
      expect(hintOf(a)).toBe(hintOf(b))
      for (const other of [
        plan(1, { n: F('n').sub(1) }),
        plan(1, { n: F('x').add(1) }),
        plan(1, { x: F('n').add(1) }),
        plan(1, { n: F('n').add(1), name: 'a' }),
        plan(1, { name: 'a', n: F('n').add(1) }),
        plan(1, { n: F('n').mul(2) }),
        plan(1, { n: 3 }),
      ]) {
        expect(hintOf(other)).toBeDefined()
        expect(hintOf(other)).not.toBe(hintOf(a))
        same(other)
      }
      same(a)
      same(b)
      expect(compileWith(dialects.sqlite, b).params).toEqual([1, 7])
    })

    it('inserts of different fields, nulls and placeholders compile as a fresh compile does', () => {
      const rows = [
        { name: 'a' },
        { name: 'a', n: 1 },
        { name: 'a', n: null },
        { n: 2, name: 'b' },
        { name: param('name'), n: param('n') },
        { name: 'a', at: new Date(0), price: '1.5' },
      ]
      for (const r of rows) {
        const plan = create(Item, r as never)
        expect(hintOf(plan)).toBeDefined()
        same(plan)
      }
    })

    it('multi-row inserts (no hint: the full walk) compile as a fresh compile does, whatever their rows give', () => {
      const base = [
        { name: 'a', n: 1 },
        { name: 'b', n: null },
        { name: 'c', n: 3 },
      ]
      const variants = [
        base,
        [
          { name: 'x', n: 1 },
          { name: 'y', n: null },
          { name: 'z', n: 9 },
        ],
        [
          { name: 'a', n: null },
          { name: 'b', n: 2 },
          { name: 'c', n: 3 },
        ],
        [
          { name: 'a', n: 1 },
          { name: 'b', n: 2 },
        ],
        [
          { n: 1, name: 'a' },
          { name: 'b', n: null },
          { name: 'c', n: 3 },
        ],
        [
          { name: 'a', n: param('n') },
          { name: param('name'), n: null },
          { name: 'c', at: new Date(0), price: '2.5' },
        ],
      ]
      const plans = variants.map((rows): Statement => ({ ...create(Item, rows[0] as never), rows, returns: 'many' }))
      // each compiled after the others (sharing the cache), each as a fresh compile
      for (const plan of plans) same(plan)
      for (const plan of [...plans].reverse()) same(plan)
      for (const d of Object.values(dialects)) expect(compileWith(d, plans[1]).sql).toBe(compileWith(d, plans[0]).sql)
    })

    it('multi-row inserts: runs of rows of one kind (written once with their length) never share a key with other rows', () => {
      // rows of a few kinds: key order, null or a value, a placeholder by name
      const kinds = [
        (i: number) => ({ name: `a${i}`, n: i }),
        (i: number) => ({ name: `b${i}`, n: null }),
        (i: number) => ({ n: i, name: `c${i}` }),
        (i: number) => ({ name: param('name'), n: i }),
        (i: number) => ({ name: param('other'), n: i }),
        (i: number) => ({ name: `d${i}` }),
      ]
      fc.assert(
        fc.property(fc.array(fc.nat(kinds.length - 1), { minLength: 1, maxLength: 8 }), (picks) => {
          const rows = picks.map((k, i) => kinds[k](i))
          same({ ...create(Item, rows[0] as never), rows, returns: 'many' })
        }),
        { numRuns: 500 },
      )
    })

    it('a plan copied by a combinator that takes no step compiles by the full walk, never by the hint it copied', () => {
      const plan = pipe(query(Item), where({ n: 1 }))
      for (const d of Object.values(dialects)) compileWith(d, plan)
      const copies: Statement[] = [pipe(plan, distinct), pipe(plan, values('n')), pipe(plan, valuesFlat('n'))]
      for (const c of copies) {
        expect(hintOf(c)).toBeUndefined()
        same(c)
      }
      expect(compileWith(dialects.sqlite, pipe(plan, distinct)).sql).toContain('DISTINCT')
    })

    it('annotate steps by each name and expression: plans built alike share a hint, plans sharing one have one shape', () => {
      const variants = [
        () => pipe(query(Item), annotate({ c: Count() })),
        () => pipe(query(Item), annotate({ d: Count() })),
        () => pipe(query(Item), annotate({ c: Count('n') })),
        () => pipe(query(Item), annotate({ c: Count('n', { distinct: true }) })),
        () => pipe(query(Item), annotate({ c: Count({ filter: { n__gte: 1 } }) })),
        () => pipe(query(Item), annotate({ c: Max('n') })),
        () => pipe(query(Item), annotate({ c: Count(), d: Max('n') })),
        () => pipe(query(Item), annotate({ d: Max('n'), c: Count() })),
        () => pipe(query(Item), annotate({ c: Count() }), annotate({ d: Max('n') })),
        () => pipe(query(Item), annotate({ c: F('n').add(1) })),
        () => pipe(query(Item), annotate({ c: F('n').add(2) })),
      ]
      for (const a of variants)
        for (const b of variants) {
          const [pa, pb] = [a(), b()]
          expect(hintOf(pa)).toBeDefined()
          // alike: one hint; one hint: one shape (one annotate of two names and two annotates of
          // one each reach one shape by two paths, which is allowed)
          if (a === b) expect(hintOf(pa)).toBe(hintOf(pb))
          else if (hintOf(pa) === hintOf(pb)) expect(shapeOf(pa)?.key).toBe(shapeOf(pb)?.key)
          same(pa)
        }
      // a plain aggregate is one shared value; one with a filter is made afresh
      expect(Count('n')).toBe(Count('n'))
      expect(Count({ filter: { n__gte: 1 } })).not.toBe(Count({ filter: { n__gte: 1 } }))
    })

    it('the hint is invisible to keys, JSON and the full walk', () => {
      const plan = pipe(query(Item), where({ n: 1 }), orderBy('name'), limit(2))
      expect(Object.keys(plan)).not.toContain(HINT.toString())
      expect(JSON.stringify(plan)).not.toContain('terrapin.shape')
      expect(Object.getOwnPropertySymbols(plan)).toEqual([HINT, OWNER])
      expect(shapeOf(plan)?.key).toBe(shapeOf({ ...plan })?.key)
      expect(Object.isFrozen(plan)).toBe(true)
    })

    it('past the bound on shapes, new plans still compile (by the full walk)', () => {
      for (let n = 0; n < 21000; n += 1) {
        const plan = pipe(query(Item), where({ name: 'a' }), limit(n))
        if (n % 1000 === 0 || n > 20900) same(plan)
      }
      expect(hintOf(pipe(query(Item), where({ name: 'a' }), limit(20999)))).toBeUndefined()
    })
  })
})
