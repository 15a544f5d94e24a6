/**
 * Knex over the same database, ad hoc (Knex has no prepared statements of its own): on SQLite its
 * better-sqlite3 client, on MySQL/MariaDB its mysql2 client (one connection, UTC). Knex's
 * PostgreSQL client needs node-postgres, which is not installed: there Knex builds the statement
 * (`toSQL().toNative()`) and postgres.js runs it, prepared, as Kysely's adapter does. Rows are
 * mapped to the same objects as the others.
 */
import createKnex, { Knex } from 'knex'
import type postgres from 'postgres'
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
import { openPg } from './raw-postgres'
import { tenTimes, withBooks } from './common'
import { Impl } from './types'

type RawBook = Omit<BookRow, 'publishedAt'> & { publishedAt: string | Date }

const toBook = (r: RawBook): BookRow =>
  r.publishedAt instanceof Date ? (r as BookRow) : { ...r, publishedAt: parseUtc(r.publishedAt) }

const BOOK_COLS = ['id', 'title', 'rating', 'published_at as publishedAt', 'author_id as authorId']
const ITEM_COLS = ['id', 'name', 'owner_id as ownerId']

/** What runs a built query: Knex itself, or (PostgreSQL) postgres.js. */
interface Runner {
  readonly knex: Knex
  readonly rows: <T>(q: Knex.QueryBuilder | Knex.Raw) => Promise<T[]>
  /** Rows an update changed. */
  readonly changed: (q: Knex.QueryBuilder) => Promise<number>
  readonly transaction: <A>(f: (run: Runner) => Promise<A>) => Promise<A>
  readonly close: () => Promise<void>
}

const knexRunner = (knex: Knex, close = () => knex.destroy()): Runner => ({
  knex,
  rows: async <T>(q: Knex.QueryBuilder | Knex.Raw) => (await q) as T[],
  changed: async (q) => Number(await q),
  transaction: (f) => knex.transaction((tx) => f(knexRunner(tx))),
  close,
})

const pgRunner = (sql: postgres.Sql | postgres.TransactionSql, knex: Knex, close: () => Promise<void>): Runner => {
  const send = (q: Knex.QueryBuilder | Knex.Raw) => {
    const { sql: text, bindings } = q.toSQL().toNative()
    return sql.unsafe(text, bindings as never[], { prepare: true })
  }
  return {
    knex,
    rows: async <T>(q: Knex.QueryBuilder | Knex.Raw) => [...(await send(q))] as T[],
    changed: async (q) => (await send(q)).count,
    transaction: (f) => (sql as postgres.Sql).begin((tx) => f(pgRunner(tx, knex, close))) as never,
    close,
  }
}

const mysqlConnection = (url: string) => {
  const u = new URL(url)
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    timezone: 'Z',
  }
}

