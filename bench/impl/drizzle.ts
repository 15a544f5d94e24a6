/**
 * Drizzle over the same better-sqlite3 file, both ways: ad hoc (the query is built on every
 * call) and prepared (`.prepare()` with `sql.placeholder`, executed with values). The relation
 * load uses Drizzle's relational queries (`with: { books: true }`), as its documentation shows.
 */
import { SQL, and, asc, between, count, desc, eq, gt, inArray, relations, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { customType, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { NewBook, input, newBook, newBooks, parseUtc, utcText, withItems } from '../data'
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
const owner = sqliteTable('owner', { id: integer('id').primaryKey(), name: text('name').notNull() })
const item = sqliteTable('item', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  ownerId: integer('owner_id').notNull(),
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
  const top = (term: unknown) =>
    db
      .select({ authorId: book.authorId, books: count() })
      .from(book)
      .where(sql`instr(${book.title}, ${term}) > 0`)
      .groupBy(book.authorId)
      .orderBy(desc(count()), asc(book.authorId))
      .limit(10)
  const bump = (authorId: unknown) =>
    db
      .update(book)
      .set({ rating: sql`${book.rating} + 1` })
      .where(eq(book.authorId, authorId as number))
  // A list of up to 100 values through `inArray` (a placeholder each), a longer one as JSON read
  // by json_each (one parameter: a placeholder each stops at 32,766 and is slower long before).
  const listWhere = (column: typeof item.id | typeof item.name | typeof item.ownerId, values: unknown): SQL =>
    Array.isArray(values) && values.length <= 100
      ? inArray(column, values)
      : sql`${column} IN (SELECT value FROM json_each(${Array.isArray(values) ? JSON.stringify(values) : values}))`
  const items = (where: SQL) => db.select().from(item).where(where).orderBy(asc(item.id))
  const ownersAfter = (after: unknown, n: number) =>
    db
      .select()
      .from(owner)
      .where(gt(owner.id, after as number))
      .orderBy(asc(owner.id))
      .limit(n)
  const slots = Array.from({ length: 100 }, (_, k) => sql.placeholder(`v${k}`))
  const asSlots = (ids: ReadonlyArray<number>) => Object.fromEntries(ids.map((v, k) => [`v${k}`, v]))
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
    top: top(sql.placeholder('term')).prepare(),
    bump: bump(sql.placeholder('authorId')).prepare(),
    in100: items(inArray(item.id, slots)).prepare(),
    inJson: items(listWhere(item.id, sql.placeholder('json'))).prepare(),
    ownersAfter: new Map([1000, 10000].map((n) => [n, ownersAfter(sql.placeholder('after'), n).prepare()])),
    inJsonName: items(listWhere(item.name, sql.placeholder('json'))).prepare(),
    itemsOfJson: items(listWhere(item.ownerId, sql.placeholder('json'))).prepare(),
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
  const inList = (ids: (i: number) => { ids: number[] }) => ({
    adhoc: (i: number) => items(listWhere(item.id, ids(i).ids)).all(),
    prepared: (i: number) => {
      const v = ids(i).ids
      return v.length <= 100 ? p.in100.all(asSlots(v)) : p.inJson.all({ json: JSON.stringify(v) })
    },
  })
  const prefetch = (at: (i: number) => { after: number; n: number }) => ({
    adhoc: (i: number) => {
      const os = ownersAfter(at(i).after, at(i).n).all()
      return withItems(
        os,
        items(
          listWhere(
            item.ownerId,
            os.map((o) => o.id),
          ),
        ).all(),
      )
    },
    prepared: (i: number) => {
      const os = p.ownersAfter.get(at(i).n)!.all({ after: at(i).after })
      return withItems(os, p.itemsOfJson.all({ json: JSON.stringify(os.map((o) => o.id)) }))
    },
  })
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
      aggregateTop: {
        adhoc: (i) => top(input.aggregateTop(i).term).all(),
        prepared: (i) => p.top.all(input.aggregateTop(i)),
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
      updateByExpression: {
        adhoc: (i) => bump(input.update(i).authorId).run().changes,
        prepared: (i) => p.bump.run({ authorId: input.update(i).authorId }).changes,
      },
      inList100: inList(input.inList100),
      inList10k: inList(input.inList10k),
      inList70k: inList(input.inList70k),
      nameIn2k: {
        adhoc: (i) => items(listWhere(item.name, input.nameIn2k(i).names)).all(),
        prepared: (i) => p.inJsonName.all({ json: JSON.stringify(input.nameIn2k(i).names) }),
      },
      prefetch1k: prefetch(input.prefetch1k),
      prefetch10k: prefetch(input.prefetch10k),
    },
    close: () => Promise.resolve(void db.$client.close()),
  }
}
