/**
 * A model's `meta.ordering` orders the reads that give no `orderBy`, as tortoise's Meta.ordering:
 * rows, values, tuples, streams, `first`, the slice a limit keeps, and prefetch levels (by the
 * target's ordering); across a relation too. Plans whose answer the order cannot change (count,
 * exists, update and remove of a whole filter, `get`) and grouped plans send no ORDER BY. A bad
 * name in it is a ValidationError of every plan on the model, before any SQL.
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  annotate,
  bulkCreate,
  count,
  exists,
  fields,
  first,
  get,
  groupBy,
  limit,
  model,
  offset,
  orderBy,
  prefetch,
  query,
  remove,
  run,
  schema,
  stream,
  update,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'

const { Writer, Novel, Chapter } = schema({
  Writer: model('Writer', {
    table: 'mo_writer',
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) },
    meta: { ordering: ['name'] },
  }),
  Novel: model('Novel', {
    table: 'mo_novel',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 50 }),
      rating: fields.int({ null: true }),
      writer: fields.foreignKey('Writer', { relatedName: 'novels' }),
    },
    meta: { ordering: ['-rating', 'title'] },
  }),
  Chapter: model('Chapter', {
    table: 'mo_chapter',
    fields: {
      id: fields.int({ pk: true }),
      n: fields.int(),
      novel: fields.foreignKey('Novel', { relatedName: 'chapters' }),
    },
    meta: { ordering: ['novel__title', '-n'] },
  }),
})

const { Broken } = schema({
  Broken: model('Broken', {
    table: 'mo_broken',
    fields: { id: fields.int({ pk: true }) },
    meta: { ordering: ['-nope'] },
  }),
})

const WRITERS = [
  { id: 1, name: 'Zola' },
  { id: 2, name: 'Austen' },
  { id: 3, name: 'Mann' },
]
const NOVELS = [
  { id: 1, title: 'Nana', rating: 3, writerId: 1 },
  { id: 2, title: 'Emma', rating: 5, writerId: 2 },
  { id: 3, title: 'Persuasion', rating: null, writerId: 2 },
  { id: 4, title: 'Buddenbrooks', rating: 5, writerId: 3 },
  { id: 5, title: 'Germinal', rating: 4, writerId: 1 },
  { id: 6, title: 'Lotte', rating: null, writerId: 3 },
]
const CHAPTERS = [1, 2, 3, 4, 5, 6].flatMap((novelId) => [1, 2, 3].map((n) => ({ id: novelId * 10 + n, n, novelId })))

/** The novels in their meta ordering: rating descending with NULLs last, then title. */
const byMeta = [...NOVELS].sort((a, b) =>
  a.rating === b.rating
    ? a.title < b.title
      ? -1
      : 1
    : a.rating === null
      ? 1
      : b.rating === null
        ? -1
        : b.rating - a.rating,
)
const titleOf = (id: number): string => NOVELS.find((x) => x.id === id)!.title
const chaptersByMeta = [...CHAPTERS].sort((a, b) =>
  a.novelId === b.novelId ? b.n - a.n : titleOf(a.novelId) < titleOf(b.novelId) ? -1 : 1,
)

