/**
 * Drizzle on a server (PostgreSQL or MySQL/MariaDB), both ways: ad hoc and `.prepare()` with
 * `sql.placeholder`. The queries are the same on both; what differs (the table declarations,
 * `contains`, naming a prepared statement, inserting with the rows back, the count of an update)
 * comes in a `ServerDrizzle`. The relation load uses Drizzle's relational queries.
 */
// `any` below: pg-core and mysql-core share no table or database type.
import { SQL, and, asc, between, count, desc, eq, gt, sql } from 'drizzle-orm'
import { BookRow, NewBook, input, newBook, newBooks } from '../data'
import { tenTimes } from './common'
import { Impl } from './types'

interface Prepared {
  readonly execute: (values?: Record<string, unknown>) => Promise<any>
}

/** What a server dialect gives Drizzle's common queries. */
export interface ServerDrizzle {
  /** A database with the schema `{ author, book, authorRelations, bookRelations }`. */
  readonly db: any
  readonly author: any
  readonly book: any
  readonly contains: (column: unknown, term: unknown) => SQL
  readonly prepare: (query: { prepare: (name?: any) => unknown }, name: string) => Prepared
  /** Inserts rows (ad hoc) and returns them, on `db` or a transaction. */
  readonly insert: (on: any, rows: ReadonlyArray<NewBook>) => Promise<BookRow[]>
  /** A prepared insert of one book, with its row back. */
  readonly insertPrepared: (values: NewBook) => Promise<BookRow>
  /** Rows an update changed, from its result. */
  readonly changed: (result: any) => number
  /** The relation load when the relational queries cannot run on the server. */
  readonly relationLoad?: Impl['ops']['relationLoad']
  readonly close: () => Promise<void>
}

export const drizzleOnServer = (s: ServerDrizzle): Impl => {
  const { db, author, book } = s
  const filtered = (term: unknown, minRating: unknown) =>
    db
      .select()
      .from(book)
      .where(and(s.contains(book.title, term), sql`${book.rating} >= ${minRating}`))
      .orderBy(desc(book.rating), asc(book.id))
      .limit(20)
  const relation = (after: unknown) =>
    db.query.author.findMany({
      where: gt(author.id, after as number),
      orderBy: asc(author.id),
      limit: 20,
      with: { books: { orderBy: asc(book.id) } },
    })
  const grouped = (lo: unknown, hi: unknown) =>
    db
      .select({
        authorId: book.authorId,
        books: count(),
        avgRating: sql<number | null>`avg(${book.rating})`.mapWith((v) => (v === null ? null : Number(v))),
      })
      .from(book)
      .where(between(book.authorId, lo as number, hi as number))
      .groupBy(book.authorId)
      .orderBy(book.authorId)
  const p = {
    byId: s.prepare(
      db
        .select()
        .from(book)
        .where(eq(book.id, sql.placeholder('id'))),
      'by_id',
    ),
    filtered: s.prepare(filtered(sql.placeholder('term'), sql.placeholder('minRating')), 'filtered'),
    relation: s.relationLoad ? undefined : s.prepare(relation(sql.placeholder('after')), 'relation'),
    grouped: s.prepare(grouped(sql.placeholder('lo'), sql.placeholder('hi')), 'grouped'),
    all: s.prepare(db.select().from(book), 'all_books'),
    update: s.prepare(
      db
        .update(book)
        .set({ rating: sql.placeholder('rating') })
        .where(eq(book.authorId, sql.placeholder('authorId'))),
      'update_books',
    ),
  }
  return {
    name: 'drizzle',
    ops: {
      pointSelect: {
        adhoc: async (i) =>
          (
            await db
              .select()
              .from(book)
              .where(eq(book.id, input.pointSelect(i).id))
          )[0],
        prepared: async (i) => (await p.byId.execute(input.pointSelect(i)))[0],
      },
      filteredList: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).execute()
        },
        prepared: (i) => p.filtered.execute(input.filteredList(i)),
      },
      relationLoad: s.relationLoad ?? {
        adhoc: (i) => relation(input.relationLoad(i).after).execute(),
        prepared: (i) => p.relation!.execute(input.relationLoad(i)),
      },
      groupedAggregate: {
        adhoc: (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          return grouped(lo, hi).execute()
        },
        prepared: (i) => p.grouped.execute(input.groupedAggregate(i)),
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).toSQL()
        },
      },
      decode100k: {
        adhoc: () => tenTimes(() => db.select().from(book).execute()),
        prepared: () => tenTimes(() => p.all.execute()),
      },
      singleInsert: {
        adhoc: async (i) => (await s.insert(db, [newBook(i)]))[0],
        prepared: (i) => s.insertPrepared(newBook(i)),
      },
      bulkInsert: {
        adhoc: (i) => db.transaction((tx: unknown) => s.insert(tx, newBooks(i))),
        // A prepared statement belongs to the database, not to a transaction's connection.
      },
      updateByFilter: {
        adhoc: async (i) => {
          const { authorId, rating } = input.update(i)
          return s.changed(await db.update(book).set({ rating }).where(eq(book.authorId, authorId)))
        },
        prepared: async (i) => s.changed(await p.update.execute(input.update(i))),
      },
    },
    close: s.close,
  }
}
