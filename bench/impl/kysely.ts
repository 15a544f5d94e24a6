/**
 * Kysely over the same database: each call builds its query, as Kysely is used. Kysely has no
 * prepared statements of its own, so it has only the ad hoc mode. Rows are mapped to the same
 * objects as the others (datetimes as Date, counts and averages as numbers).
 */
import Database from 'better-sqlite3'
import { Generated, Kysely, MysqlDialect, SqliteDialect, sql } from 'kysely'
import { createPool } from 'mysql2'
import { kyselyOnPostgres } from './kysely-postgres'
import {
  AuthorRow,
  BookRow,
  ItemRow,
  NewBook,
  OwnerRow,
  input,
  newBook,
  newBooks,
  parseUtc,
  utcText,
  withItems,
} from '../data'
import { open } from './raw-sqlite'
import { tenTimes, withBooks } from './common'
import { Impl } from './types'

interface DB {
  author: { id: Generated<number>; name: string }
  book: { id: Generated<number>; title: string; rating: number | null; published_at: string | Date; author_id: number }
  owner: { id: number; name: string }
  item: { id: number; name: string; owner_id: number }
}

type RawBook = Omit<BookRow, 'publishedAt'> & { publishedAt: string | Date }

/** SQLite stores datetimes as UTC text; PostgreSQL and MySQL return Dates. */
const toBook = (r: RawBook): BookRow =>
  r.publishedAt instanceof Date ? (r as BookRow) : { ...r, publishedAt: parseUtc(r.publishedAt) }

