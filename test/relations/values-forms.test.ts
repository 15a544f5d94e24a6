/**
 * `values()` with no field (every column, and annotations) and with aliases
 * (`values({ t: 'title', a: 'author__name' })`), on every dialect.
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  Plan,
  annotate,
  distinct,
  orderBy,
  prefetch,
  query,
  run,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book } from './models'

forEachDialect('relations: values forms', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeAll(async () => {
    await t().reset()
    s = await seed(t().db)
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('values() with no field gives every column, and the annotations', async () => {
    const rows = await go(pipe(query(Book), orderBy('id'), values()))
    expect(rows[0]).toEqual({ id: s.a1.id, title: 'Alpha', rating: 5, authorId: s.ann.id })
    expect(rows).toHaveLength(3)
    const counted = await go(pipe(query(Author), annotate({ n: Count('books') }), orderBy('id'), values()))
    expect(counted.map((r) => [r.name, r.n])).toEqual([
      ['Ann', 2],
      ['Bob', 1],
      ['Cy', 0],
    ])
  })

  it('values after prefetch is a ValidationError, not rows whose prefetched relation is silently empty', async () => {
    for (const p of [
      pipe(query(Author), prefetch('books'), values('name')),
      pipe(query(Author), prefetch('books'), values()),
      pipe(query(Author), prefetch('books'), valuesList('name')),
      pipe(query(Author), prefetch('books'), valuesFlat('name')),
    ])
      expect(left(await run(t().db)(p as Plan<unknown>)())).toMatchObject({
        _tag: 'ValidationError',
        issues: [{ field: 'prefetch' }],
      })
  })

  it('values({ alias: field }) renames, through relations too', async () => {
    const rows = await go(pipe(query(Book), orderBy('id'), values({ t: 'title', a: 'author__name' })))
    expect(rows).toEqual([
      { t: 'Alpha', a: 'Ann' },
      { t: 'Beta', a: 'Ann' },
      { t: 'Gamma', a: 'Bob' },
    ])
    const one = await go(pipe(query(Book), where({ author__name: 'Ann' }), distinct, values({ who: 'author__name' })))
    expect(one).toEqual([{ who: 'Ann' }])
  })

  it('bad fields and an empty alias object are a ValidationError, sending nothing', async () => {
    const untyped = values as unknown as (...a: unknown[]) => (p: unknown) => Plan<unknown>
    t().clearLog()
    for (const p of [untyped({ t: 'titel' }), untyped({}), untyped({ a: 'author__nmae' }), untyped({ x: 3 })])
      expect(left(await run(t().db)(p(query(Book)))())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
