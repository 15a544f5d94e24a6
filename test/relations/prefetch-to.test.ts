/**
 * `prefetchWith(relation, plan, { to })` on every dialect (tortoise's `Prefetch(…, to_attr)`):
 * the related rows under the target name, one relation loaded twice under two names, and a
 * target that clashes with a field, relation, annotation or prefetch a ValidationError.
 */
import { pipe } from 'fp-ts/function'
import { Count, Plan, annotate, orderBy, prefetch, prefetchWith, query, run, selectRelated, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Tag } from './models'

forEachDialect('relations: prefetchWith to a target name', ALL, (t) => {
  beforeAll(async () => {
    await t().reset()
    await seed(t().db)
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('puts the rows under the target name; the same relation twice under two names', async () => {
    const rows = await go(
      pipe(
        query(Author),
        orderBy('name'),
        prefetchWith('books', pipe(query(Book), where({ rating__gte: 4 })), { to: 'goodBooks' }),
        prefetchWith('books', pipe(query(Book), orderBy('-title')), { to: 'byTitle' }),
        prefetch('books'),
      ),
    )
    expect(
      rows.map((a) => [a.name, a.goodBooks.map((b) => b.title), a.byTitle.map((b) => b.title), a.books.length]),
    ).toEqual([
      ['Ann', ['Alpha'], ['Beta', 'Alpha'], 2],
      ['Bob', [], ['Gamma'], 1],
      ['Cy', [], [], 0],
    ])
  })

  it('a to-one relation under a target name, with nested prefetches of its plan', async () => {
    const rows = await go(
      pipe(
        query(Book),
        orderBy('title'),
        prefetchWith('author', pipe(query(Author), prefetch('books')), { to: 'writer' }),
        prefetchWith('tags', pipe(query(Tag), orderBy('name')), { to: 'labels' }),
      ),
    )
    expect(rows.map((b) => [b.title, b.writer?.name, b.writer?.books.length, b.labels.map((x) => x.name)])).toEqual([
      ['Alpha', 'Ann', 2, ['python', 'sql']],
      ['Beta', 'Ann', 2, ['sql']],
      ['Gamma', 'Bob', 1, ['python']],
    ])
    expect(rows.every((b) => !('author' in b))).toBe(true)
  })

  it('a target clashing with a field, relation, annotation or prefetch is a ValidationError, sending nothing', async () => {
    const untyped = prefetchWith as unknown as (
      r: string,
      p: unknown,
      o: { to: string },
    ) => (p: unknown) => Plan<unknown>
    const books = query(Book)
    const plans: Plan<unknown>[] = [
      untyped('books', books, { to: 'name' })(query(Author)),
      untyped('books', books, { to: 'profile' })(query(Author)),
      untyped('books', books, { to: 'favouriteId' })(query(Author)),
      untyped('books', books, { to: 'n' })(pipe(query(Author), annotate({ n: Count('books') }))),
      untyped('books', books, { to: 'books' })(query(Author)),
      untyped('books', books, { to: 'x' })(untyped('books', books, { to: 'x' })(query(Author))),
      untyped('author', query(Author), { to: 'author' })(pipe(query(Book), selectRelated('author'))),
    ]
    t().clearLog()
    for (const p of plans) {
      const e = left(await run(t().db)(p)())
      expect(e._tag).toBe('ValidationError')
      expect(JSON.stringify(e)).toContain('prefetchWith cannot put the related rows under')
    }
    expect(t().log).toHaveLength(0)
  })
})
