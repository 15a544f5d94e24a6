/**
 * The expression combinators keep plans immutable values: each returns a new deep-frozen plan,
 * leaves its input deep-equal to what it was, and copies the dates the caller passed in.
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  F,
  Lower,
  Max,
  OuterRef,
  Subquery,
  annotate,
  bulkUpdate,
  exists,
  groupBy,
  limit,
  orderBy,
  query,
  selectForUpdate,
  sql,
  update,
  valuesFlat,
  where,
  Coalesce,
} from 'terrapin'
import { Author, Book } from './models'
import { deepFrozen, snapshot } from '../support/plans'

const base = pipe(query(Author), where({ name__startswith: 'a' }), orderBy('id'))
const books = pipe(query(Book), where({ pages__gte: 1 }))

const CASES: ReadonlyArray<readonly [string, () => object, object]> = [
  ['annotate', () => pipe(base, annotate({ n: Count('books'), low: Lower(F('name')) })), base],
  [
    'an aggregate with a filter option',
    () => pipe(base, annotate({ n: Count('books', { filter: { title__in: ['x', 'y'], pages__gte: 2 } }) })),
    base,
  ],
  ['annotate on annotate', () => pipe(base, annotate({ n: Count('books') }), annotate({ m: F('n').add(1) })), base],
  ['where on an annotation', () => pipe(base, annotate({ n: Count('books') }), where({ n__gte: 2 })), base],
  ['groupBy', () => pipe(books, groupBy('authorId'), annotate({ top: Max('rating') })), books],
  ['selectForUpdate', () => pipe(base, selectForUpdate({ skipLocked: true })), base],
  ['update with F', () => pipe(books, update({ pages: F('pages').mul(2) })), books],
  ['in a subquery', () => pipe(books, where({ authorId__in: pipe(base, valuesFlat('id')) })), books],
  ['exists', () => pipe(base, where(exists(pipe(books, where({ authorId: OuterRef('id') }))))), base],
  [
    'scalar subquery',
    () =>
      pipe(
        base,
        annotate({ t: Subquery(pipe(books, where({ authorId: OuterRef('id') }), limit(1), valuesFlat('title'))) }),
      ),
    base,
  ],
]

describe('expression plans are immutable', () => {
  it.each(CASES)('%s returns a new deep-frozen plan and leaves its input as it was', (_n, make, input) => {
    const before = snapshot(input)
    const plan = make()
    expect(plan).not.toBe(input)
    expect(deepFrozen(plan)).toEqual([])
    expect(deepFrozen(input)).toEqual([])
    expect(snapshot(input)).toEqual(before)
  })

  it('copies dates given as values, in expressions and raw sql', () => {
    const d = new Date(Date.UTC(2020, 0, 1))
    const e = Coalesce(F('nick'), 'x', d as unknown as string)
    const raw = sql`SELECT ${d}`
    const before = [snapshot(e), snapshot(raw)]
    d.setUTCFullYear(1999)
    expect([snapshot(e), snapshot(raw)]).toEqual(before)
    expect(deepFrozen(e)).toEqual([])
    expect(deepFrozen(bulkUpdate(Book, [{ id: 1, pages: 2 }], ['pages']))).toEqual([])
    const titles = ['x']
    const counted = Count('books', { filter: { title__in: titles } })
    titles.push('y')
    expect(snapshot(counted)).toEqual(snapshot(Count('books', { filter: { title__in: ['x'] } })))
  })
})
