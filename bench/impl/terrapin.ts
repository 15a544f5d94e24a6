/**
 * terrapin, both ways: ad hoc (the plan is built with `pipe` on every call, as in the headline
 * example) and prepared (a plan with named placeholders, built once, bound on every call). On
 * SQLite the reads and the writes of one statement run through `runSync`; a third column,
 * `task`, runs the same ad hoc plans through `run` for comparison.
 */
import { Either, isLeft } from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { Db, DialectName, Param, Runnable } from '../../src'
import { terrapin as T } from '../lib'
import { input, newBook, newBooks } from '../data'
import { Author, Book, Item, Owner } from '../models'
import { tenTimes } from './common'
import { Impl } from './types'

const {
  Avg,
  Count,
  F,
  annotate,
  bind,
  bindEach,
  bulkCreate,
  compile,
  connect,
  create,
  get,
  groupBy,
  limit,
  orderBy,
  param,
  prefetch,
  prepare,
  query,
  run,
  runSync,
  update,
  where,
} = T

// Named imports: tsx wraps a namespace import (`import * as E`) in getters, a cost of the
// harness's module loader that an application compiled by tsc does not pay.
const unwrap = <A>(e: Either<unknown, A>): A => {
  if (isLeft(e)) throw new Error(`terrapin: ${JSON.stringify(e.left)}`)
  return e.right
}

const filteredPlan = (term: string, minRating: number) =>
  pipe(query(Book), where({ title__contains: term, rating__gte: minRating }), orderBy('-rating', 'id'), limit(20))

