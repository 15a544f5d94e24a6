/**
 * Drizzle on a server (PostgreSQL or MySQL/MariaDB), both ways: ad hoc and `.prepare()` with
 * `sql.placeholder`. The queries are the same on both; what differs (the table declarations,
 * `contains`, naming a prepared statement, inserting with the rows back, the count of an update)
 * comes in a `ServerDrizzle`. The relation load uses Drizzle's relational queries.
 */
// `any` below: pg-core and mysql-core share no table or database type.
import { SQL, and, asc, between, count, desc, eq, gt, inArray, sql } from 'drizzle-orm'
import { BookRow, NewBook, OwnerRow, input, newBook, newBooks, withItems } from '../data'
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
  readonly owner: any
  readonly item: any
  /**
   * A list longer than 100 values as one parameter (`values`: the list, or a placeholder), where
   * the dialect has such a form; without it, `inArray` (ad hoc only).
   */
  readonly longList?: (column: any, values: unknown) => SQL
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
  const { db, author, book, owner, item } = s
  const listWhere = (column: unknown, values: ReadonlyArray<unknown>): SQL =>
    values.length <= 100 || !s.longList ? inArray(column as never, [...values]) : s.longList(column, values)
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
  const top = (term: unknown) =>
    db
      .select({ authorId: book.authorId, books: count() })
      .from(book)
      .where(s.contains(book.title, term))
      .groupBy(book.authorId)
      .orderBy(desc(count()), asc(book.authorId))
      .limit(10)
  const bump = (authorId: unknown) =>
    db
      .update(book)
      .set({ rating: sql`${book.rating} + 1` })
      .where(eq(book.authorId, authorId as number))
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
    top: s.prepare(top(sql.placeholder('term')), 'top_authors'),
    bump: s.prepare(bump(sql.placeholder('authorId')), 'bump_books'),
    in100: s.prepare(items(inArray(item.id, slots)), 'items_in_100'),
    long: s.longList && {
      ids: s.prepare(items(s.longList(item.id, sql.placeholder('ids'))), 'items_in_ids'),
      names: s.prepare(items(s.longList(item.name, sql.placeholder('ids'))), 'items_in_names'),
      owners: s.prepare(items(s.longList(item.ownerId, sql.placeholder('ids'))), 'items_of_owners'),
      after: new Map(
        [1000, 10000].map((n) => [n, s.prepare(ownersAfter(sql.placeholder('after'), n), `owners_after_${n}`)]),
      ),
    },
  }
  const long = p.long
  const inList = (ids: (i: number) => { ids: number[] }) => ({
    adhoc: (i: number) => items(listWhere(item.id, ids(i).ids)).execute(),
    ...(long || ids(0).ids.length <= 100
      ? {
          prepared: (i: number) => {
            const v = ids(i).ids
            return v.length <= 100 ? p.in100.execute(asSlots(v)) : long!.ids.execute({ ids: v })
          },
        }
      : {}),
  })
  const prefetch = (at: (i: number) => { after: number; n: number }) => ({
    adhoc: async (i: number) => {
      const os: OwnerRow[] = await ownersAfter(at(i).after, at(i).n).execute()
      return withItems(
        os,
        await items(
          listWhere(
            item.ownerId,
            os.map((o) => o.id),
          ),
        ).execute(),
      )
    },
    ...(long
      ? {
          prepared: async (i: number) => {
            const os: OwnerRow[] = await long.after.get(at(i).n)!.execute({ after: at(i).after })
            return withItems(os, await long.owners.execute({ ids: os.map((o) => o.id) }))
          },
        }
      : {}),
  })
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
      aggregateTop: {
        adhoc: (i) => top(input.aggregateTop(i).term).execute(),
        prepared: (i) => p.top.execute(input.aggregateTop(i)),
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
      updateByExpression: {
        adhoc: async (i) => s.changed(await bump(input.update(i).authorId)),
        prepared: async (i) => s.changed(await p.bump.execute({ authorId: input.update(i).authorId })),
      },
      inList100: inList(input.inList100),
      inList10k: inList(input.inList10k),
      inList70k: inList(input.inList70k),
      nameIn2k: {
        adhoc: (i) => items(listWhere(item.name, input.nameIn2k(i).names)).execute(),
        ...(long ? { prepared: (i: number) => long.names.execute({ ids: input.nameIn2k(i).names }) } : {}),
      },
      prefetch1k: prefetch(input.prefetch1k),
      prefetch10k: prefetch(input.prefetch10k),
    },
    close: s.close,
  }
}
