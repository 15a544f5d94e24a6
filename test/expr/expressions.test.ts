/**
 * Expressions: F in filters, annotations and updates (also across a to-one relation), the text
 * functions, arithmetic (division by zero is NULL everywhere), subqueries in `in`/`notIn`, scalar
 * subqueries and correlated EXISTS with OuterRef. Expectations are computed from the seed in JS.
 */
import { pipe } from 'fp-ts/function'
import {
  Coalesce,
  Concat,
  F,
  Length,
  Lower,
  OuterRef,
  Subquery,
  Trim,
  Upper,
  annotate,
  bulkCreate,
  exclude,
  exists,
  limit,
  orderBy,
  q,
  query,
  run,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book } from './models'
import { AUTHORS, BOOKS, BookSeed, booksOf, byCodePoint } from './seed'

const sorted = (xs: ReadonlyArray<string>): string[] => [...xs].sort(byCodePoint)

forEachDialect('expressions', [Author, Book], (t) => {
  let authorId: Record<string, number> = {}
  const seed = async (): Promise<void> => {
    await t().reset()
    const authors = right(await pipe(bulkCreate(Author, AUTHORS), run(t().db))())
    authorId = Object.fromEntries(authors.map((a) => [a.name, a.id]))
    right(
      await pipe(
        bulkCreate(
          Book,
          BOOKS.map((b) => ({ title: b.title, rating: b.rating, pages: b.pages, authorId: authorId[b.author] })),
        ),
        run(t().db),
      )(),
    )
  }
  beforeAll(seed)

  it('computes Lower, Upper, Length, Trim, Coalesce and Concat like JS (Unicode, code points, NULL as empty)', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({
          low: Lower(F('name')),
          up: Upper(F('name')),
          len: Length(F('name')),
          nickLen: Length(F('nick')),
          tr: Trim(F('name')),
          nickOrName: Coalesce(F('nick'), F('name')),
          label: Concat(F('name'), '/', F('nick')),
          upNick: Upper(F('nick')),
        }),
        orderBy('id'),
        run(t().db),
      )(),
    )
    expect(rows.map((r) => r.name)).toEqual(AUTHORS.map((a) => a.name))
    rows.forEach((r, i) => {
      const a = AUTHORS[i]
      expect(r.low).toBe(a.name.toLowerCase())
      expect(r.up).toBe(a.name.toUpperCase())
      expect(r.len).toBe([...a.name].length)
      expect(r.nickLen).toBe(a.nick === null ? null : [...a.nick].length)
      expect(r.tr).toBe(a.name.trim())
      expect(r.nickOrName).toBe(a.nick ?? a.name)
      expect(r.label).toBe(`${a.name}/${a.nick ?? ''}`)
      expect(r.upNick).toBe(a.nick === null ? null : a.nick.toUpperCase())
    })
  })

  it('filters and orders on function annotations by code point', async () => {
    const target = AUTHORS[1].name.toLowerCase()
    const hit = right(
      await pipe(
        query(Author),
        annotate({ low: Lower(F('name')) }),
        where({ low: target }),
        valuesFlat('name'),
        run(t().db),
      )(),
    )
    expect(hit).toEqual([AUTHORS[1].name])
    const ordered = right(
      await pipe(query(Author), annotate({ up: Upper(F('name')) }), orderBy('-up'), valuesFlat('up'), run(t().db))(),
    )
    expect(ordered).toEqual(sorted(AUTHORS.map((a) => a.name.toUpperCase())).reverse())
    const long = right(
      await pipe(
        query(Author),
        annotate({ len: Length(F('name')) }),
        where({ len__gte: 5 }),
        valuesFlat('name'),
        run(t().db),
      )(),
    )
    expect(sorted(long)).toEqual(sorted(AUTHORS.filter((a) => [...a.name].length >= 5).map((a) => a.name)))
  })

  it('compares a field with an expression over the row: pages < rating × 100', async () => {
    const titles = right(
      await pipe(query(Book), where({ pages__lt: F('rating').mul(100) }), valuesFlat('title'), run(t().db))(),
    )
    expect(sorted(titles)).toEqual(
      sorted(BOOKS.filter((b) => b.rating !== null && b.pages < b.rating * 100).map((b) => b.title)),
    )
    // the complement keeps the rows whose rating is NULL (two-valued logic)
    const rest = right(
      await pipe(query(Book), exclude({ pages__lt: F('rating').mul(100) }), valuesFlat('title'), run(t().db))(),
    )
    expect(titles.length + rest.length).toBe(BOOKS.length)
  })

  it('arithmetic: add/sub/mul, real division, NULL when dividing by zero or by NULL', async () => {
    const rows = right(
      await pipe(
        query(Book),
        annotate({
          a: F('pages').add(F('rating')),
          s: F('pages').sub(1),
          m: F('pages').mul(2),
          d: F('pages').div(8),
          z: F('pages').div(0),
          n: F('pages').div(F('rating')),
        }),
        orderBy('id'),
        run(t().db),
      )(),
    )
    rows.forEach((r, i) => {
      const b = BOOKS[i]
      expect(r.title).toBe(b.title)
      expect(r.a).toBe(b.rating === null ? null : b.pages + b.rating)
      expect([r.s, r.m]).toEqual([b.pages - 1, b.pages * 2])
      expect(r.d).toBeCloseTo(b.pages / 8, 12)
      expect(r.z).toBeNull()
      if (b.rating === null) expect(r.n).toBeNull()
      else expect(r.n).toBeCloseTo(b.pages / b.rating, 12)
    })
  })

  it('reads a field across a to-one relation with F', async () => {
    const rows = right(
      await pipe(
        query(Book),
        annotate({ by: F('author__name'), nick: Upper(F('author__nick')) }),
        values('title', 'by', 'nick'),
        run(t().db),
      )(),
    )
    const byTitle = new Map<string, BookSeed>(BOOKS.map((b) => [b.title, b]))
    for (const r of rows) {
      const a = AUTHORS.find((x) => x.name === byTitle.get(r.title)!.author)!
      expect([r.by, r.nick]).toEqual([a.name, a.nick === null ? null : a.nick.toUpperCase()])
    }
    const bad = left(await pipe(query(Author), annotate({ x: F('books__title' as 'name') }), run(t().db))())
    expect(bad._tag).toBe('ValidationError')
  })

  it('uses a plan as the list of in / notIn; notIn over a subquery with NULLs is the complement of in', async () => {
    const nicked = pipe(query(Author), where({ nick__isnull: false }))
    const inTitles = right(await pipe(query(Book), where({ authorId__in: nicked }), valuesFlat('title'), run(t().db))())
    const nickedNames = new Set(AUTHORS.filter((a) => a.nick !== null).map((a) => a.name))
    expect(sorted(inTitles)).toEqual(sorted(BOOKS.filter((b) => nickedNames.has(b.author)).map((b) => b.title)))
    // a subquery of nullable values: ratings of the first author's books (one is NULL)
    const first = AUTHORS.find(
      (a) => booksOf(a.name).some((b) => b.rating === null) && booksOf(a.name).some((b) => b.rating !== null),
    )!
    const ratings = pipe(query(Book), where({ authorId: authorId[first.name] }), valuesFlat('rating'))
    const inR = right(await pipe(query(Book), where({ rating__in: ratings }), valuesFlat('title'), run(t().db))())
    const notInR = right(await pipe(query(Book), where({ rating__notIn: ratings }), valuesFlat('title'), run(t().db))())
    const set = new Set(
      booksOf(first.name)
        .map((b) => b.rating)
        .filter((r) => r !== null),
    )
    expect(sorted(inR)).toEqual(sorted(BOOKS.filter((b) => b.rating !== null && set.has(b.rating)).map((b) => b.title)))
    expect(sorted([...inR, ...notInR])).toEqual(sorted(BOOKS.map((b) => b.title)))
    // a limited subquery (MySQL needs it wrapped)
    const firstTwo = pipe(query(Author), orderBy('id'), limit(2), valuesFlat('id'))
    const limited = right(
      await pipe(query(Book), where({ authorId__in: firstTwo }), valuesFlat('title'), run(t().db))(),
    )
    expect(sorted(limited)).toEqual(
      sorted(BOOKS.filter((b) => [AUTHORS[0].name, AUTHORS[1].name].includes(b.author)).map((b) => b.title)),
    )
  })

  it('correlated EXISTS with OuterRef, negated with q.not, and a scalar subquery', async () => {
    const good = pipe(query(Book), where({ authorId: OuterRef('id'), rating__gte: 3 }))
    const withGood = right(await pipe(query(Author), where(exists(good)), valuesFlat('name'), run(t().db))())
    const expected = AUTHORS.filter((a) => booksOf(a.name).some((b) => b.rating !== null && b.rating >= 3)).map(
      (a) => a.name,
    )
    expect(sorted(withGood)).toEqual(sorted(expected))
    const without = right(await pipe(query(Author), where(q.not(exists(good))), valuesFlat('name'), run(t().db))())
    expect(sorted([...withGood, ...without])).toEqual(sorted(AUTHORS.map((a) => a.name)))
    const longest = Subquery(
      pipe(query(Book), where({ authorId: OuterRef('id') }), orderBy('-pages'), limit(1), valuesFlat('title')),
    )
    const rows = right(await pipe(query(Author), annotate({ longest }), values('name', 'longest'), run(t().db))())
    for (const r of rows) {
      const bs = [...booksOf(r.name)].sort((x, y) => y.pages - x.pages)
      expect(r.longest).toBe(bs[0]?.title ?? null)
    }
    const outside = left(await pipe(query(Author), where({ id: OuterRef('id') }), run(t().db))())
    expect(outside._tag).toBe('ValidationError')
  })

  it('updates with F: rating + 1 and pages × 2 for some rows only, NULL stays NULL', async () => {
    const target = AUTHORS.find((a) => booksOf(a.name).length >= 2)!
    const changed = right(
      await pipe(
        query(Book),
        where({ authorId: authorId[target.name] }),
        update({ rating: F('rating').add(1), pages: F('pages').mul(2) }),
        run(t().db),
      )(),
    )
    expect(changed).toBe(booksOf(target.name).length)
    const rows = right(await pipe(query(Book), orderBy('id'), run(t().db))())
    rows.forEach((r, i) => {
      const b = BOOKS[i]
      const hit = b.author === target.name
      expect(r.rating).toBe(hit && b.rating !== null ? b.rating + 1 : b.rating)
      expect(r.pages).toBe(hit ? b.pages * 2 : b.pages)
    })
    const untyped = update as unknown as (p: object) => (q: unknown) => never
    expect(left(await pipe(query(Book), untyped({ nope: F('pages') }), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(query(Book), untyped({ pages: F('nope') }), run(t().db))())._tag).toBe('ValidationError')
    await seed()
  })
})
