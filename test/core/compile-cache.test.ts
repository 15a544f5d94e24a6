/**
 * The compile cache keys on plan shape: plans that differ only in values share one compiled
 * statement (the same SQL text, each with its own parameters), and plans whose SQL differs
 * never share one. Checked against a fresh, uncached compile of every plan, on every dialect.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { Statement, compileUncached, compileWith, dialects } from '../../src/compile'
import { Compiled } from '../../src/compile/sql'
import { Count, F, annotate, count, exclude, first, get, groupBy, limit, offset, orderBy, param, q, query, remove, update, where } from 'terrapin'
import { Item, Rel } from './models'

const fresh = (plan: Statement, d = dialects.sqlite): Compiled => compileUncached(d, plan)

const sqlOf = (c: Compiled) => ({
  sql: c.sql,
  params: c.params.map((p) => (typeof p === 'object' && p !== null && (p as { _tag?: string })._tag === 'Slot' ? `slot:${(p as { name: string }).name}` : p)),
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
    const plan = (lo: number) => pipe(query(Item), where({ n__gte: lo }), groupBy('n'), annotate({ c: Count(), m: F('n').add(1) }), orderBy('n'))
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
      fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })).map(([a, b]) => ({ x__range: [a, b] as const })),
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
      fc.property(filter, fc.boolean(), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), (conds, negate, lim) => {
        const base = pipe(query(Item), negate ? exclude(q.or(...(conds as never[]))) : where(q.and(...(conds as never[]))), orderBy('n'))
        const plan = lim === undefined ? base : pipe(base, limit(lim))
        same(plan)
        same(pipe(plan, first))
        same(pipe(plan, count))
        same(pipe(plan, update({ note: 'x' })))
      }),
      { numRuns: 300 },
    )
  })
})
