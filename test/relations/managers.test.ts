/**
 * Relation managers as plans on every dialect: add (twice adds nothing), remove, clear, listing
 * related rows, in both directions of a many-to-many relation and for a reverse foreign key.
 */
import { pipe } from 'fp-ts/function'
import { create, orderBy, query, related, run, runPromise, valuesFlat, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Tag } from './models'

forEachDialect('relations: managers', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeEach(async () => {
    await t().reset()
    s = await seed(t().db)
  })
  const tagNames = async (book: { readonly id: number }) =>
    right(await pipe(related(Book, book, 'tags').all, orderBy('name'), valuesFlat('name'), run(t().db))())

  it('lists related rows as a query to refine (tortoise: await author.books.all())', async () => {
    const books = right(await pipe(related(Author, s.ann, 'books').all, orderBy('title'), run(t().db))())
    expect(books.map((b) => b.title)).toEqual(['Alpha', 'Beta'])
    expect(right(await pipe(related(Author, s.cy.id, 'books').all, run(t().db))())).toEqual([])
    expect(await tagNames(s.a1)).toEqual(['python', 'sql'])
    expect(
      right(await pipe(related(Tag, s.py, 'books').all, where({ rating__gte: 4 }), valuesFlat('title'), run(t().db))()),
    ).toEqual(['Alpha'])
    expect(right(await pipe(related(Book, s.b1, 'author').all, valuesFlat('name'), run(t().db))())).toEqual(['Bob'])
  })

  it('adds links; adding an existing link again creates no duplicate', async () => {
    const go = runPromise(t().db)
    expect(await go(related(Book, s.a2, 'tags').add(s.py, s.un))).toBe(2)
    expect(await go(related(Book, s.a2, 'tags').add(s.py, s.un, s.sq, s.py.id))).toBe(0)
    expect(await tagNames(s.a2)).toEqual(['python', 'sql', 'unused'])
    // From the other side of the relation: the same link table.
    expect(await go(related(Tag, s.un, 'books').add(s.a2, s.b1))).toBe(1)
    expect(
      right(await pipe(related(Tag, s.un, 'books').all, orderBy('id'), valuesFlat('title'), run(t().db))()),
    ).toEqual(['Beta', 'Gamma'])
  })

  it('concurrent adds of the same link create it once', async () => {
    const adds = await Promise.all(
      Array.from({ length: 6 }, () => run(t().db)(related(Book, s.b1, 'tags').add(s.sq, s.un))()),
    )
    expect(adds.map(right).reduce((a, b) => a + b, 0)).toBe(2)
    expect(await tagNames(s.b1)).toEqual(['python', 'sql', 'unused'])
  })

  it('removes and clears links, leaving the rows', async () => {
    const go = runPromise(t().db)
    expect(await go(related(Book, s.a1, 'tags').remove(s.py, s.un))).toBe(1)
    expect(await tagNames(s.a1)).toEqual(['sql'])
    expect(await go(related(Book, s.a1, 'tags').clear)).toBe(1)
    expect(await tagNames(s.a1)).toEqual([])
    expect(await go(related(Book, s.a1, 'tags').clear)).toBe(0)
    expect(await go(pipe(query(Tag), orderBy('id'), valuesFlat('name')))).toEqual(['python', 'sql', 'unused'])
    expect(await tagNames(s.a2)).toEqual(['sql'])
  })

  it('is a plan: building one sends nothing, running it twice is fine', async () => {
    t().clearLog()
    const plan = related(Book, s.b1, 'tags').add(s.sq)
    expect(t().log).toHaveLength(0)
    expect(right(await run(t().db)(plan)())).toBe(1)
    expect(right(await run(t().db)(plan)())).toBe(0)
  })

  it('reports a missing row as an IntegrityError and bad keys as a ValidationError', async () => {
    const e = left(await run(t().db)(related(Book, s.a1, 'tags').add(999999))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'foreignKey' })
    expect(await tagNames(s.a1)).toEqual(['python', 'sql'])
    const bad = related(Book, s.a1, 'tags') as unknown as { add: (x: unknown) => never }
    t().clearLog()
    expect(left(await run(t().db)(bad.add('x'))())._tag).toBe('ValidationError')
    const byName = related as unknown as (
      m: unknown,
      o: unknown,
      r: string,
    ) => { add: (x: unknown) => never; all: never }
    expect(left(await run(t().db)(byName(Author, s.ann, 'books').add(s.a1))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(byName(Author, s.ann, 'nope').all)())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })

  it('takes the related row in create as well as its key', async () => {
    const book = right(await run(t().db)(create(Book, { title: 'Delta', author: s.cy }))())
    expect(book.authorId).toBe(s.cy.id)
  })
})
