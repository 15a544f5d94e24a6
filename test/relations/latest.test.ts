/**
 * `last`, `latest` and `earliest` on every dialect: the row at either end of an ordering (the
 * plan's, the named fields', `meta.ordering`, or the key), and their typed errors.
 */
import { pipe } from 'fp-ts/function'
import { Plan, earliest, last, latest, limit, orderBy, query, run, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Book, Employee } from './models'

forEachDialect('relations: last, latest, earliest', ALL, (t) => {
  beforeAll(async () => {
    await t().reset()
    await seed(t().db)
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('last: the first row of the reversed order, by key when unordered, null when none', async () => {
    expect((await go(pipe(query(Book), last)))?.title).toBe('Gamma')
    // rating NULL sorts first ascending: last by rating is the highest.
    expect((await go(pipe(query(Book), orderBy('rating', 'id'), last)))?.title).toBe('Alpha')
    expect((await go(pipe(query(Book), orderBy('-rating', 'id'), last)))?.title).toBe('Gamma')
    expect(await go(pipe(query(Book), where({ title: 'none' }), last))).toBeNull()
  })

  it('latest and earliest by the named fields; DoesNotExist when empty', async () => {
    expect((await go(pipe(query(Book), latest('rating')))).title).toBe('Alpha')
    expect((await go(pipe(query(Book), earliest('title')))).title).toBe('Alpha')
    expect((await go(pipe(query(Book), latest('title')))).title).toBe('Gamma')
    expect(
      (await go(pipe(query(Employee), where({ manager__isnull: false }), latest('manager__name', 'id')))).name,
    ).toBe('Low')
    expect(left(await run(t().db)(pipe(query(Book), where({ title: 'none' }), latest('id')))())._tag).toBe(
      'DoesNotExist',
    )
  })

  it('refuses a sliced plan, no field without meta.ordering, and a bad field, sending nothing', async () => {
    const untyped = latest as unknown as (...k: string[]) => (p: unknown) => Plan<unknown>
    t().clearLog()
    expect(left(await run(t().db)(pipe(query(Book), limit(2), last))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(pipe(query(Book), limit(2), earliest('id')))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped()(query(Book)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped('nope')(query(Book)))())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
