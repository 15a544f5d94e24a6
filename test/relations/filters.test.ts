/**
 * Filters, orderings and projections across relations on every dialect. A condition through a
 * to-many relation is an EXISTS: a parent matching through several related rows appears once.
 */
import { pipe } from 'fp-ts/function'
import { Plan, count, exclude, orderBy, q, query, run, values, valuesFlat, valuesList, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Employee, Tag } from './models'

forEachDialect('relations: filters', ALL, (t) => {
  beforeAll(async () => {
    await t().reset()
    await seed(t().db)
  })
  const names = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())

  it('filters through a forward key', async () => {
    expect(await names(pipe(query(Book), where({ author__name: 'Ann' }), orderBy('id'), valuesFlat('title')))).toEqual([
      'Alpha',
      'Beta',
    ])
    expect(await names(pipe(query(Book), where({ author__name__icontains: 'O' }), valuesFlat('title')))).toEqual([
      'Gamma',
    ])
  })

  it('filters through a reverse relation without duplicating parents', async () => {
    // Ann has two books rated ≥ 3: she appears once.
    expect(await names(pipe(query(Author), where({ books__rating__gte: 3 }), valuesFlat('name')))).toEqual(['Ann'])
    expect(
      await names(pipe(query(Author), where({ books__title__contains: 'a' }), orderBy('id'), valuesFlat('name'))),
    ).toEqual(['Ann', 'Bob'])
    expect(await names(pipe(query(Author), where({ books__title__contains: 'a' }), count))).toBe(2)
    // relatedQueryName is another name of the same reverse relation.
    expect(await names(pipe(query(Author), where({ book__title: 'Gamma' }), valuesFlat('name')))).toEqual(['Bob'])
  })

  it('filters through many-to-many in both directions and through two hops', async () => {
    expect(await names(pipe(query(Book), where({ tags__name: 'python' }), orderBy('id'), valuesFlat('title')))).toEqual(
      ['Alpha', 'Gamma'],
    )
    expect(
      await names(pipe(query(Tag), where({ books__author__name: 'Ann' }), orderBy('id'), valuesFlat('name'))),
    ).toEqual(['python', 'sql'])
    expect(
      await names(
        pipe(query(Author), where({ books__tags__name__in: ['python', 'sql'] }), orderBy('id'), valuesFlat('name')),
      ),
    ).toEqual(['Ann', 'Bob'])
  })

  it('excludes through relations as the exact complement', async () => {
    const all = await names(pipe(query(Author), orderBy('id'), valuesFlat('name')))
    const inside = await names(
      pipe(query(Author), where({ books__tags__name: 'sql' }), orderBy('id'), valuesFlat('name')),
    )
    const outside = await names(
      pipe(query(Author), exclude({ books__tags__name: 'sql' }), orderBy('id'), valuesFlat('name')),
    )
    expect(inside).toEqual(['Ann'])
    expect([...inside, ...outside].sort()).toEqual([...all].sort())
    expect(
      await names(
        pipe(
          query(Author),
          where(q.or({ books__title: 'Gamma' }, { profile__bio: 'writes' })),
          orderBy('id'),
          valuesFlat('name'),
        ),
      ),
    ).toEqual(['Ann', 'Bob'])
  })

  it('filters through a self reference and by a related row', async () => {
    expect(await names(pipe(query(Employee), where({ manager__manager__name: 'Boss' }), valuesFlat('name')))).toEqual([
      'Low',
    ])
    expect(await names(pipe(query(Employee), where({ manager__isnull: true }), valuesFlat('name')))).toEqual(['Boss'])
    const ann = right(await pipe(query(Author), where({ name: 'Ann' }), run(t().db))())[0]
    expect(await names(pipe(query(Book), where({ author: ann }), orderBy('id'), valuesFlat('title')))).toEqual([
      'Alpha',
      'Beta',
    ])
  })

  it('orders and projects through to-one relations', async () => {
    expect(
      await names(pipe(query(Book), orderBy('-author__name', 'title'), valuesList('title', 'author__name'))),
    ).toEqual([
      ['Gamma', 'Bob'],
      ['Alpha', 'Ann'],
      ['Beta', 'Ann'],
    ])
    expect(await names(pipe(query(Employee), orderBy('manager__name', 'id'), values('name', 'manager__name')))).toEqual(
      [
        { name: 'Boss', manager__name: null },
        { name: 'Mid', manager__name: 'Boss' },
        { name: 'Low', manager__name: 'Mid' },
      ],
    )
  })

  it('projects and orders through a reverse one-to-one relation', async () => {
    const rows = await names(
      pipe(
        query(Author),
        where({ name__in: ['Ann', 'Bob'] }),
        orderBy('-profile__bio', 'name'),
        values('name', 'profile__bio'),
      ),
    )
    expect(rows).toEqual([
      { name: 'Ann', profile__bio: 'writes' },
      { name: 'Bob', profile__bio: null },
    ])
  })

  it('reports a wrong path as a ValidationError, sending nothing', async () => {
    const untyped = where as unknown as (f: object) => (p: unknown) => never
    t().clearLog()
    expect(left(await run(t().db)(untyped({ books__nope: 1 })(query(Author)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped({ writer__name: 'x' })(query(Book)))())._tag).toBe('ValidationError')
    const order = orderBy as unknown as (k: string) => (p: unknown) => never
    expect(left(await run(t().db)(order('books__title')(query(Author)))())._tag).toBe('ValidationError')
    expect(t().log).toHaveLength(0)
  })
})
