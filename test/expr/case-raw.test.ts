/**
 * Expressions of tortoise parity: `Case`/`When` (in annotate, update and filters), `RawSQL`
 * fragments (parameters bound, expressions rendered with the query's aliases), `mod`, `pow`,
 * `neg`, `Value`, and aggregates over expressions (`Avg(F('books__rating').add(1))`), on every
 * dialect. Expectations are computed from the seed in JS.
 */
import { pipe } from 'fp-ts/function'
import {
  Avg,
  Case,
  Concat,
  Count,
  F,
  Max,
  Lower,
  Min,
  RawSQL,
  Sum,
  Value,
  When,
  annotate,
  bulkCreate,
  compile,
  count,
  groupBy,
  orderBy,
  q,
  query,
  run,
  sql,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book } from './models'
import { AUTHORS, BOOKS, BookSeed, avg, booksOf, sum } from './seed'

const close = (got: number | null, want: number | null): void => {
  if (want === null) expect(got).toBeNull()
  else expect(got).toBeCloseTo(want, 9)
}

const grade = (r: number | null): string => (r === null ? 'none' : r >= 4 ? 'good' : r >= 2 ? 'fair' : 'poor')

forEachDialect('case, raw and arithmetic expressions', [Author, Book], (t) => {
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

  it('Case/When picks the first branch that holds, else the default, else null', async () => {
    const rows = right(
      await pipe(
        query(Book),
        annotate({
          g: Case(
            [When({ rating__gte: 4 }, 'good'), When({ rating__gte: 2 }, 'fair'), When({ rating: null }, 'none')],
            {
              default: 'poor',
            },
          ),
          nothing: Case([When({ rating__gte: 100 }, 1)]),
          n: Case([When(q.or({ pages__lt: 150 }, { rating: null }), F('pages').mul(2))], { default: F('pages') }),
        }),
        orderBy('title'),
        values('title', 'g', 'nothing', 'n'),
        run(t().db),
      )(),
    )
    const want = [...BOOKS].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
    expect(rows.map((r) => r.title)).toEqual(want.map((b) => b.title))
    rows.forEach((r, i) => {
      const b = want[i]
      expect(r.g).toBe(grade(b.rating))
      expect(r.nothing).toBeNull()
      expect(r.n).toBe(b.pages < 150 || b.rating === null ? b.pages * 2 : b.pages)
    })
  })

  it('Case in a filter value, in a filter on its annotation, and in an update', async () => {
    const g = Case([When({ rating__gte: 4 }, 'good'), When({ rating__gte: 2 }, 'fair')], { default: 'poor' })
    const good = right(
      await pipe(
        query(Book),
        annotate({ g }),
        where({ g: 'good' }),
        orderBy('title'),
        valuesFlat('title'),
        run(t().db),
      )(),
    )
    expect(good).toEqual(
      BOOKS.filter((b) => grade(b.rating) === 'good')
        .map((b) => b.title)
        .sort(),
    )
    const over = right(
      await pipe(
        query(Book),
        where({ pages__gt: Case([When({ rating__gte: 3 }, 150)], { default: 10000 }) }),
        valuesFlat('title'),
        run(t().db),
      )(),
    )
    expect([...over].sort()).toEqual(
      BOOKS.filter((b) => b.rating !== null && b.rating >= 3 && b.pages > 150)
        .map((b) => b.title)
        .sort(),
    )
    const n = right(
      await pipe(
        query(Book),
        update({ rating: Case([When({ rating__lt: 2 }, 0), When({ rating: null }, -1)], { default: F('rating') }) }),
        run(t().db),
      )(),
    )
    expect(n).toBe(BOOKS.length)
    const ratings = right(await pipe(query(Book), orderBy('title'), values('title', 'rating'), run(t().db))())
    const byTitle = new Map(BOOKS.map((b) => [b.title, b.rating]))
    for (const r of ratings) {
      const was = byTitle.get(r.title)!
      expect(r.rating).toBe(was === null ? -1 : was < 2 ? 0 : was)
    }
    await seed()
  })

  it('__not and __notIn on an annotation holding parameters (positional placeholders are not repeated)', async () => {
    const g = Case([When({ rating__gte: 4 }, 'good'), When({ rating__gte: 2 }, 'fair')], { default: 'poor' })
    const titles = async (f: Record<string, unknown>): Promise<string[]> =>
      [
        ...right(
          await pipe(
            query(Book),
            annotate({ g, p: F('pages').add(1) }),
            where(f as never),
            valuesFlat('title'),
            run(t().db),
          )(),
        ),
      ].sort()
    const all = BOOKS.map((b) => b.title).sort()
    expect(await titles({ g__not: 'good' })).toEqual(
      all.filter((x) => grade(BOOKS.find((b) => b.title === x)!.rating) !== 'good'),
    )
    expect(await titles({ g__notIn: ['good', 'fair'] })).toEqual(
      all.filter((x) => !['good', 'fair'].includes(grade(BOOKS.find((b) => b.title === x)!.rating))),
    )
    expect(await titles({ p__not: 101 })).toEqual(all.filter((x) => BOOKS.find((b) => b.title === x)!.pages !== 100))
  })

  it('a When filter with an unknown field is a ValidationError, and nothing is sent', async () => {
    t().clearLog()
    const e = left(await pipe(query(Book), annotate({ g: Case([When({ ratingg__gte: 4 }, 1)]) }), run(t().db))())
    expect(e._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })

  it('mod truncates (sign of the dividend), of floats too, and is null by 0; neg negates', async () => {
    const rows = right(
      await pipe(
        query(Book),
        annotate({
          m: F('pages').mod(7),
          mneg: F('pages').neg().mod(7),
          mf: F('rating').mod(1.5),
          m0: F('pages').mod(0),
          n: F('rating').neg(),
          nn: F('pages').neg().neg(),
        }),
        orderBy('title'),
        values('title', 'pages', 'rating', 'm', 'mneg', 'mf', 'm0', 'n', 'nn'),
        run(t().db),
      )(),
    )
    expect(rows).toHaveLength(BOOKS.length)
    for (const r of rows) {
      expect(r.m).toBe(r.pages % 7)
      expect(r.mneg).toBe(-r.pages % 7 || 0)
      close(r.mf, r.rating === null ? null : r.rating % 1.5)
      expect(r.m0).toBeNull()
      expect(r.n).toBe(r.rating === null ? null : -r.rating)
      expect(r.nn).toBe(r.pages)
    }
  })

  it('a zero remainder is zero: a division by it is null, in a read and in an update', async () => {
    // -1 mod -0.25 and -1.0 mod 0.5 are (-)0; MariaDB's decimal MOD gave a -0.00 unequal to 0
    const zero = Value(-1).mod(-0.25)
    const row = right(
      await pipe(
        query(Book),
        annotate({ z: zero, z2: Value(-1.5).mod(0.5), d: Value(0).div(zero) }),
        values('z', 'z2', 'd'),
        run(t().db),
      )(),
    )[0]
    expect([row.z === 0, row.z2 === 0, row.d]).toEqual([true, true, null])
    const hit = right(await pipe(query(Book), where({ pages__gt: Value(1).sub(1).add(zero) }), count, run(t().db))())
    expect(hit).toBe(BOOKS.filter((b) => b.pages > 0).length)
    const n = right(
      await pipe(query(Book), where({ rating: null }), update({ rating: Value(0).div(zero) }), run(t().db))(),
    )
    expect(n).toBe(BOOKS.filter((b) => b.rating === null).length)
  })

  it('a fraction in an expression is a double, as in JS: 0.1 + 0.2 is 0.30000000000000004', async () => {
    const rows = right(
      await pipe(
        query(Book),
        annotate({ s: Value(0.1).add(0.2), p: Value(3).mul(0.1) }),
        values('s', 'p'),
        run(t().db),
      )(),
    )
    expect(rows[0]).toEqual({ s: 0.1 + 0.2, p: 3 * 0.1 })
  })

  it('NaN and the infinities in an expression are a ValidationError, and nothing is sent; 1e300 is a double', async () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      t().clearLog()
      const e = left(await pipe(query(Book), annotate({ x: F('pages').mul(v) }), values('x'), run(t().db))())
      expect([e._tag, e.message]).toEqual(['ValidationError', `Book: pages: ${v} is not a finite number`])
      const u = left(await pipe(query(Book), update({ rating: Value(v) }), run(t().db))())
      expect(u._tag).toBe('ValidationError')
      // a plain value is checked by its field's codec, and named as it is (JSON would say null)
      const w = left(await pipe(query(Book), where({ rating__gt: v }), values('id'), run(t().db))())
      expect(w.message).toBe(`Book: rating__gt: ${v} is not a valid float`)
      expect(t().log).toHaveLength(0)
    }
    // an integer past 2^53 is a double in JS, and in the SQL (PostgreSQL's BIGINT would refuse it)
    const rows = right(
      await pipe(
        query(Book),
        annotate({ x: Value(1e300).add(0), y: Value(2 ** 60).mul(2) }),
        values('x', 'y'),
        run(t().db),
      )(),
    )
    expect(rows[0]).toEqual({ x: 1e300, y: 2 ** 61 })
  })

  it('a literal that is no string, number, bigint or null, and no value of the field beside it, is a ValidationError', async () => {
    // each driver wrote these its own way: mysql2 an object's keys as column names (title = (pages = 1))
    const odd: ReadonlyArray<unknown> = [{ pages: 1 }, [1, 2], undefined, true, new Date(0), Buffer.from('ab')]
    for (const v of odd) {
      t().clearLog()
      const read = left(await pipe(query(Book), annotate({ x: Value(v) }), values('x'), run(t().db))())
      expect(read._tag).toBe('ValidationError')
      const written = left(await pipe(query(Book), update({ title: Value(v) }), run(t().db))())
      expect(written.message).toMatch(/^Book: title: .* is no value of an expression/)
      expect(t().log).toHaveLength(0)
    }
    const titles = right(await pipe(query(Book), valuesFlat('title'), run(t().db))())
    expect(new Set(titles)).toEqual(new Set(BOOKS.map((b) => b.title)))
  })

  it('an update storing an expression of another kind (a text in a number field) is a ValidationError', async () => {
    // SQLite would store the text, and the row would no longer read back
    for (const value of [F('title'), Lower(F('title')), Concat(F('title'), '!')]) {
      t().clearLog()
      const e = left(await pipe(query(Book), update({ pages: value }), run(t().db))())
      expect(e.message).toMatch(/^Book: pages: a value of kind (char|text) cannot be stored in a field of kind int$/)
      expect(t().log).toHaveLength(0)
    }
    // the same kind, a number into a number, a text into a text: stored
    right(
      await pipe(
        query(Book),
        where({ title: '' }),
        update({ rating: F('pages').mul(2), title: Lower(F('title')) }),
        run(t().db),
      )(),
    )
    expect(right(await pipe(query(Book), valuesFlat('pages'), run(t().db))())).toHaveLength(BOOKS.length)
  })

  it('pow is a float, null where the result is no finite real number, 0 on underflow', async () => {
    const one = async (b: number, x: number): Promise<number | null> => {
      const rows = right(
        await pipe(
          query(Book),
          where({ title: BOOKS[0].title }),
          annotate({ p: Value(b).pow(x) }),
          valuesFlat('p'),
          run(t().db),
        )(),
      )
      return rows[0]
    }
    const cases: Array<[number, number, number | null]> = [
      [2, 10, 1024],
      [2, 0.5, Math.SQRT2],
      [-2, 3, -8],
      [-8, 0.5, null],
      [0, -1, null],
      [0, 0, 1],
      [0, 2, 0],
      [10, 400, null],
      [10, -400, 0],
      [-10, 401, null],
      [0.5, -2, 4],
    ]
    for (const [b, x, want] of cases) close(await one(b, x), want)
    const rows = right(
      await pipe(
        query(Book),
        annotate({ p: F('pages').pow(2), r: F('rating').pow(F('rating')) }),
        values('pages', 'rating', 'p', 'r'),
        run(t().db),
      )(),
    )
    for (const r of rows) {
      close(r.p, r.pages ** 2)
      close(r.r, r.rating === null ? null : r.rating ** r.rating)
    }
  })

  it('RawSQL: a fragment with expressions and bound values, in annotate and where', async () => {
    const plan = pipe(
      query(Book),
      annotate({ d: RawSQL<number>(sql`abs(${F('pages')} - ${300})`) }),
      where({ d__lt: 150 }),
      orderBy('title'),
      values('title', 'pages', 'd'),
    )
    const c = compile(plan, t().dialect)
    expect(c.sql).not.toContain('300')
    const rows = right(await pipe(plan, run(t().db))())
    const want = BOOKS.filter((b) => Math.abs(b.pages - 300) < 150)
    expect(rows.map((r) => r.title).sort()).toEqual(want.map((b) => b.title).sort())
    for (const r of rows) expect(Number(r.d)).toBe(Math.abs(r.pages - 300))
    const hostile = "'); DROP TABLE x_book; --"
    const none = right(
      await pipe(query(Book), where({ title: RawSQL<string>(sql`${hostile}`) }), valuesFlat('title'), run(t().db))(),
    )
    expect(none).toEqual([])
    expect(right(await pipe(query(Book), valuesFlat('id'), run(t().db))())).toHaveLength(BOOKS.length)
  })

  it('aggregates over expressions: per author across books, and over a group', async () => {
    const rows = right(
      await pipe(
        query(Author),
        annotate({
          r: Avg(F('books__rating').add(1)),
          s: Sum(F('books__pages').mul(2)),
          c: Count(F('books__rating').mul(0)),
          lo: Min(F('books__pages').neg()),
          hi: Max(Case([When({ books__rating__gte: 3 }, F('books__pages'))])),
          f: Sum(F('books__pages'), { filter: { rating: null } }),
        }),
        orderBy('id'),
        run(t().db),
      )(),
    )
    rows.forEach((a, i) => {
      const bs = booksOf(AUTHORS[i].name)
      const rs = bs.map((b) => b.rating).filter((x): x is number => x !== null)
      close(a.r, avg(rs.map((x) => x + 1)))
      close(a.s, sum(bs.map((b) => b.pages * 2)))
      expect(a.c).toBe(rs.length)
      expect(a.lo).toBe(bs.length ? Math.min(...bs.map((b) => -b.pages)) : null)
      const hi = bs.filter((b) => b.rating !== null && b.rating >= 3).map((b) => b.pages)
      expect(a.hi).toBe(hi.length ? Math.max(...hi) : null)
      close(a.f, sum(bs.filter((b) => b.rating === null).map((b) => b.pages)))
    })
    const grouped = right(
      await pipe(
        query(Book),
        groupBy('authorId'),
        annotate({ r: Avg(F('rating').mul(2)), n: Sum(F('pages').mod(100)) }),
        orderBy('authorId'),
        run(t().db),
      )(),
    )
    const ids = [...new Set(BOOKS.map((b) => authorId[b.author]))].sort((a, b) => a - b)
    expect(grouped.map((g) => g.authorId)).toEqual(ids)
    for (const g of grouped) {
      const bs: ReadonlyArray<BookSeed> = BOOKS.filter((b) => authorId[b.author] === g.authorId)
      close(
        g.r,
        avg(
          bs
            .map((b) => b.rating)
            .filter((x): x is number => x !== null)
            .map((x) => x * 2),
        ),
      )
      close(g.n, sum(bs.map((b) => b.pages % 100)))
    }
  })

  it('an aggregate of an expression mixing own and related rows is a ValidationError', async () => {
    const e = left(await pipe(query(Author), annotate({ x: Sum(F('books__pages').add(F('id'))) }), run(t().db))())
    expect(e._tag).toBe('ValidationError')
  })
})
