/**
 * An unknown field name from untyped code (a parsed body, JavaScript) is a ValidationError that
 * names the model's nearest names, in every position a field name is taken: filters, orderings,
 * values, annotations, groupBy, prefetch, related managers, writes of every kind. Nothing is sent.
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import {
  Count,
  F,
  OuterRef,
  QueryEvent,
  Runnable,
  Subquery,
  annotate,
  bulkCreate,
  bulkUpdate,
  close,
  connect,
  create,
  exclude,
  exists,
  generateSchemas,
  getOrCreate,
  groupBy,
  orderBy,
  prefetch,
  q,
  query,
  related,
  run,
  save,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { nearest } from '../../src/model/suggest'
import { Rel } from './models'

const { Author, Book } = Rel
/** What untyped code passes: anything, past the compiler. */
const untyped = (x: unknown): never => x as never

const log: QueryEvent[] = []
const db = connect('sqlite://:memory:', { onQuery: (e) => log.push(e) })
beforeAll(async () => {
  const made = await generateSchemas(db, [Author, Book])()
  if (E.isLeft(made)) throw new Error(made.left.message)
})
afterAll(() => close(db))

const messageOf = async (plan: Runnable<unknown>): Promise<string> => {
  log.splice(0)
  const r = await run(db)(plan)()
  if (E.isRight(r)) throw new Error('expected a Left')
  expect(r.left._tag).toBe('ValidationError')
  expect(log).toEqual([])
  return r.left.message
}

const TITLE = "unknown field 'titel' on Book — did you mean 'title'?"

