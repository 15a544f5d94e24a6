/**
 * Filters on a to-many relation (reverse foreign key, many-to-many, reverse one-to-one) by the
 * existence of related rows, tortoise's meaning: `books__isnull: true` is an author without books,
 * `books: row` one with that book, `books__in` one with any of them, `books__not` one without
 * that book. Each compiles to EXISTS / NOT EXISTS: a parent is never repeated.
 */
import { pipe } from 'fp-ts/function'
import { Plan, count, exclude, orderBy, q, query, run, valuesFlat, where, compile } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Tag } from './models'

forEachDialect('relations: existence filters', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeAll(async () => {
    await t().reset()
    s = await seed(t().db)
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())
  // Filters checked by the type tests (test/types/relations.types.ts); here, what they find.
  const authors = (f: object) => go(pipe(query(Author), where(f as never), orderBy('id'), valuesFlat('name')))

  it('isnull: authors without books, and with some', async () => {
    expect(await go(pipe(query(Author), where({ books__isnull: true }), valuesFlat('name')))).toEqual(['Cy'])
    expect(await go(pipe(query(Author), where({ books__isnull: false }), orderBy('id'), valuesFlat('name')))).toEqual([
      'Ann',
      'Bob',
    ])
    expect(await go(pipe(query(Author), where({ books__notIsnull: false }), valuesFlat('name')))).toEqual(['Cy'])
    // Ann has two books, yet appears once.
    expect(await go(pipe(query(Author), where({ books__isnull: false }), count))).toBe(2)
    expect(await go(pipe(query(Tag), where({ books__isnull: true }), valuesFlat('name')))).toEqual(['unused'])
    expect(await go(pipe(query(Author), where({ profile__isnull: true }), orderBy('id'), valuesFlat('name')))).toEqual([
      'Bob',
      'Cy',
    ])
    expect(await go(pipe(query(Author), where({ books: null }), valuesFlat('name')))).toEqual(['Cy'])
  })

  it('a condition after the relation is about some related row: books__id__isnull matches nothing', async () => {
    expect(await go(pipe(query(Author), where({ books__id__isnull: true }), valuesFlat('name')))).toEqual([])
    expect(await go(pipe(query(Author), where({ books__rating__isnull: true }), valuesFlat('name')))).toEqual(['Bob'])
  })

  it('a related row or its key: EXISTS one such row', async () => {
    expect(await go(pipe(query(Author), where({ books: s.a2 }), valuesFlat('name')))).toEqual(['Ann'])
    expect(await go(pipe(query(Author), where({ books: s.b1.id }), valuesFlat('name')))).toEqual(['Bob'])
    expect(await go(pipe(query(Book), where({ tags: s.py }), orderBy('id'), valuesFlat('title')))).toEqual([
      'Alpha',
      'Gamma',
    ])
    expect(await go(pipe(query(Tag), where({ books: s.a1 }), orderBy('id'), valuesFlat('name')))).toEqual([
      'python',
      'sql',
    ])
  })

  it('in: any of the rows, each parent once', async () => {
    expect(await authors({ books__in: [s.a1, s.a2, s.b1.id] })).toEqual(['Ann', 'Bob'])
    expect(await go(pipe(query(Author), where({ books__in: [s.a1, s.a2] }), count))).toBe(1)
    expect(await authors({ books__in: [] })).toEqual([])
    const rated = pipe(query(Book), where({ rating__gte: 4 }), valuesFlat('id'))
    expect(await authors({ books__in: rated })).toEqual(['Ann'])
  })

  it('not: NOT EXISTS that row, the complement of the equality', async () => {
    expect(await authors({ books__not: s.a1 })).toEqual(['Bob', 'Cy'])
    expect(await go(pipe(query(Book), where({ tags__not: s.sq }), valuesFlat('title')))).toEqual(['Gamma'])
    expect(await authors({ books__not: null })).toEqual(['Ann', 'Bob'])
    const inside = await authors({ books: s.b1 })
    const outside = await go(pipe(query(Author), exclude({ books: s.b1 }), orderBy('id'), valuesFlat('name')))
    expect([...inside, ...outside].sort()).toEqual(['Ann', 'Bob', 'Cy'])
    expect(await authors(q.or({ books__isnull: true }, { books: s.b1 }))).toEqual(['Bob', 'Cy'])
    expect(await authors(q.not({ books__isnull: true }))).toEqual(['Ann', 'Bob'])
  })

  it('compiles to EXISTS, never to a join', () => {
    const c = compile(pipe(query(Author), where({ books__isnull: true })), t().dialect)
    expect(c.sql).toContain('NOT EXISTS (SELECT 1')
    expect(c.sql).not.toContain('JOIN')
  })

  it('rejects bad values and lookups as a ValidationError, sending nothing', async () => {
    const untyped = where as unknown as (f: object) => (p: unknown) => Plan<unknown>
    t().clearLog()
    for (const f of [
      { books__isnull: 'yes' },
      { books: 'x' },
      { books__in: 3 },
      { books__in: ['x'] },
      { books__gt: 3 },
      { books__contains: 'a' },
      { books: undefined },
    ]) {
      const e = left(await run(t().db)(untyped(f)(query(Author)))())
      expect(e._tag).toBe('ValidationError')
    }
    expect(t().log).toHaveLength(0)
  })
})
