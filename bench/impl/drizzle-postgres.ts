/**
 * Drizzle on PostgreSQL (postgres.js), both ways: ad hoc and `.prepare(name)` with
 * `sql.placeholder`. The relation load uses Drizzle's relational queries.
 */
import { and, asc, between, count, desc, eq, gt, relations, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { doublePrecision, integer, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core'
import { NewBook, input, newBook, newBooks } from '../data'
import { openPg } from './raw-postgres'
import { Impl } from './types'

const author = pgTable('author', { id: integer('id').primaryKey(), name: varchar('name', { length: 100 }).notNull() })
const book = pgTable('book', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  title: varchar('title', { length: 200 }).notNull(),
  rating: doublePrecision('rating'),
  publishedAt: timestamp('published_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
  authorId: integer('author_id').notNull(),
})
const authorRelations = relations(author, ({ many }) => ({ books: many(book) }))
const bookRelations = relations(book, ({ one }) => ({ author: one(author, { fields: [book.authorId], references: [author.id] }) }))

export const drizzlePg = (url: string): Impl => {
  const client = openPg(url)
  const db = drizzle(client, { schema: { author, book, authorRelations, bookRelations } })
  const filtered = (term: unknown, minRating: unknown) =>
    db
      .select()
      .from(book)
      .where(and(sql`strpos(${book.title}, ${term}) > 0`, sql`${book.rating} >= ${minRating}`))
      .orderBy(desc(book.rating), asc(book.id))
      .limit(20)
  const relation = (after: unknown) =>
    db.query.author.findMany({ where: gt(author.id, after as number), orderBy: asc(author.id), limit: 20, with: { books: { orderBy: asc(book.id) } } })
  const grouped = (lo: unknown, hi: unknown) =>
    db
      .select({ authorId: book.authorId, books: count(), avgRating: sql<number | null>`avg(${book.rating})`.mapWith((v) => (v === null ? null : Number(v))) })
      .from(book)
      .where(between(book.authorId, lo as number, hi as number))
      .groupBy(book.authorId)
      .orderBy(book.authorId)
  const p = {
    byId: db.select().from(book).where(eq(book.id, sql.placeholder('id'))).prepare('by_id'),
    filtered: filtered(sql.placeholder('term'), sql.placeholder('minRating')).prepare('filtered'),
    relation: relation(sql.placeholder('after')).prepare('relation'),
    grouped: grouped(sql.placeholder('lo'), sql.placeholder('hi')).prepare('grouped'),
    all: db.select().from(book).prepare('all_books'),
    insert: db
      .insert(book)
      .values({ title: sql.placeholder('title'), rating: sql.placeholder('rating'), publishedAt: sql.placeholder('publishedAt'), authorId: sql.placeholder('authorId') })
      .returning()
      .prepare('insert_book'),
    update: db.update(book).set({ rating: sql.placeholder('rating') as never }).where(eq(book.authorId, sql.placeholder('authorId'))).prepare('update_books'),
  }
  const insertPrepared = async (b: NewBook) => (await p.insert.execute(b))[0]
  const tenTimes = async <A>(f: () => Promise<A>): Promise<A[]> => {
    const out: A[] = []
    for (let k = 0; k < 10; k++) out.push(await f())
    return out
  }
  return {
    name: 'drizzle',
    ops: {
      pointSelect: {
        adhoc: async (i) => (await db.select().from(book).where(eq(book.id, input.pointSelect(i).id)))[0],
        prepared: async (i) => (await p.byId.execute(input.pointSelect(i)))[0],
      },
      filteredList: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).execute()
        },
        prepared: (i) => p.filtered.execute(input.filteredList(i)),
      },
      relationLoad: {
        adhoc: (i) => relation(input.relationLoad(i).after).execute(),
        prepared: (i) => p.relation.execute(input.relationLoad(i)),
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
        adhoc: async (i) => (await db.insert(book).values(newBook(i)).returning())[0],
        prepared: (i) => insertPrepared(newBook(i)),
      },
      bulkInsert: {
        adhoc: (i) => db.transaction((tx) => tx.insert(book).values(newBooks(i)).returning()),
        // A prepared statement belongs to the database, not to a transaction's connection.
      },
      updateByFilter: {
        adhoc: async (i) => {
          const { authorId, rating } = input.update(i)
          return (await db.update(book).set({ rating }).where(eq(book.authorId, authorId))).count
        },
        prepared: async (i) => (await p.update.execute(input.update(i))).count,
      },
    },
    close: () => client.end(),
  }
}
