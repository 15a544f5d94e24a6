/**
 * `only(...)` on every dialect: rows with the named fields and the primary key alone (the SQL
 * selects no other column), annotations and prefetches kept, and its typed errors.
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  Plan,
  annotate,
  compile,
  get,
  inBulk,
  selectRelated,
  only,
  orderBy,
  prefetch,
  query,
  run,
  update,
  values,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book } from './models'

forEachDialect('relations: only', ALL, (t) => {
  beforeAll(async () => {
    await t().reset()
    await seed(t().db)
  })
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('rows hold the named fields and the key, and the SQL selects nothing else', async () => {
    const rows = await go(pipe(query(Book), orderBy('title'), only('title')))
    expect(rows.map((r) => Object.keys(r).sort())).toEqual([
      ['id', 'title'],
      ['id', 'title'],
      ['id', 'title'],
    ])
    expect(rows.map((r) => r.title)).toEqual(['Alpha', 'Beta', 'Gamma'])
    const sql = compile(pipe(query(Book), only('title')), t().dialect).sql
    expect(sql).not.toMatch(/rating|author_id/)
    const one = await go(pipe(query(Book), where({ title: 'Beta' }), only('rating'), get))
    expect(Object.keys(one).sort()).toEqual(['id', 'rating'])
    expect(one.rating).toBe(3)
  })

  it('the kept key finds the row again; annotations and prefetches are kept', async () => {
    const [alpha] = await go(pipe(query(Book), where({ title: 'Alpha' }), only('title')))
    expect(await go(pipe(query(Book), where({ id: alpha.id }), update({ rating: 4 })))).toBe(1)
    expect((await go(pipe(query(Book), where({ id: alpha.id }), get))).rating).toBe(4)
    const authors = await go(
      pipe(query(Author), orderBy('name'), annotate({ n: Count('books') }), prefetch('books'), only('name')),
    )
    expect(authors.map((a) => [Object.keys(a).sort(), a.n, a.books.length])).toEqual([
      [['books', 'id', 'n', 'name'], 2, 2],
      [['books', 'id', 'n', 'name'], 1, 1],
      [['books', 'id', 'n', 'name'], 0, 0],
    ])
    const withKey = await go(pipe(query(Book), orderBy('title'), prefetch('author'), only('title', 'authorId')))
    expect(withKey.map((b) => b.author.name)).toEqual(['Ann', 'Ann', 'Bob'])
    const joined = await go(pipe(query(Book), orderBy('title'), selectRelated('author'), only('title')))
    expect(joined.map((b) => [Object.keys(b).sort(), b.author.name])).toEqual([
      [['author', 'id', 'title'], 'Ann'],
      [['author', 'id', 'title'], 'Ann'],
      [['author', 'id', 'title'], 'Bob'],
    ])
    const bulk = await go(pipe(query(Book), only('title'), inBulk([alpha.id])))
    expect(bulk[String(alpha.id)]).toEqual({ id: alpha.id, title: 'Alpha' })
  })

  it('a relation path, an unknown field, no field or a values() plan is a ValidationError, sending nothing', async () => {
    const untyped = only as unknown as (...k: string[]) => (p: unknown) => Plan<unknown>
    t().clearLog()
    const path = left(await run(t().db)(untyped('title', 'author__name')(query(Book)))())
    expect(path._tag).toBe('ValidationError')
    expect(JSON.stringify(path)).toContain('not a relation path')
    expect(left(await run(t().db)(untyped('titel')(query(Book)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped()(query(Book)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped('title')(pipe(query(Book), values('title'))))())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