/** Opens Kysely on SQLite (a file), PostgreSQL or MySQL/MariaDB (a URL; mysql2, one connection, UTC). */
export const kysely = (target: string, dialect: 'sqlite' | 'postgres' | 'mysql' = 'sqlite'): Impl => {
  let db: Kysely<DB>
  let end = (): Promise<void> => Promise.resolve()
  if (dialect === 'sqlite') {
    const raw: Database.Database = open(target)
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: raw }) })
  } else if (dialect === 'mysql')
    db = new Kysely<DB>({
      dialect: new MysqlDialect({ pool: createPool({ uri: target, connectionLimit: 1, timezone: 'Z' }) }),
    })
  else ({ db, end } = kyselyOnPostgres<DB>(target))
  const pg = dialect === 'postgres'
  const toRow = (b: NewBook) => ({
    title: b.title,
    rating: b.rating,
    published_at: dialect === 'sqlite' ? utcText(b.publishedAt) : b.publishedAt,
    author_id: b.authorId,
  })
  const books = (ex: Kysely<DB> = db) =>
    ex.selectFrom('book').select(['id', 'title', 'rating', 'published_at as publishedAt', 'author_id as authorId'])
  const filtered = (term: string, minRating: number) =>
    books()
      .where(pg ? sql<boolean>`strpos(title, ${term}) > 0` : sql<boolean>`instr(title, ${term}) > 0`)
      .where('rating', '>=', minRating)
      .orderBy('rating', 'desc')
      .orderBy('id', 'asc')
      .limit(20)
  const returned = ['id', 'title', 'rating', 'published_at as publishedAt', 'author_id as authorId'] as const
  /** Inserts rows and returns them: with RETURNING, or on MySQL (Kysely's MySQL adapter has no
   * RETURNING) a select of the generated ids, consecutive from the insert's first. */
  const insert = async (rows: ReadonlyArray<NewBook>, ex: Kysely<DB> = db): Promise<BookRow[]> => {
    const q = ex.insertInto('book').values(rows.map(toRow))
    if (dialect !== 'mysql') return (await q.returning(returned).execute()).map((r) => toBook(r as RawBook))
    const first = Number((await q.executeTakeFirstOrThrow()).insertId)
    return (
      await books(ex)
        .where('id', '>=', first)
        .where('id', '<', first + rows.length)
        .orderBy('id')
        .execute()
    ).map((r) => toBook(r as RawBook))
  }
  // A list of up to 100 values through Kysely's `in` (a placeholder each); a longer one as the one
  // parameter of the raw driver's long-list form (a placeholder each stops at SQLite's 32,766 and
  // PostgreSQL's 65,535, and is slower long before); on MySQL, Kysely's `in` (mysql2 writes the
  // values into the statement, as the raw driver's long lists).
  const itemsIn = (column: 'id' | 'owner_id' | 'name', values: ReadonlyArray<number | string>): Promise<ItemRow[]> => {
    const q = db.selectFrom('item').select(['id', 'name', 'owner_id as ownerId'])
    const long =
      values.length <= 100 || dialect === 'mysql'
        ? q.where(column, 'in', values as number[])
        : pg
          ? q.where(sql<boolean>`${sql.ref(column)} = ANY(${values}::${sql.raw(column === 'name' ? 'text' : 'int')}[])`)
          : q.where(sql<boolean>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`)
    return long.orderBy('id').execute()
  }
  const ownersWithItems = async (after: number, n: number) => {
    const os: OwnerRow[] = await db
      .selectFrom('owner')
      .select(['id', 'name'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(n)
      .execute()
    return withItems(
      os,
      await itemsIn(
        'owner_id',
        os.map((o) => o.id),
      ),
    )
  }
  return {
    name: 'kysely',
    ops: {
      pointSelect: {
        adhoc: async (i) => toBook(await books().where('id', '=', input.pointSelect(i).id).executeTakeFirstOrThrow()),
      },
      filteredList: {
        adhoc: async (i) => {
          const { term, minRating } = input.filteredList(i)
          return (await filtered(term, minRating).execute()).map((r) => toBook(r as RawBook))
        },
      },
      relationLoad: {
        adhoc: async (i) => {
          const as: AuthorRow[] = await db
            .selectFrom('author')
            .select(['id', 'name'])
            .where('id', '>', input.relationLoad(i).after)
            .orderBy('id')
            .limit(20)
            .execute()
          const bs = (
            await books()
              .where(
                'author_id',
                'in',
                as.map((a) => a.id),
              )
              .orderBy('id')
              .execute()
          ).map((r) => toBook(r as RawBook))
          return withBooks(as, bs)
        },
      },
      groupedAggregate: {
        adhoc: async (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          const rows = await db
            .selectFrom('book')
            .select((eb) => [
              'author_id as authorId',
              eb.fn.countAll<number>().as('books'),
              eb.fn.avg<number | null>('rating').as('avgRating'),
            ])
            .where('author_id', '>=', lo)
            .where('author_id', '<=', hi)
            .groupBy('author_id')
            .orderBy('author_id')
            .execute()
          // PostgreSQL returns COUNT as a bigint string and AVG as numeric text (mysql2: numbers).
          return pg
            ? rows.map((r) => ({
                authorId: r.authorId,
                books: Number(r.books),
                avgRating: r.avgRating === null ? null : Number(r.avgRating),
              }))
            : rows
        },
      },
      aggregateTop: {
        adhoc: async (i) => {
          const { term } = input.aggregateTop(i)
          const rows = await db
            .selectFrom('book')
            .select((eb) => ['author_id as authorId', eb.fn.countAll<number>().as('books')])
            .where(pg ? sql<boolean>`strpos(title, ${term}) > 0` : sql<boolean>`instr(title, ${term}) > 0`)
            .groupBy('author_id')
            .orderBy('books', 'desc')
            .orderBy('author_id')
            .limit(10)
            .execute()
          return pg ? rows.map((r) => ({ authorId: r.authorId, books: Number(r.books) })) : rows
        },
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return filtered(term, minRating).compile()
        },
      },
      decode100k: {
        adhoc: () => tenTimes(async () => (await books().execute()).map((r) => toBook(r as RawBook))),
      },
      singleInsert: { adhoc: async (i) => (await insert([newBook(i)]))[0] },
      bulkInsert: { adhoc: (i) => db.transaction().execute((tx) => insert(newBooks(i), tx)) },
      updateByFilter: {
        adhoc: async (i) => {
          const { authorId, rating } = input.update(i)
          const r = await db.updateTable('book').set({ rating }).where('author_id', '=', authorId).executeTakeFirst()
          return Number(r.numUpdatedRows)
        },
      },
      updateByExpression: {
        adhoc: async (i) => {
          const r = await db
            .updateTable('book')
            .set((eb) => ({ rating: eb('rating', '+', 1) }))
            .where('author_id', '=', input.update(i).authorId)
            .executeTakeFirst()
          return Number(r.numUpdatedRows)
        },
      },
      inList100: { adhoc: (i) => itemsIn('id', input.inList100(i).ids) },
      inList10k: { adhoc: (i) => itemsIn('id', input.inList10k(i).ids) },
      inList70k: { adhoc: (i) => itemsIn('id', input.inList70k(i).ids) },
      nameIn2k: { adhoc: (i) => itemsIn('name', input.nameIn2k(i).names) },
      prefetch1k: { adhoc: (i) => ownersWithItems(input.prefetch1k(i).after, 1000) },
      prefetch10k: { adhoc: (i) => ownersWithItems(input.prefetch10k(i).after, 10000) },
    },
    close: async () => {
      await db.destroy()
      await end()
    },
  }
}
