/**
 * `selectRelated`: to-one relations read in the same statement by LEFT JOINs, nested under
 * their names, null where the join found no row; on every dialect.
 */
import { pipe } from 'fp-ts/function'
import { Plan, count, first, get, orderBy, query, run, runSync, selectRelated, update, values, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Employee } from './models'

forEachDialect('relations: selectRelated', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeAll(async () => {
    await t().reset()
    s = await seed(t().db)
    // Ann's favourite book is Gamma (Bob's); Bob has none.
    right(await run(t().db)(pipe(query(Author), where({ id: s.ann.id }), update({ favouriteId: s.b1.id })))())
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('reads a foreign key in one statement, nested', async () => {
    t().clearLog()
    const books = await go(pipe(query(Book), selectRelated('author'), orderBy('id')))
    expect(t().log).toHaveLength(1)
    expect(t().log[0].sql).toContain('LEFT JOIN')
    expect(books.map((b) => [b.title, b.author.name])).toEqual([
      ['Alpha', 'Ann'],
      ['Beta', 'Ann'],
      ['Gamma', 'Bob'],
    ])
    expect(books[0].author).toEqual({ id: s.ann.id, name: 'Ann', favouriteId: s.b1.id })
    expect(books[0].authorId).toBe(s.ann.id)
  })

  it('nests two hops, null where a nullable key holds none', async () => {
    const books = await go(pipe(query(Book), selectRelated('author__favourite'), orderBy('id')))
    expect(books[0].author.favourite?.title).toBe('Gamma')
    expect(books[2].author.name).toBe('Bob')
    expect(books[2].author.favourite).toBeNull()
    const low = await go(pipe(query(Employee), selectRelated('manager__manager'), where({ name: 'Low' }), get))
    expect(low.manager?.name).toBe('Mid')
    expect(low.manager?.manager?.name).toBe('Boss')
    const boss = await go(pipe(query(Employee), selectRelated('manager__manager'), where({ name: 'Boss' }), first))
    expect(boss?.manager).toBeNull()
    // A synchronous driver's runSync reads the same nested rows.
    if (t().db.executor.sync)
      expect(right(runSync(t().db)(pipe(query(Book), selectRelated('author__favourite'), orderBy('id')))())).toEqual(
        books,
      )
  })

  it('joins a reverse one-to-one, and never changes the number of rows', async () => {
    const authors = await go(pipe(query(Author), selectRelated('profile'), orderBy('id')))
    expect(authors.map((a) => a.profile?.bio ?? null)).toEqual(['writes', null, null])
    expect(await go(pipe(query(Author), selectRelated('profile'), count))).toBe(3)
  })

  it('rejects to-many paths, unknown names and values() as a ValidationError, sending nothing', async () => {
    const untyped = selectRelated as unknown as (...p: string[]) => (q: unknown) => Plan<unknown>
    t().clearLog()
    for (const p of [
      untyped('books')(query(Author)),
      untyped('nope')(query(Book)),
      untyped('author__books')(query(Book)),
    ])
      expect(left(await run(t().db)(p)())._tag).toBe('ValidationError')
    const vals = untyped('author')(pipe(query(Book), values('title')))
    expect(left(await run(t().db)(vals)())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
