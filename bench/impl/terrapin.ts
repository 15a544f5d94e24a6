/**
 * terrapin, both ways: ad hoc (the plan is built with `pipe` on every call, as in the headline
 * example) and prepared (a plan with named placeholders, built once, bound on every call).
 */
import { Either, isLeft } from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { Db, DialectName, Param } from '../../src'
import { terrapin as T } from '../lib'
import { input, newBook, newBooks } from '../data'
import { Author, Book } from '../models'
import { tenTimes } from './common'
import { Impl } from './types'

const {
  Avg,
  Count,
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
  const go = run(db)
  const byId = prepare(pipe(query(Book), where({ id: param('id') }), get))
  const filtered = prepare(pipe(query(Book), where({ title__contains: param('term'), rating__gte: param('minRating') }), orderBy('-rating', 'id'), limit(20)))
  const relation = prepare(pipe(query(Author), where({ id__gt: param('after') }), orderBy('id'), limit(20), prefetch('books')))
  const grouped = (lo: number | Param, hi: number | Param) =>
    pipe(query(Book), where({ authorId__range: [lo, hi] }), groupBy('authorId'), annotate({ books: Count(), avgRating: Avg('rating') }), orderBy('authorId'))
  const groupedPrepared = prepare(grouped(param('lo'), param('hi')))
  const allBooks = prepare(query(Book))
  const insertOne = prepare(create(Book, { title: param('title'), rating: param('rating'), publishedAt: param('publishedAt'), authorId: param('authorId') }))
  const updateBy = prepare(pipe(query(Book), where({ authorId: param('authorId') }), update({ rating: param('rating') })))
  return {
    name: 'terrapin',
    ops: {
      pointSelect: {
        adhoc: async (i) => unwrap(await pipe(query(Book), where({ id: input.pointSelect(i).id }), get, go)()),
        prepared: async (i) => unwrap(await pipe(byId, bind(input.pointSelect(i)), go)()),
      },
      filteredList: {
        adhoc: async (i) => {
          const { term, minRating } = input.filteredList(i)
          return unwrap(await pipe(filteredPlan(term, minRating), go)())
        },
        prepared: async (i) => unwrap(await pipe(filtered, bind(input.filteredList(i)), go)()),
      },
      relationLoad: {
        adhoc: async (i) =>
          unwrap(await pipe(query(Author), where({ id__gt: input.relationLoad(i).after }), orderBy('id'), limit(20), prefetch('books'), go)()),
        prepared: async (i) => unwrap(await pipe(relation, bind(input.relationLoad(i)), go)()),
      },
      groupedAggregate: {
        adhoc: async (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          return unwrap(await pipe(grouped(lo, hi), go)())
        },
        prepared: async (i) => unwrap(await pipe(groupedPrepared, bind(input.groupedAggregate(i)), go)()),
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return compile(filteredPlan(term, minRating), dialect)
        },
      },
      decode100k: {
        adhoc: () => tenTimes(async () => unwrap(await pipe(query(Book), go)())),
        prepared: () => tenTimes(async () => unwrap(await pipe(allBooks, bind({}), go)())),
      },
      singleInsert: {
        adhoc: async (i) => unwrap(await pipe(create(Book, newBook(i)), go)()),
        prepared: async (i) => unwrap(await pipe(insertOne, bind(newBook(i)), go)()),
      },
      bulkInsert: {
        adhoc: async (i) => unwrap(await pipe(bulkCreate(Book, newBooks(i)), go)()),
        prepared: async (i) => unwrap(await pipe(insertOne, bindEach(newBooks(i)), go)()),
      },
      updateByFilter: {
        adhoc: async (i) => {
          const { authorId, rating } = input.update(i)
          return unwrap(await pipe(query(Book), where({ authorId }), update({ rating }), go)())
        },
        prepared: async (i) => unwrap(await pipe(updateBy, bind(input.update(i)), go)()),
      },
    },
    close: () => db.executor.close(),
  }
}
