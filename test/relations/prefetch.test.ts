/**
 * Prefetch on every dialect: each relation kind, nested paths, sub-plans, and one statement per
 * relation level whatever the number of rows (counted through the onQuery log).
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  annotate,
  bulkCreate,
  count,
  create,
  first,
  get,
  limit,
  orderBy,
  valuesFlat,
  prefetch,
  prefetchWith,
  query,
  run,
  runPromise,
  values,
  where,
  related,
} from 'terrapin'
import { PREFETCH_CHUNK } from '../../src/run/prefetch'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, City, Country, Employee, Person, Profile, Tag } from './models'

forEachDialect('relations: prefetch', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeAll(async () => {
    await t().reset()
    s = await seed(t().db)
  })

  it('attaches a reverse relation as a list, including empty lists (tortoise one-to-many)', async () => {
    const authors = right(await pipe(query(Author), orderBy('id'), prefetch('books'), run(t().db))())
    expect(authors.map((a) => [a.name, a.books.map((b) => b.title)])).toEqual([
      ['Ann', ['Alpha', 'Beta']],
      ['Bob', ['Gamma']],
      ['Cy', []],
    ])
  })

  it('attaches a forward key as a row, and null for a null key', async () => {
    const books = right(await pipe(query(Book), orderBy('id'), prefetch('author'), run(t().db))())
    expect(books.map((b) => b.author.name)).toEqual(['Ann', 'Ann', 'Bob'])
    const authors = right(await pipe(query(Author), orderBy('id'), prefetch('favourite'), run(t().db))())
    expect(authors.map((a) => a.favourite)).toEqual([null, null, null])
  })

  it('attaches many-to-many rows in both directions, ordered by key', async () => {
    const books = right(await pipe(query(Book), orderBy('id'), prefetch('tags'), run(t().db))())
    expect(books.map((b) => b.tags.map((x) => x.name))).toEqual([['python', 'sql'], ['sql'], ['python']])
    const tags = right(await pipe(query(Tag), orderBy('id'), prefetch('books'), run(t().db))())
    expect(tags.map((x) => x.books.map((b) => b.title))).toEqual([['Alpha', 'Gamma'], ['Alpha', 'Beta'], []])
  })

  it('attaches one-to-one rows in both directions', async () => {
    const authors = right(await pipe(query(Author), orderBy('id'), prefetch('profile'), run(t().db))())
    expect(authors.map((a) => a.profile?.bio ?? null)).toEqual(['writes', null, null])
    const profiles = right(await pipe(query(Profile), prefetch('author'), run(t().db))())
    expect(profiles.map((p) => p.author.name)).toEqual(['Ann'])
  })

  it('follows a self reference both ways', async () => {
    const staff = right(
      await pipe(query(Employee), orderBy('id'), prefetch('manager', 'reports', 'reports__reports'), run(t().db))(),
    )
    expect(
      staff.map((e) => [
        e.name,
        e.manager?.name ?? null,
        e.reports.map((r) => r.name),
        e.reports.flatMap((r) => r.reports.map((x) => x.name)),
      ]),
    ).toEqual([
      ['Boss', null, ['Mid'], ['Low']],
      ['Mid', 'Boss', ['Low'], []],
      ['Low', 'Mid', [], []],
    ])
  })

  it('follows a self-referencing many-to-many relation both ways', async () => {
    const go = runPromise(t().db)
    const [ana, ben, col] = await go(bulkCreate(Person, [{ name: 'ana' }, { name: 'ben' }, { name: 'col' }]))
    await go(related(Person, ana, 'follows').add(ben, col))
    await go(related(Person, ben, 'follows').add(col))
    const people = await go(pipe(query(Person), orderBy('id'), prefetch('follows', 'followers')))
    expect(people.map((p) => [p.name, p.follows.map((f) => f.name), p.followers.map((f) => f.name)])).toEqual([
      ['ana', ['ben', 'col'], []],
      ['ben', ['col'], ['ana']],
      ['col', [], ['ana', 'ben']],
    ])
    expect(await go(pipe(related(Person, col, 'followers').all, orderBy('name'), valuesFlat('name')))).toEqual([
      'ana',
      'ben',
    ])
  })

  it('follows a key to a unique field other than the primary key (toField)', async () => {
    const go = runPromise(t().db)
    const fr = await go(create(Country, { code: 'FR', name: 'France' }))
    await go(create(Country, { code: 'DE', name: 'Germany' }))
    await go(create(City, { name: 'Lyon', country: fr }))
    await go(create(City, { name: 'Nice', countryId: 'FR' }))
    const cities = await go(pipe(query(City), where({ country__name: 'France' }), orderBy('name'), prefetch('country')))
    expect(cities.map((c) => [c.name, c.countryId, c.country.name])).toEqual([
      ['Lyon', 'FR', 'France'],
      ['Nice', 'FR', 'France'],
    ])
    const countries = await go(pipe(query(Country), orderBy('code'), prefetch('cities')))
    expect(countries.map((c) => [c.code, c.cities.map((x) => x.name)])).toEqual([
      ['DE', []],
      ['FR', ['Lyon', 'Nice']],
    ])
    expect(await go(pipe(query(City), where({ country: fr }), count))).toBe(2)
    expect(await go(pipe(related(Country, fr, 'cities').all, orderBy('name'), valuesFlat('name')))).toEqual([
      'Lyon',
      'Nice',
    ])
    expect(await go(pipe(related(Country, fr.id, 'cities').all, count))).toBe(2)
  })

  it('prefetches for annotated rows', async () => {
    const authors = right(
      await pipe(
        query(Author),
        where({ name__in: ['Ann', 'Bob', 'Cy'] }),
        annotate({ n: Count('books') }),
        orderBy('id'),
        prefetch('books'),
        run(t().db),
      )(),
    )
    expect(authors.map((a) => [a.n, a.books.length])).toEqual([
      [2, 2],
      [1, 1],
      [0, 0],
    ])
  })

  it('prefetches for get and first too', async () => {
    const go = runPromise(t().db)
    const ann = await go(pipe(query(Author), where({ name: 'Ann' }), prefetch('books__tags'), get))
    expect(ann.books.map((b) => b.tags.length)).toEqual([2, 1])
    const first_ = await go(pipe(query(Book), orderBy('-id'), prefetch('author'), first))
    expect(first_?.author.name).toBe('Bob')
  })

  it('loads nested paths, with one statement per level', async () => {
    t().clearLog()
    const authors = right(
      await pipe(query(Author), orderBy('id'), prefetch('books', 'books__tags', 'books__tags__books'), run(t().db))(),
    )
    expect(t().log.length).toBe(4)
    expect(authors[0].books.map((b) => [b.title, b.tags.map((x) => [x.name, x.books.length])])).toEqual([
      [
        'Alpha',
        [
          ['python', 2],
          ['sql', 2],
        ],
      ],
      ['Beta', [['sql', 2]]],
    ])
    expect(authors[1].books[0].tags[0].books.map((b) => b.title)).toEqual(['Alpha', 'Gamma'])
  })

  it('filters and orders the related rows with a sub-plan that may prefetch further', async () => {
    const authors = right(
      await pipe(
        query(Author),
        orderBy('id'),
        prefetchWith('books', pipe(query(Book), where({ rating__gte: 3 }), orderBy('-rating'), prefetch('tags'))),
        run(t().db),
      )(),
    )
    expect(authors.map((a) => a.books.map((b) => [b.title, b.tags.length]))).toEqual([
      [
        ['Alpha', 2],
        ['Beta', 1],
      ],
      [],
      [],
    ])
    const books = right(
      await pipe(
        query(Book),
        orderBy('id'),
        prefetchWith('tags', pipe(query(Tag), where({ name: 'sql' }))),
        run(t().db),
      )(),
    )
    expect(books.map((b) => b.tags.map((x) => x.name))).toEqual([['sql'], ['sql'], []])
    const named = right(
      await pipe(
        query(Book),
        orderBy('id'),
        prefetchWith('author', pipe(query(Author), where({ name: 'Bob' }))),
        run(t().db),
      )(),
    )
    expect(named.map((b) => b.author?.name ?? null)).toEqual([null, null, 'Bob'])
  })

  it('rejects a limited sub-plan, a values() parent, and a plan over the wrong model', async () => {
    expect(
      left(await pipe(query(Author), prefetchWith('books', pipe(query(Book), limit(1))), run(t().db))())._tag,
    ).toBe('ValidationError')
    const wrong = query(Tag) as unknown as ReturnType<typeof query<typeof Book>>
    expect(left(await pipe(query(Author), prefetchWith('books', wrong), run(t().db))())._tag).toBe('ValidationError')
    const untyped = prefetch as unknown as (p: string) => (q: unknown) => never
    expect(left(await run(t().db)(untyped('nope')(query(Author)))())._tag).toBe('ValidationError')
    expect(left(await run(t().db)(untyped('books')(pipe(query(Author), values('name'))))())._tag).toBe(
      'ValidationError',
    )
  })

  it('runs one statement per level for many rows', async () => {
    const go = runPromise(t().db)
    const authors = await go(
      bulkCreate(
        Author,
        Array.from({ length: 60 }, (_, i) => ({ name: `bulk${i}` })),
      ),
    )
    await go(
      bulkCreate(
        Book,
        authors.flatMap((a, i) => Array.from({ length: 3 }, (_, j) => ({ title: `b${i}-${j}`, authorId: a.id }))),
      ),
    )
    for (const b of await go(pipe(query(Book), where({ title__startswith: 'b' }))))
      await go(related(Book, b, 'tags').add(s.py, s.un))
    t().clearLog()
    const rows = await go(
      pipe(query(Author), where({ name__startswith: 'bulk' }), prefetch('books__tags', 'books__author', 'profile')),
    )
    expect(t().log.length).toBe(5)
    expect(rows).toHaveLength(60)
    expect(
      rows.every(
        (a) =>
          a.books.length === 3 &&
          a.books.every((b) => b.tags.map((x) => x.name).join() === 'python,unused' && b.author.id === a.id),
      ),
    ).toBe(true)
    expect(rows.every((a) => a.profile === null)).toBe(true)
  })

  it('rebuilt for more or fewer parents and other paths, an ad hoc prefetch reads what its plan says (its levels compile through shape hints)', async () => {
    const go = runPromise(t().db)
    // 120 parents: past LONG_LIST, a level's keys are one parameter; author i has i % 3 books
    const authors = await go(
      bulkCreate(
        Author,
        Array.from({ length: 120 }, (_, i) => ({ name: `shape${String(i).padStart(3, '0')}` })),
      ),
    )
    await go(
      bulkCreate(
        Book,
        authors.flatMap((a, i) => Array.from({ length: i % 3 }, (_, j) => ({ title: `s${i}-${j}`, authorId: a.id }))),
      ),
    )
    const titles = (n: number, reversed: boolean): string[][] =>
      authors.slice(0, n).map((_, i) => {
        const own = Array.from({ length: i % 3 }, (_, j) => `s${i}-${j}`)
        return reversed ? own.reverse() : own
      })
    const parents = (n: number) => pipe(query(Author), where({ name__startswith: 'shape' }), orderBy('id'), limit(n))
    for (const n of [1, 2, 120, 3, 120, 1]) {
      const plain = await go(pipe(parents(n), prefetch('books')))
      expect(plain.map((a) => a.books.map((b) => b.title))).toEqual(titles(n, false))
      const nested = await go(pipe(parents(n), prefetch('books__author')))
      expect(nested.map((a) => a.books.map((b) => `${b.title}@${b.author.name}`))).toEqual(
        titles(n, false).map((ts, i) => ts.map((x) => `${x}@${authors[i].name}`)),
      )
      const sub = await go(pipe(parents(n), prefetchWith('books', pipe(query(Book), orderBy('-id')))))
      expect(sub.map((a) => a.books.map((b) => b.title))).toEqual(titles(n, true))
    }
  })

  it('splits a level into chunks of keys past the parameter limits of the databases', async () => {
    const go = runPromise(t().db)
    const many = await go(
      bulkCreate(
        Author,
        Array.from({ length: PREFETCH_CHUNK + 1 }, (_, i) => ({ name: `chunk${i}` })),
      ),
    )
    const ends = [many[0], many[many.length - 1]]
    await go(
      bulkCreate(
        Book,
        ends.map((a) => ({ title: `end-${a.name}`, authorId: a.id })),
      ),
    )
    t().clearLog()
    const rows = await go(pipe(query(Author), where({ name__startswith: 'chunk' }), orderBy('id'), prefetch('books')))
    expect(t().log.length).toBe(3)
    expect(rows.filter((a) => a.books.length > 0).map((a) => a.books[0].title)).toEqual([
      'end-chunk0',
      `end-chunk${PREFETCH_CHUNK}`,
    ])
  })

  it('sends no prefetch query when there are no rows', async () => {
    t().clearLog()
    expect(right(await pipe(query(Author), where({ name: 'nobody' }), prefetch('books__tags'), run(t().db))())).toEqual(
      [],
    )
    expect(t().log.length).toBe(1)
  })
})
