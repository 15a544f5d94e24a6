/**
 * Drizzle on PostgreSQL (postgres.js): the tables, `strpos` for contains, named prepared
 * statements and `RETURNING`; the queries are in `drizzle-server.ts`.
 */
import { relations, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { doublePrecision, integer, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core'
import { NewBook } from '../data'
import { drizzleOnServer } from './drizzle-server'
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
const owner = pgTable('owner', { id: integer('id').primaryKey(), name: varchar('name', { length: 100 }).notNull() })
const item = pgTable('item', {
  id: integer('id').primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  ownerId: integer('owner_id').notNull(),
})
const authorRelations = relations(author, ({ many }) => ({ books: many(book) }))
const bookRelations = relations(book, ({ one }) => ({
  author: one(author, { fields: [book.authorId], references: [author.id] }),
}))

export const drizzlePg = (url: string): Impl => {
  const client = openPg(url)
  const db = drizzle(client, { schema: { author, book, authorRelations, bookRelations } })
  const insert = db
    .insert(book)
    .values({
      title: sql.placeholder('title'),
      rating: sql.placeholder('rating'),
      publishedAt: sql.placeholder('publishedAt'),
      authorId: sql.placeholder('authorId'),
    })
    .returning()
    .prepare('insert_book')
  return drizzleOnServer({
    db,
    author,
    book,
    owner,
    item,
    // The raw driver's form: one parameter typed as an array, read once by the server.
    longList: (column: unknown, values) =>
      sql`${column} = ANY(${Array.isArray(values) ? sql.param(values) : values}::${sql.raw(column === item.name ? 'text' : 'int')}[])`,
    contains: (column, term) => sql`strpos(${column}, ${term}) > 0`,
    prepare: (q, name) => q.prepare(name) as never,
    insert: (on: typeof db, rows: ReadonlyArray<NewBook>) =>
      on
        .insert(book)
        .values([...rows])
        .returning(),
    insertPrepared: async (b) => (await insert.execute(b))[0],
    changed: (r: { count: number }) => r.count,
    close: () => client.end(),
  })
}
