/**
 * `inBulk` on every dialect: rows keyed by the primary key or a unique field (keys as strings),
 * `{}` without a query for no ids, prefetches kept, and its typed errors.
 */
import { pipe } from 'fp-ts/function'
import { Plan, create, inBulk, prefetch, query, run, values, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Book, Country } from './models'

forEachDialect('relations: inBulk', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeAll(async () => {
    await t().reset()
    s = await seed(t().db)
    await run(t().db)(create(Country, { code: 'FR', name: 'France' }))()
    await run(t().db)(create(Country, { code: 'DE', name: 'Germany' }))()
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('keys rows by primary key as strings; ids without a row are absent', async () => {
    const got = await go(pipe(query(Book), inBulk([s.a1.id, s.b1.id, 9999])))
    expect(Object.keys(got).sort()).toEqual([String(s.a1.id), String(s.b1.id)].sort())
    expect(got[String(s.a1.id)].title).toBe('Alpha')
    expect(got[String(s.b1.id)].title).toBe('Gamma')
  })

  it('keys by a unique field and keeps the plan: filters and prefetches', async () => {
    const byCode = await go(pipe(query(Country), inBulk(['FR', 'DE', 'IT'], 'code')))
    expect(Object.keys(byCode).sort()).toEqual(['DE', 'FR'])
    expect(byCode.FR.name).toBe('France')
    const rated = await go(pipe(query(Book), where({ rating__gte: 4 }), prefetch('author'), inBulk([s.a1.id, s.a2.id])))
    expect(Object.keys(rated)).toEqual([String(s.a1.id)])
    expect(rated[String(s.a1.id)].author.name).toBe('Ann')
  })

  it('no ids: {} without a query', async () => {
    t().clearLog()
    expect(await go(pipe(query(Book), inBulk([])))).toEqual({})
    expect(t().log).toHaveLength(0)
  })

  it('a field that is not unique, an unknown field or a values() plan is a ValidationError, sending nothing', async () => {
    const untyped = inBulk as unknown as (ids: unknown[], f?: string) => (p: unknown) => Plan<unknown>
    t().clearLog()
    const notUnique = left(await run(t().db)(untyped(['Alpha'], 'title')(query(Book)))())
    expect(notUnique._tag).toBe('ValidationError')
    expect(JSON.stringify(notUnique)).toContain('unique')
    expect(left(await run(t().db)(untyped([1], 'nope')(query(Book)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped([], 'title')(query(Book)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped([1])(pipe(query(Book), values('title'))))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped(['x'])(query(Book)))())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
