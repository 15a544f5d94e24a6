/**
 * Drizzle over the same better-sqlite3 file, both ways: ad hoc (the query is built on every
 * call) and prepared (`.prepare()` with `sql.placeholder`, executed with values). The relation
 * load uses Drizzle's relational queries (`with: { books: true }`), as its documentation shows.
 */
import { and, asc, between, count, desc, eq, gt, relations, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { customType, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { NewBook, input, newBook, newBooks, parseUtc, utcText } from '../data'
import { open } from './raw-sqlite'
import { Impl } from './types'

/** terrapin's datetime storage: UTC text with milliseconds. */
const utcDatetime = customType<{ data: Date; driverData: string }>({
  dataType: () => 'text',
  toDriver: (d) => utcText(d),
  fromDriver: (s) => parseUtc(s),
})

const author = sqliteTable('author', { id: integer('id').primaryKey(), name: text('name').notNull() })
const book = sqliteTable('book', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  rating: real('rating'),
  publishedAt: utcDatetime('published_at').notNull(),
  authorId: integer('author_id').notNull(),
})
const authorRelations = relations(author, ({ many }) => ({ books: many(book) }))
const bookRelations = relations(book, ({ one }) => ({
  author: one(author, { fields: [book.authorId], references: [author.id] }),
}))

export const drizzleImpl = (file: string): Impl => {
  const db = drizzle(open(file), { schema: { author, book, authorRelations, bookRelations } })
  const filtered = (term: unknown, minRating: unknown) =>
    db
      .select()
      .from(book)
      .where(and(sql`instr(${book.title}, ${term}) > 0`, sql`${book.rating} >= ${minRating}`))
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
      .select({ authorId: book.authorId, books: count(), avgRating: sql<number | null>`avg(${book.rating})` })
      .from(book)
      .where(between(book.authorId, lo as number, hi as number))
      .groupBy(book.authorId)
      .orderBy(book.authorId)
  const insert = (b: NewBook) => db.insert(book).values(b).returning().get()
  const p = {
    byId: db
      .select()
      .from(book)
      .where(eq(book.id, sql.placeholder('id')))
      .prepare(),
    filtered: filtered(sql.placeholder('term'), sql.placeholder('minRating')).prepare(),
    relation: relation(sql.placeholder('after')).prepare(),
    grouped: grouped(sql.placeholder('lo'), sql.placeholder('hi')).prepare(),
    all: db.select().from(book).prepare(),
    insert: db
      .insert(book)
      .values({
        title: sql.placeholder('title'),
        rating: sql.placeholder('rating'),
        publishedAt: sql.placeholder('publishedAt'),
        authorId: sql.placeholder('authorId'),
      })
      .returning()
      .prepare(),
    update: db
      .update(book)
      .set({ rating: sql.placeholder('rating') as never })
      .where(eq(book.authorId, sql.placeholder('authorId')))
      .prepare(),
  }
  const insertPrepared = (b: NewBook) => p.insert.get(b)
  return {
    name: 'drizzle',
    ops: {
      pointSelect: {
        adhoc: (i) =>
          db
            .select()
            .from(book)
            .where(eq(book.id, input.pointSelect(i).id))
            .get(),
        prepared: (i) => p.byId.get(input.pointSelect(i)),
      },
      filteredList: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).all()
        },
        prepared: (i) => p.filtered.all(input.filteredList(i)),
      },
      relationLoad: {
        adhoc: (i) => relation(input.relationLoad(i).after).sync(),
        prepared: (i) => p.relation.all(input.relationLoad(i)),
      },
      groupedAggregate: {
        adhoc: (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          return grouped(lo, hi).all()
        },
        prepared: (i) => p.grouped.all(input.groupedAggregate(i)),
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).toSQL()
        },
      },
      decode100k: {
        adhoc: () => Array.from({ length: 10 }, () => db.select().from(book).all()),
        prepared: () => Array.from({ length: 10 }, () => p.all.all()),
      },
      singleInsert: {
        adhoc: (i) => insert(newBook(i)),
        prepared: (i) => insertPrepared(newBook(i)),
      },
      bulkInsert: {
        adhoc: (i) => db.transaction((tx) => tx.insert(book).values(newBooks(i)).returning().all()),
        prepared: (i) => db.transaction(() => newBooks(i).map(insertPrepared)),
      },
      updateByFilter: {
        adhoc: (i) => {
          const { authorId, rating } = input.update(i)
          return db.update(book).set({ rating }).where(eq(book.authorId, authorId)).run().changes
        },
        prepared: (i) => p.update.run(input.update(i)).changes,
      },
    },
    close: () => Promise.resolve(void db.$client.close()),
  }
}