/** Opens Knex on SQLite (a file), PostgreSQL or MySQL/MariaDB (a URL). */
export const knexImpl = (target: string, dialect: 'sqlite' | 'postgres' | 'mysql' = 'sqlite'): Impl => {
  let r: Runner
  if (dialect === 'sqlite')
    r = knexRunner(
      createKnex({
        client: 'better-sqlite3',
        connection: { filename: target },
        useNullAsDefault: true,
        pool: { min: 1, max: 1 },
      }),
    )
  else if (dialect === 'mysql')
    r = knexRunner(createKnex({ client: 'mysql2', connection: mysqlConnection(target), pool: { min: 1, max: 1 } }))
  else {
    const sql = openPg(target)
    r = pgRunner(sql, createKnex({ client: 'pg' }), () => sql.end())
  }
  const { knex } = r
  const pg = dialect === 'postgres'
  const contains = pg ? 'strpos(??, ?) > 0' : 'instr(??, ?) > 0'
  const books = (on = knex) => on('book').select(BOOK_COLS)
  const readBooks = async (q: Knex.QueryBuilder, run = r) => (await run.rows<RawBook>(q)).map(toBook)
  const filtered = (term: string, minRating: number) =>
    books()
      .whereRaw(contains, ['title', term])
      .where('rating', '>=', minRating)
      .orderBy([
        { column: 'rating', order: 'desc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(20)
  const toRow = (b: NewBook) => ({
    title: b.title,
    rating: b.rating,
    published_at: dialect === 'sqlite' ? utcText(b.publishedAt) : b.publishedAt,
    author_id: b.authorId,
  })
  /** Inserts rows and returns them (MySQL: no RETURNING, so a select of the ids from the insert's first). */
  const insert = async (rows: ReadonlyArray<NewBook>, run = r): Promise<BookRow[]> => {
    // Knex writes a multi-row insert on SQLite as `SELECT … UNION ALL SELECT …`, which SQLite
    // takes up to 500 terms: longer lists go in chunks of 500 (Knex's `batchInsert` does the same).
    if (dialect === 'sqlite' && rows.length > 500) {
      const out: BookRow[] = []
      for (let k = 0; k < rows.length; k += 500) out.push(...(await insert(rows.slice(k, k + 500), run)))
      return out
    }
    const q = run.knex('book').insert(rows.map(toRow))
    if (dialect !== 'mysql') return readBooks(q.returning(BOOK_COLS), run)
    const [first] = await q
    return readBooks(
      books(run.knex)
        .where('id', '>=', first)
        .where('id', '<', first + rows.length)
        .orderBy('id'),
      run,
    )
  }
  // Up to 100 values through `whereIn`; a longer list as the raw driver's one-parameter form on
  // SQLite and PostgreSQL, `whereIn` on MySQL (mysql2 writes the values into the statement).
  const itemsIn = (column: string, values: ReadonlyArray<number | string>) => {
    const q = knex('item').select(ITEM_COLS)
    const where =
      values.length <= 100 || dialect === 'mysql'
        ? q.whereIn(column, values as number[])
        : pg
          ? q.whereRaw(`?? = ANY(?::${column === 'name' ? 'text' : 'int'}[])`, [column, values as number[]])
          : q.whereRaw('?? IN (SELECT value FROM json_each(?))', [column, JSON.stringify(values)])
    return r.rows<ItemRow>(where.orderBy('id'))
  }
  const ownersWithItems = async (after: number, n: number) => {
    const os = await r.rows<OwnerRow>(knex('owner').select('id', 'name').where('id', '>', after).orderBy('id').limit(n))
    return withItems(
      os,
      await itemsIn(
        'owner_id',
        os.map((o) => o.id),
      ),
    )
  }
  const numbers = <T extends Record<string, unknown>>(rows: T[], keys: ReadonlyArray<keyof T>): T[] =>
    pg
      ? rows.map((x) => ({ ...x, ...Object.fromEntries(keys.map((k) => [k, x[k] === null ? null : Number(x[k])])) }))
      : rows
  return {
    name: 'knex',
    ops: {
      pointSelect: { adhoc: async (i) => (await readBooks(books().where('id', input.pointSelect(i).id)))[0] },
      filteredList: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          return readBooks(filtered(term, minRating))
        },
      },
      relationLoad: {
        adhoc: async (i) => {
          const as = await r.rows<AuthorRow>(
            knex('author').select('id', 'name').where('id', '>', input.relationLoad(i).after).orderBy('id').limit(20),
          )
          const bs = await readBooks(
            books()
              .whereIn(
                'author_id',
                as.map((a) => a.id),
              )
              .orderBy('id'),
          )
          return withBooks(as, bs)
        },
      },
      groupedAggregate: {
        adhoc: async (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          const rows = await r.rows<{ authorId: number; books: number; avgRating: number | null }>(
            knex('book')
              .select('author_id as authorId')
              .count('* as books')
              .avg('rating as avgRating')
              .whereBetween('author_id', [lo, hi])
              .groupBy('author_id')
              .orderBy('author_id'),
          )
          return numbers(rows, ['books', 'avgRating'])
        },
      },
      aggregateTop: {
        adhoc: async (i) => {
          const rows = await r.rows<{ authorId: number; books: number }>(
            knex('book')
              .select('author_id as authorId')
              .count('* as books')
              .whereRaw(contains, ['title', input.aggregateTop(i).term])
              .groupBy('author_id')
              .orderBy([
                { column: 'books', order: 'desc' },
                { column: 'author_id', order: 'asc' },
              ])
              .limit(10),
          )
          return numbers(rows, ['books'])
        },
      },
      compileOnly: {
        adhoc: (i) => {
          const { term, minRating } = input.filteredList(i)
          const { sql, bindings } = filtered(term, minRating).toSQL().toNative()
          return { sql, params: bindings }
        },
      },
      decode100k: { adhoc: () => tenTimes(() => readBooks(books())) },
      singleInsert: { adhoc: async (i) => (await insert([newBook(i)]))[0] },
      bulkInsert: { adhoc: (i) => r.transaction((tx) => insert(newBooks(i), tx)) },
      updateByFilter: {
        adhoc: (i) => {
          const { authorId, rating } = input.update(i)
          return r.changed(knex('book').where('author_id', authorId).update({ rating }))
        },
      },
      updateByExpression: {
        adhoc: (i) =>
          r.changed(
            knex('book')
              .where('author_id', input.update(i).authorId)
              .update({ rating: knex.raw('?? + 1', ['rating']) }),
          ),
      },
      inList100: { adhoc: (i) => itemsIn('id', input.inList100(i).ids) },
      inList10k: { adhoc: (i) => itemsIn('id', input.inList10k(i).ids) },
      inList70k: { adhoc: (i) => itemsIn('id', input.inList70k(i).ids) },
      nameIn2k: { adhoc: (i) => itemsIn('name', input.nameIn2k(i).names) },
      prefetch1k: { adhoc: (i) => ownersWithItems(input.prefetch1k(i).after, 1000) },
      prefetch10k: { adhoc: (i) => ownersWithItems(input.prefetch10k(i).after, 10000) },
    },
    close: r.close,
  }
}