describe('an unknown field suggests the nearest names', () => {
  it.each<[string, Runnable<unknown>, string]>([
    ['where', pipe(query(Book), where(untyped({ titel: 'x' }))), TITLE],
    ['where with a lookup', pipe(query(Book), where(untyped({ titel__icontains: 'x' }))), TITLE],
    ['exclude', pipe(query(Book), exclude(untyped({ titel: 'x' }))), TITLE],
    ['q.or', pipe(query(Book), where(q.or({ id: 1 }, untyped({ titel: 'x' })))), TITLE],
    ['q.not', pipe(query(Book), where(q.not(untyped({ titel: 'x' })))), TITLE],
    [
      'a relation in a filter',
      pipe(query(Book), where(untyped({ autor__name: 'x' }))),
      "unknown field 'autor' on Book — did you mean 'author'?",
    ],
    [
      'a field across a relation',
      pipe(query(Book), where(untyped({ author__nmae: 'x' }))),
      "unknown field 'nmae' on Author — did you mean 'name'?",
    ],
    [
      'a reverse relation',
      pipe(query(Author), where(untyped({ book__title: 'x' }))),
      "unknown field 'book' on Author — did you mean 'books'?",
    ],
    ['orderBy', pipe(query(Book), orderBy(untyped('-titel'))), TITLE],
    [
      'orderBy across a relation',
      pipe(query(Book), orderBy(untyped('autor__name'))),
      "unknown relation 'autor' on Book — did you mean 'author'?",
    ],
    ['values', pipe(query(Book), values(untyped('titel'))), TITLE],
    ['valuesList', pipe(query(Book), valuesList(untyped('titel'))), TITLE],
    ['valuesFlat', pipe(query(Book), valuesFlat(untyped('titel'))), TITLE],
    [
      'an annotation reference',
      pipe(query(Book), annotate(untyped({ t: F('titel') }))),
      "unknown field or relation 'titel' on Book — did you mean 'title'?",
    ],
    [
      'an aggregate over a relation',
      pipe(query(Author), annotate(untyped({ n: Count('book') }))),
      "unknown field or relation 'book' on Author — did you mean 'books'?",
    ],
    ['groupBy', pipe(query(Book), groupBy(untyped('titel'))), TITLE],
    [
      'an OuterRef',
      pipe(query(Author), where(exists(pipe(query(Book), where(untyped({ authorId: OuterRef('idd') })))))),
      "unknown field 'idd' on Author — did you mean 'id'?",
    ],
    [
      'the values of a Subquery',
      pipe(
        query(Author),
        annotate(
          untyped({
            t: Subquery(pipe(query(Book), where(untyped({ authorId: OuterRef('id') })), valuesFlat(untyped('titel')))),
          }),
        ),
      ),
      TITLE,
    ],
    [
      'prefetch',
      pipe(query(Author), prefetch(untyped('book'))),
      "unknown relation 'book' on Author — did you mean 'books'?",
    ],
    ['related', related(Author, 1, untyped('book')).all, "unknown relation 'book' on Author — did you mean 'books'?"],
    ['update', pipe(query(Book), update(untyped({ titel: 'x' }))), TITLE],
    ['update to an expression', pipe(query(Book), update(untyped({ titel: F('title') }))), TITLE],
    ['an expression in update', pipe(query(Book), update(untyped({ title: F('titel') }))), TITLE],
    ['create', create(Book, untyped({ titel: 'x', authorId: 1 })), TITLE],
    ['bulkCreate', bulkCreate(Book, [untyped({ titel: 'x', authorId: 1 })]), TITLE],
    [
      'bulkCreate onConflict',
      bulkCreate(Book, [{ title: 'x', authorId: 1 }], untyped({ onConflict: { fields: ['titel'], update: [] } })),
      TITLE,
    ],
    ['bulkUpdate', bulkUpdate(Book, [untyped({ id: 1, titel: 'x' })], untyped(['titel'])), TITLE],
    ['save', save(Book, untyped({ titel: 'x', authorId: 1 })), TITLE],
    [
      'getOrCreate',
      getOrCreate(Author, untyped({ nmae: 'x' })),
      "unknown field 'nmae' on Author — did you mean 'name'?",
    ],
    [
      'updateOrCreate',
      updateOrCreate(Author, { name: 'x' }, untyped({ nmae: 'y' })),
      "unknown field 'nmae' on Author — did you mean 'name'?",
    ],
  ])('%s', async (_, plan, expected) => {
    expect(await messageOf(plan)).toContain(expected)
  })

  it('an unknown lookup suggests the nearest lookups', async () => {
    expect(await messageOf(pipe(query(Book), where(untyped({ title__containz: 'x' }))))).toContain(
      "unknown lookup 'containz' — did you mean 'contains' or 'icontains'?",
    )
  })

  it('a case slip suggests the field; a name near nothing suggests nothing', async () => {
    expect(await messageOf(pipe(query(Book), where(untyped({ Title: 'x' }))))).toContain(
      "unknown field 'Title' on Book — did you mean 'title'?",
    )
    const far = await messageOf(pipe(query(Book), where(untyped({ publisher: 'x' }))))
    expect(far).toContain("unknown field 'publisher' on Book")
    expect(far).not.toContain('did you mean')
  })

  it('the foreign key by its row key and by its relation name are both candidates', async () => {
    expect(await messageOf(pipe(query(Book), values(untyped('authorID'))))).toContain(
      "unknown field 'authorID' on Book — did you mean 'authorId' or 'author'?",
    )
  })
})

describe('nearest', () => {
  it('takes names within a third of the length in edits (one at least), a swap as one edit, the closest first', () => {
    expect(nearest('titel', ['title', 'id', 'author', 'authorId'])).toEqual(['title'])
    expect(nearest('nmae', ['name', 'names', 'id'])).toEqual(['name'])
    expect(nearest('x', ['y', 'id', 'xs'])).toEqual(['xs', 'y'])
    expect(nearest('rating', ['ratings', 'rating2', 'rate', 'title'])).toEqual(['rating2', 'ratings'])
    expect(nearest('zzzz', ['title', 'name'])).toEqual([])
    expect(nearest('title', ['title'])).toEqual([])
  })

  it('keeps at most three', () => {
    expect(nearest('ab', ['aa', 'ac', 'ad', 'ae', 'bb'])).toHaveLength(3)
  })
})