export const terrapin = (url: string, dialect: DialectName = 'sqlite'): Impl => {
  const db: Db = connect(url)
  const task = run(db)
  const now = runSync(db)
  // A read (prefetch levels included) or a write of one statement runs at once on SQLite's
  // synchronous driver (`runSync`, an IOEither), as Drizzle's SQLite queries and the raw driver
  // do; the bulk inserts, and every plan on a server, through `run` (a TaskEither).
  const go = <A>(r: Runnable<A>): Promise<A> | A => (dialect === 'sqlite' ? unwrap(now(r)()) : task(r)().then(unwrap))
  const byId = prepare(pipe(query(Book), where({ id: param('id') }), get))
  const filtered = prepare(
    pipe(
      query(Book),
      where({ title__contains: param('term'), rating__gte: param('minRating') }),
      orderBy('-rating', 'id'),
      limit(20),
    ),
  )
  const relation = prepare(
    pipe(query(Author), where({ id__gt: param('after') }), orderBy('id'), limit(20), prefetch('books')),
  )
  const grouped = (lo: number | Param, hi: number | Param) =>
    pipe(
      query(Book),
      where({ authorId__range: [lo, hi] }),
      groupBy('authorId'),
      annotate({ books: Count(), avgRating: Avg('rating') }),
      orderBy('authorId'),
    )
  const groupedPrepared = prepare(grouped(param('lo'), param('hi')))
  const top = (term: string | Param) =>
    pipe(
      query(Book),
      where({ title__contains: term }),
      groupBy('authorId'),
      annotate({ books: Count() }),
      orderBy('-books', 'authorId'),
      limit(10),
    )
  const topPrepared = prepare(top(param('term')))
  const bump = (authorId: number | Param) =>
    pipe(query(Book), where({ authorId }), update({ rating: F('rating').add(1) }))
  const bumpPrepared = prepare(bump(param('authorId')))
  const allBooks = prepare(query(Book))
  const insertOne = prepare(
    create(Book, {
      title: param('title'),
      rating: param('rating'),
      publishedAt: param('publishedAt'),
      authorId: param('authorId'),
    }),
  )
  const updateBy = prepare(
    pipe(query(Book), where({ authorId: param('authorId') }), update({ rating: param('rating') })),
  )
  // A prepared plan takes a list as a list of placeholders, one per item: a list of any length
  // is an ad hoc plan (which compiles once for every length past LONG_LIST all the same).
  const ownersWithItems = (n: number) =>
    prepare(pipe(query(Owner), where({ id__gt: param('after') }), orderBy('id'), limit(n), prefetch('items')))
  const ownersPrepared = new Map([1000, 10000].map((n) => [n, ownersWithItems(n)]))
  // The plans runSync takes, built on every call as in the headline example.
  const adhoc = {
    pointSelect: (i: number) => pipe(query(Book), where({ id: input.pointSelect(i).id }), get),
    relationLoad: (i: number) =>
      pipe(query(Author), where({ id__gt: input.relationLoad(i).after }), orderBy('id'), limit(20), prefetch('books')),
    filteredList: (i: number) => {
      const { term, minRating } = input.filteredList(i)
      return filteredPlan(term, minRating)
    },
    groupedAggregate: (i: number) => {
      const { lo, hi } = input.groupedAggregate(i)
      return grouped(lo, hi)
    },
    aggregateTop: (i: number) => top(input.aggregateTop(i).term),
    updateByExpression: (i: number) => bump(input.update(i).authorId),
    singleInsert: (i: number) => create(Book, newBook(i)),
    updateByFilter: (i: number) => {
      const { authorId, rating } = input.update(i)
      return pipe(query(Book), where({ authorId }), update({ rating }))
    },
    itemsById: (ids: number[]) => pipe(query(Item), where({ id__in: ids }), orderBy('id')),
    nameIn2k: (i: number) => pipe(query(Item), where({ name__in: input.nameIn2k(i).names }), orderBy('id')),
    ownersWithItems: ({ after, n }: { after: number; n: number }) =>
      pipe(query(Owner), where({ id__gt: after }), orderBy('id'), limit(n), prefetch('items')),
  }
  const inList = (ids: (i: number) => { ids: number[] }) => ({
    adhoc: (i: number) => go(adhoc.itemsById(ids(i).ids)),
    ...viaTask((i) => adhoc.itemsById(ids(i).ids)),
  })
  const owners = (at: (i: number) => { after: number; n: number }) => ({
    adhoc: (i: number) => go(adhoc.ownersWithItems(at(i))),
    prepared: (i: number) => go(pipe(ownersPrepared.get(at(i).n)!, bind({ after: at(i).after }))),
    ...viaTask((i) => adhoc.ownersWithItems(at(i))),
  })
  // On SQLite, the same ad hoc plans through `run` and an awaiting caller, for comparison.
  const viaTask = <A>(plan: (i: number) => Runnable<A>) =>
    dialect === 'sqlite' ? { task: async (i: number) => unwrap(await task(plan(i))()) } : {}
  return {
    name: 'terrapin',
    ops: {
      pointSelect: {
        adhoc: (i) => go(adhoc.pointSelect(i)),
        prepared: (i) => go(pipe(byId, bind(input.pointSelect(i)))),
        ...viaTask(adhoc.pointSelect),
      },
      filteredList: {
        adhoc: (i) => go(adhoc.filteredList(i)),
        prepared: (i) => go(pipe(filtered, bind(input.filteredList(i)))),
        ...viaTask(adhoc.filteredList),
      },
      relationLoad: {
        adhoc: (i) => go(adhoc.relationLoad(i)),
        prepared: (i) => go(pipe(relation, bind(input.relationLoad(i)))),
        ...viaTask(adhoc.relationLoad),
      },
      groupedAggregate: {
        adhoc: (i) => go(adhoc.groupedAggregate(i)),
        prepared: (i) => go(pipe(groupedPrepared, bind(input.groupedAggregate(i)))),
        ...viaTask(adhoc.groupedAggregate),
      },
      aggregateTop: {
        adhoc: (i) => go(adhoc.aggregateTop(i)),
        prepared: (i) => go(pipe(topPrepared, bind(input.aggregateTop(i)))),
        ...viaTask(adhoc.aggregateTop),
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return compile(filteredPlan(term, minRating), dialect)
        },
      },
      decode100k: {
        adhoc: () => tenTimes(async () => go(query(Book))),
        prepared: () => tenTimes(async () => go(pipe(allBooks, bind({})))),
      },
      singleInsert: {
        adhoc: (i) => go(adhoc.singleInsert(i)),
        prepared: (i) => go(pipe(insertOne, bind(newBook(i)))),
        ...viaTask(adhoc.singleInsert),
      },
      bulkInsert: {
        adhoc: async (i) => unwrap(await pipe(bulkCreate(Book, newBooks(i)), task)()),
        prepared: async (i) => unwrap(await pipe(insertOne, bindEach(newBooks(i)), task)()),
      },
      updateByFilter: {
        adhoc: (i) => go(adhoc.updateByFilter(i)),
        prepared: (i) => go(pipe(updateBy, bind(input.update(i)))),
        ...viaTask(adhoc.updateByFilter),
      },
      updateByExpression: {
        adhoc: (i) => go(adhoc.updateByExpression(i)),
        prepared: (i) => go(pipe(bumpPrepared, bind({ authorId: input.update(i).authorId }))),
        ...viaTask(adhoc.updateByExpression),
      },
      inList100: inList(input.inList100),
      inList10k: inList(input.inList10k),
      inList70k: inList(input.inList70k),
      nameIn2k: {
        adhoc: (i) => go(adhoc.nameIn2k(i)),
        ...viaTask(adhoc.nameIn2k),
      },
      prefetch1k: owners(input.prefetch1k),
      prefetch10k: owners(input.prefetch10k),
    },
    close: () => db.executor.close(),
  }
}
