/**
 * Drizzle on MySQL/MariaDB (mysql2, one connection, UTC): the tables, `instr` for contains.
 * Drizzle's MySQL inserts have no `.returning()` (MySQL has no RETURNING), so an insert is two
 * queries: the insert with `$returningId()` (or the prepared insert's `insertId`), then a select
 * of those rows. Drizzle's relational queries need lateral joins (default mode) or a derived
 * table that refers to the outer query ('planetscale' mode), neither of which MariaDB has, so
 * the relation load is two queries of Drizzle's query builder, as Kysely's and the raw driver's.
 */
import { asc, eq, gt, inArray, relations, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/mysql2'
import { datetime, double, int, mysqlTable, varchar } from 'drizzle-orm/mysql-core'
import type { ResultSetHeader } from 'mysql2'
import { NewBook, input } from '../data'
import { drizzleOnServer } from './drizzle-server'
import { openMysql } from './raw-mysql'
import { withBooks } from './common'
import { Impl } from './types'

const author = mysqlTable('author', { id: int('id').primaryKey(), name: varchar('name', { length: 100 }).notNull() })
const book = mysqlTable('book', {
  id: int('id').primaryKey().autoincrement(),
  title: varchar('title', { length: 200 }).notNull(),
  rating: double('rating'),
  publishedAt: datetime('published_at', { fsp: 3, mode: 'date' }).notNull(),
  authorId: int('author_id').notNull(),
})
const owner = mysqlTable('owner', { id: int('id').primaryKey(), name: varchar('name', { length: 100 }).notNull() })
const item = mysqlTable('item', {
  id: int('id').primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  ownerId: int('owner_id').notNull(),
})
const authorRelations = relations(author, ({ many }) => ({ books: many(book) }))
const bookRelations = relations(book, ({ one }) => ({
  author: one(author, { fields: [book.authorId], references: [author.id] }),
}))

export const drizzleMysql = (url: string): Impl => {
  const pool = openMysql(url)
  const db = drizzle(pool, { schema: { author, book, authorRelations, bookRelations }, mode: 'default' })
  const insert = db
    .insert(book)
    .values({
      title: sql.placeholder('title'),
      rating: sql.placeholder('rating'),
      publishedAt: sql.placeholder('publishedAt'),
      authorId: sql.placeholder('authorId'),
    })
    .prepare()
  const byId = db
    .select()
    .from(book)
    .where(eq(book.id, sql.placeholder('id')))
    .prepare()
  const authorsAfter = (after: unknown) =>
    db
      .select()
      .from(author)
      .where(gt(author.id, after as number))
      .orderBy(asc(author.id))
      .limit(20)
  const booksOf = (ids: ReadonlyArray<unknown>) =>
    db
      .select()
      .from(book)
      .where(inArray(book.authorId, [...ids] as number[]))
      .orderBy(asc(book.id))
  // Always 20 placeholders: fewer authors repeat the last id.
  const slots = Array.from({ length: 20 }, (_, k) => `a${k}`)
  const p = {
    authorsAfter: authorsAfter(sql.placeholder('after')).prepare(),
    booksOf: booksOf(slots.map((k) => sql.placeholder(k))).prepare(),
  }
  return drizzleOnServer({
    relationLoad: {
      adhoc: async (i) => {
        const as = await authorsAfter(input.relationLoad(i).after)
        return withBooks(as, await booksOf(as.map((a) => a.id)))
      },
      prepared: async (i) => {
        const as = await p.authorsAfter.execute(input.relationLoad(i))
        return withBooks(
          as,
          await p.booksOf.execute(Object.fromEntries(slots.map((k, j) => [k, as[Math.min(j, as.length - 1)].id]))),
        )
      },
    },
    db,
    author,
    book,
    owner,
    item,
    contains: (column, term) => sql`instr(${column}, ${term}) > 0`,
    prepare: (q) => q.prepare() as never,
    insert: async (on: typeof db, rows: ReadonlyArray<NewBook>) => {
      const ids = await on
        .insert(book)
        .values([...rows])
        .$returningId()
      return on
        .select()
        .from(book)
        .where(
          inArray(
            book.id,
            ids.map((r) => r.id),
          ),
        )
        .orderBy(asc(book.id))
    },
    insertPrepared: async (b) => (await byId.execute({ id: (await insert.execute(b))[0].insertId }))[0],
    changed: (r: [ResultSetHeader]) => r[0].affectedRows,
    close: () => pool.end(),
  })
}