forEachDialect('meta-ordering', [Writer, Novel, Chapter], (t) => {
  beforeEach(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Writer, WRITERS), run(t().db))())
    right(await pipe(bulkCreate(Novel, NOVELS), run(t().db))())
    right(await pipe(bulkCreate(Chapter, CHAPTERS), run(t().db))())
    t().clearLog()
  })

  const ordered = (): boolean => t().log.some((e) => / ORDER BY /.test(e.sql))

  it('orders rows, values, tuples, flat values and streams without orderBy', async () => {
    const want = byMeta.map((n) => n.id)
    expect(right(await pipe(query(Novel), run(t().db))()).map((n) => n.id)).toEqual(want)
    expect(right(await pipe(query(Novel), values('id'), run(t().db))()).map((n) => n.id)).toEqual(want)
    expect(right(await pipe(query(Novel), valuesList('id'), run(t().db))()).map((n) => n[0])).toEqual(want)
    expect(right(await pipe(query(Novel), valuesFlat('id'), run(t().db))())).toEqual(want)
    const streamed: number[] = []
    for await (const n of pipe(query(Novel), stream(t().db))) streamed.push(n.id)
    expect(streamed).toEqual(want)
  })

  it('orders across a relation (meta ordering `novel__title`)', async () => {
    expect(right(await pipe(query(Chapter), valuesFlat('id'), run(t().db))())).toEqual(chaptersByMeta.map((c) => c.id))
  })

  it('first takes the first row of the ordering, not the lowest key', async () => {
    expect(right(await pipe(query(Novel), first, run(t().db))())?.id).toBe(byMeta[0].id)
    expect(right(await pipe(query(Writer), first, run(t().db))())?.name).toBe('Austen')
    expect(right(await pipe(query(Novel), where({ writerId: 2 }), first, run(t().db))())?.title).toBe('Emma')
  })

  it('a limit and an offset keep the slice of the ordering, in get, update and remove too', async () => {
    expect(right(await pipe(query(Novel), offset(1), limit(2), valuesFlat('id'), run(t().db))())).toEqual(
      byMeta.slice(1, 3).map((n) => n.id),
    )
    expect(right(await pipe(query(Novel), offset(2), limit(1), get, run(t().db))()).id).toBe(byMeta[2].id)
    expect(right(await pipe(query(Chapter), limit(3), remove, run(t().db))())).toBe(3)
    const rest = right(await pipe(query(Chapter), valuesFlat('id'), run(t().db))())
    expect(rest).toEqual(chaptersByMeta.slice(3).map((c) => c.id))
    expect(right(await pipe(query(Novel), limit(2), update({ title: 'top' }), run(t().db))())).toBe(2)
    const top = right(await pipe(query(Novel), where({ title: 'top' }), valuesFlat('id'), run(t().db))())
    expect([...top].sort()).toEqual(
      byMeta
        .slice(0, 2)
        .map((n) => n.id)
        .sort(),
    )
  })

  it('an explicit orderBy replaces the ordering', async () => {
    expect(right(await pipe(query(Novel), orderBy('id'), valuesFlat('id'), run(t().db))())).toEqual([1, 2, 3, 4, 5, 6])
    expect(right(await pipe(query(Novel), orderBy('id'), first, run(t().db))())?.id).toBe(1)
  })

  it('prefetch levels take the target model ordering', async () => {
    const writers = right(await pipe(query(Writer), prefetch('novels'), run(t().db))())
    expect(writers.map((w) => w.name)).toEqual(['Austen', 'Mann', 'Zola'])
    for (const w of writers)
      expect(w.novels.map((n) => n.id)).toEqual(byMeta.filter((n) => n.writerId === w.id).map((n) => n.id))
  })

  it('count, exists, update and remove of a whole filter and get send no ORDER BY', async () => {
    expect(right(await pipe(query(Novel), count, run(t().db))())).toBe(6)
    expect(right(await pipe(query(Novel), where({ rating: 5 }), exists, run(t().db))())).toBe(true)
    expect(right(await pipe(query(Novel), where({ id: 2 }), get, run(t().db))()).title).toBe('Emma')
    expect(right(await pipe(query(Novel), where({ rating: 3 }), update({ rating: 2 }), run(t().db))())).toBe(1)
    expect(right(await pipe(query(Chapter), where({ n: 3 }), remove, run(t().db))())).toBe(6)
    expect(ordered()).toBe(false)
  })

  it('a grouped plan drops the ordering (as Django since 3.1)', async () => {
    const rows = right(
      await pipe(query(Novel), groupBy('writerId'), annotate({ k: Count() }), values('writerId', 'k'), run(t().db))(),
    )
    expect([...rows].sort((a, b) => a.writerId - b.writerId)).toEqual([
      { writerId: 1, k: 2 },
      { writerId: 2, k: 2 },
      { writerId: 3, k: 2 },
    ])
    expect(ordered()).toBe(false)
  })

  it('a bad name in meta.ordering is a ValidationError of every plan on the model, before any SQL', async () => {
    for (const plan of [
      query(Broken),
      pipe(query(Broken), count),
      pipe(query(Broken), first),
      pipe(query(Broken), remove),
    ]) {
      const e = left(await pipe(plan as never, run(t().db))()) as { _tag: string; message: string }
      expect(e._tag).toBe('ValidationError')
      expect(e.message).toMatch(/meta\.ordering/)
      expect(e.message).toMatch(/nope/)
    }
    expect(t().log).toEqual([])
  })
})
