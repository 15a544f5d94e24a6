/**
 * Aggregates and annotations: Count/Sum/Avg/Min/Max (with distinct) over relations and over the
 * plan's own rows with groupBy, filters on annotations (HAVING), ordering by them, values of
 * them, and count/exists of annotated plans. Expectations come from the seed, computed in JS.
 */
import { pipe } from 'fp-ts/function'
import {
  Avg,
  Count,
  Max,
  Min,
  Sum,
  annotate,
  bulkCreate,
  count,
  exists,
  exclude,
  first,
  groupBy,
  orderBy,
  query,
  run,
  values,
  valuesFlat,
  where,
  F,
  limit,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book } from './models'
import { AUTHORS, BOOKS, avg, booksOf, byCodePoint, stats, sum } from './seed'

const close = (a: number | null, b: number | null): void => {
  if (a === null || b === null) expect(a).toBe(b)
  else expect(a).toBeCloseTo(b, 9)
}

forEachDialect('aggregates', [Author, Book], (t) => {
  let authorId: Record<string, number> = {}
  beforeAll(async () => {
    await t().reset()
    const authors = right(await pipe(bulkCreate(Author, AUTHORS), run(t().db))())
    authorId = Object.fromEntries(authors.map((a) => [a.name, a.id]))
    right(
      await pipe(
        bulkCreate(
          Book,
          BOOKS.map((b) => ({
            title: b.title,
            rating: b.rating,
            pages: b.pages,
            price: b.price,
            authorId: authorId[b.author],
          })),
        ),
        run(t().db),
      )(),
    )
  })

  it('annotates each row with aggregates over a reverse relation (books per author)', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({
          n: Count('books'),
          rated: Count('books__rating'),
          distinctRatings: Count('books__rating', { distinct: true }),
          total: Sum('books__rating'),
          mean: Avg('books__rating'),
          low: Min('books__rating'),
          high: Max('books__pages'),
        }),
        orderBy('id'),
        run(t().db),
      )(),
    )
    expect(rows.map((r) => r.name)).toEqual(AUTHORS.map((a) => a.name))
    for (const r of rows) {
      const s = stats(r.name)
      expect(r.n).toBe(s.n)
      expect(r.rated).toBe(s.rated)
      expect(r.distinctRatings).toBe(s.distinctRatings)
      close(r.total, s.sum)
      close(r.mean, s.avg)
      close(r.low, s.min)
      expect(r.high).toBe(s.maxPages)
      expect(typeof r.n).toBe('number')
    }
  })

  it('two aggregates over the same relation do not multiply rows, and the row count is unchanged', async () => {
    const plan = pipe(query(Author), annotate({ a: Count('books'), b: Count('books') }))
    const rows = right(await pipe(plan, run(t().db))())
    expect(rows.length).toBe(AUTHORS.length)
    for (const r of rows) expect([r.a, r.b]).toEqual([stats(r.name).n, stats(r.name).n])
    expect(right(await pipe(plan, count, run(t().db))())).toBe(AUTHORS.length)
  })

  it('filters on annotations (where/exclude), as a partition', async () => {
    const base = pipe(query(Author), annotate({ n: Count('books') }))
    const atLeast2 = right(await pipe(base, where({ n__gte: 2 }), valuesFlat('name'), run(t().db))())
    const others = right(await pipe(base, exclude({ n__gte: 2 }), valuesFlat('name'), run(t().db))())
    const expected = AUTHORS.filter((a) => stats(a.name).n >= 2).map((a) => a.name)
    expect([...atLeast2].sort(byCodePoint)).toEqual([...expected].sort(byCodePoint))
    expect([...atLeast2, ...others].sort(byCodePoint)).toEqual(AUTHORS.map((a) => a.name).sort(byCodePoint))
    // combined with a condition on a field, and on an aggregate that may be NULL
    const rated = right(
      await pipe(
        base,
        annotate({ mean: Avg('books__rating') }),
        where({ mean__gt: 2, name__not: 'Ada' }),
        valuesFlat('name'),
        run(t().db),
      )(),
    )
    expect([...rated].sort(byCodePoint)).toEqual(
      AUTHORS.filter((a) => a.name !== 'Ada' && (stats(a.name).avg ?? -1) > 2)
        .map((a) => a.name)
        .sort(byCodePoint),
    )
    expect(right(await pipe(base, where({ n: 0 }), count, run(t().db))())).toBe(
      AUTHORS.filter((a) => stats(a.name).n === 0).length,
    )
    expect(right(await pipe(base, where({ n__gte: 3 }), exists, run(t().db))())).toBe(
      AUTHORS.some((a) => stats(a.name).n >= 3),
    )
  })

  it('orders by annotations (NULLs first ascending) and selects them with values', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({ n: Count('books'), mean: Avg('books__rating') }),
        orderBy('mean', 'name'),
        values('name', 'mean'),
        run(t().db),
      )(),
    )
    const expected = AUTHORS.map((a) => ({ name: a.name, mean: stats(a.name).avg })).sort(
      (x, y) =>
        (x.mean === null ? (y.mean === null ? 0 : -1) : y.mean === null ? 1 : x.mean - y.mean) ||
        byCodePoint(x.name, y.name),
    )
    expect(rows.map((r) => r.name)).toEqual(expected.map((r) => r.name))
    rows.forEach((r, i) => close(r.mean, expected[i].mean))
    const desc = right(
      await pipe(
        query(Author),
        annotate({ n: Count('books') }),
        orderBy('-n', 'name'),
        limit(2),
        valuesFlat('name'),
        run(t().db),
      )(),
    )
    expect(desc).toEqual(
      AUTHORS.map((a) => a.name)
        .sort((x, y) => stats(y).n - stats(x).n || byCodePoint(x, y))
        .slice(0, 2),
    )
  })

  it("groups the plan's own rows with groupBy (books per author id), with HAVING", async () => {
    const rows = right(
      await pipe(
        query(Book),
        groupBy('authorId'),
        annotate({ n: Count(), total: Sum('rating'), top: Max('rating'), allPages: Sum('pages') }),
        orderBy('authorId'),
        run(t().db),
      )(),
    )
    const withBooks = AUTHORS.filter((a) => booksOf(a.name).length > 0).sort(
      (x, y) => authorId[x.name] - authorId[y.name],
    )
    expect(rows.map((r) => r.authorId)).toEqual(withBooks.map((a) => authorId[a.name]))
    rows.forEach((r, i) => {
      const s = stats(withBooks[i].name)
      expect(Object.keys(r).sort()).toEqual(['allPages', 'authorId', 'n', 'top', 'total'])
      expect(r.n).toBe(s.n)
      close(r.total, s.sum)
      close(r.top, s.max)
      expect(r.allPages).toBe(sum(booksOf(withBooks[i].name).map((b) => b.pages)))
    })
    const having = right(
      await pipe(
        query(Book),
        groupBy('authorId'),
        annotate({ n: Count() }),
        where({ n__gte: 2 }),
        valuesFlat('authorId'),
        run(t().db),
      )(),
    )
    expect([...having].sort((a, b) => a - b)).toEqual(
      withBooks.filter((a) => stats(a.name).n >= 2).map((a) => authorId[a.name]),
    )
    expect(right(await pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }), count, run(t().db))())).toBe(
      withBooks.length,
    )
  })

  it('aggregates over the whole filtered set by grouping on a constant-per-group field', async () => {
    const rows = right(
      await pipe(
        query(Book),
        where({ rating__isnull: false }),
        groupBy('authorId'),
        annotate({ m: Avg('rating') }),
        run(t().db),
      )(),
    )
    for (const r of rows) {
      const name = AUTHORS.find((a) => authorId[a.name] === r.authorId)!.name
      close(
        r.m,
        avg(
          booksOf(name)
            .map((b) => b.rating)
            .filter((x): x is number => x !== null),
        ),
      )
    }
  })

  it('an annotation referring to an earlier one, and arithmetic on aggregates', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({ n: Count('books') }),
        annotate({ twice: F('n').mul(2), perBook: Sum('books__pages').div(F('n')) }),
        run(t().db),
      )(),
    )
    for (const r of rows) {
      const s = stats(r.name)
      expect(r.twice).toBe(2 * s.n)
      close(r.perBook, s.n === 0 ? null : sum(booksOf(r.name).map((b) => b.pages))! / s.n)
    }
  })

  it('aggregates only the rows matching a filter option, over a relation and over a group', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({
          good: Count('books', { filter: { rating__gte: 2 } }),
          pagesRated: Sum('books__pages', { filter: { rating__isnull: false } }),
        }),
        run(t().db),
      )(),
    )
    for (const r of rows) {
      const bs = booksOf(r.name)
      expect(r.good).toBe(bs.filter((b) => b.rating !== null && b.rating >= 2).length)
      close(r.pagesRated, sum(bs.filter((b) => b.rating !== null).map((b) => b.pages)))
    }
    const grouped = right(
      await pipe(
        query(Book),
        groupBy('authorId'),
        annotate({
          good: Count({ filter: { rating__gte: 2 } }),
          top: Max('pages', { filter: { rating__isnull: true } }),
        }),
        run(t().db),
      )(),
    )
    for (const g of grouped) {
      const bs = booksOf(AUTHORS.find((a) => authorId[a.name] === g.authorId)!.name)
      expect(g.good).toBe(bs.filter((b) => b.rating !== null && b.rating >= 2).length)
      const unrated = bs.filter((b) => b.rating === null).map((b) => b.pages)
      expect(g.top).toBe(unrated.length ? Math.max(...unrated) : null)
    }
    const bad = left(await pipe(query(Author), annotate({ n: Count('books', { filter: { nope: 1 } }) }), run(t().db))())
    expect(bad._tag).toBe('ValidationError')
  })

  it('Min and Max of a decimal compare by value (not as text) and return the stored decimal', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({ cheap: Min('books__price'), dear: Max('books__price'), total: Sum('books__price') }),
        run(t().db),
      )(),
    )
    for (const r of rows) {
      const prices = booksOf(r.name)
        .map((b) => b.price)
        .filter((p): p is string => p !== null)
      const byValue = [...prices].sort((a, b) => Number(a) - Number(b))
      expect([r.cheap, r.dear]).toEqual(prices.length ? [byValue[0], byValue[byValue.length - 1]] : [null, null])
      close(r.total, sum(prices.map(Number)))
    }
    const grouped = right(
      await pipe(
        query(Book),
        groupBy('authorId'),
        annotate({ cheap: Min('price'), dear: Max('price') }),
        run(t().db),
      )(),
    )
    for (const g of grouped) {
      const prices = booksOf(AUTHORS.find((a) => authorId[a.name] === g.authorId)!.name)
        .map((b) => b.price)
        .filter((p): p is string => p !== null)
        .sort((a, b) => Number(a) - Number(b))
      expect([g.cheap, g.dear]).toEqual(prices.length ? [prices[0], prices[prices.length - 1]] : [null, null])
    }
    // the seed must hold prices whose text order differs from their value order
    const all = BOOKS.map((b) => b.price).filter((p): p is string => p !== null)
    expect([...all].sort()).not.toEqual([...all].sort((a, b) => Number(a) - Number(b)))
  })

  it('first of a grouped plan orders by the group keys', async () => {
    const g = right(await pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }), first, run(t().db))())
    const lowest = Math.min(...BOOKS.map((b) => authorId[b.author]))
    expect(g).toEqual({ authorId: lowest, n: booksOf(AUTHORS.find((a) => authorId[a.name] === lowest)!.name).length })
  })

  it('rejects bad annotations as ValidationError without sending SQL', async () => {
    t().clearLog()
    const untyped = annotate as unknown as (x: object) => (p: unknown) => never
    expect(left(await pipe(query(Author), untyped({ n: Count('bookz') }), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(query(Author), untyped({ name: Count('books') }), run(t().db))())._tag).toBe(
      'ValidationError',
    )
    expect(left(await pipe(query(Author), untyped({ n: 3 }), run(t().db))())._tag).toBe('ValidationError')
    expect(t().log.length).toBe(0)
  })
})
