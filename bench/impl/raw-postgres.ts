/**
 * The PostgreSQL baseline: postgres.js with hand-written SQL, each statement prepared on the
 * server (`prepare: true`), rows mapped to the same objects as the other libraries. A long read
 * (the 100,000 rows, the long lists, the prefetches) takes its rows one by one as arrays
 * (`values().forEach`) and builds each object as one literal: each raw row dies young, where
 * postgres.js's own objects are all kept until the last row has arrived.
 */
import postgres from 'postgres'
import { AuthorRow, BookRow, NewBook, input, newBook, newBooks, withItems } from '../data'
import { itemOf, ownerOf, tenTimes, withBooks } from './common'
import { Impl } from './types'

const BOOK_COLS = 'id, title, rating, published_at AS "publishedAt", author_id AS "authorId"'

export const FILTERED_PG = `SELECT ${BOOK_COLS} FROM book WHERE strpos(title, $1) > 0 AND rating >= $2 ORDER BY rating DESC, id ASC LIMIT 20`

const ITEM_COLS = 'id, name, owner_id AS "ownerId"'

type Values = ReadonlyArray<unknown>
const toBook = (r: Values): BookRow => ({
  id: r[0] as number,
  title: r[1] as string,
  rating: r[2] as number | null,
  publishedAt: r[3] as Date,
  authorId: r[4] as number,
})

/** What postgres.js's query gives for reading rows one by one as arrays. */
interface RowByRow {
  values(): { forEach(f: (row: Values) => void): Promise<unknown> }
}

export const openPg = (url: string) => postgres(url, { max: 1, onnotice: () => undefined })

export const rawPostgres = (url: string): Impl => {
  const sql = openPg(url)
  const q = <T>(text: string, params: unknown[]) =>
    sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<T[]>
  /** A long read: rows one by one as arrays, each built by `build` as it arrives. */
  const long = async <T>(text: string, params: unknown[], build: (r: Values) => T): Promise<T[]> => {
    const out: T[] = []
    await (sql.unsafe(text, params as never[], { prepare: true }) as unknown as RowByRow)
      .values()
      .forEach((r) => void out.push(build(r)))
    return out
  }
  const insertOne = async (b: NewBook, tx = sql): Promise<BookRow> =>
    (
      (await tx.unsafe(
        `INSERT INTO book (title, rating, published_at, author_id) VALUES ($1, $2, $3, $4) RETURNING ${BOOK_COLS}`,
        [b.title, b.rating, b.publishedAt, b.authorId] as never[],
        { prepare: true },
      )) as unknown as BookRow[]
    )[0]
  // A long list is one parameter typed as an array (postgres.js writes the JS array as its
  // literal): the server reads it once, and the planner hashes it as a constant.
  const itemsIn = (ids: number[]) =>
    long(`SELECT ${ITEM_COLS} FROM item WHERE id = ANY($1::int[]) ORDER BY id`, [ids], itemOf)
  const ownersWithItems = async (after: number, n: number) => {
    const os = await long('SELECT id, name FROM owner WHERE id > $1 ORDER BY id LIMIT $2', [after, n], ownerOf)
    const is = await long(
      `SELECT ${ITEM_COLS} FROM item WHERE owner_id = ANY($1::int[]) ORDER BY id`,
      [os.map((o) => o.id)],
      itemOf,
    )
    return withItems(os, is)
  }
  return {
    name: 'raw',
    ops: {
      pointSelect: {
        prepared: async (i) =>
          (await q<BookRow>(`SELECT ${BOOK_COLS} FROM book WHERE id = $1`, [input.pointSelect(i).id]))[0],
      },
      filteredList: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return q<BookRow>(FILTERED_PG, [term, minRating])
        },
      },
      relationLoad: {
        prepared: async (i) => {
          const as = await q<AuthorRow>('SELECT id, name FROM author WHERE id > $1 ORDER BY id LIMIT 20', [
            input.relationLoad(i).after,
          ])
          const bs = await q<BookRow>(`SELECT ${BOOK_COLS} FROM book WHERE author_id = ANY($1::int[]) ORDER BY id`, [
            as.map((a) => a.id),
          ])
          return withBooks(as, bs)
        },
      },
      groupedAggregate: {
        prepared: async (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          const rows = await q<{ authorId: number; books: string; avgRating: string | null }>(
            'SELECT author_id AS "authorId", COUNT(*) AS books, AVG(rating) AS "avgRating" FROM book WHERE author_id BETWEEN $1 AND $2 GROUP BY author_id ORDER BY author_id',
            [lo, hi],
          )
          // COUNT is a bigint and AVG a numeric: postgres.js returns both as text.
          return rows.map((r) => ({
            authorId: r.authorId,
            books: Number(r.books),
            avgRating: r.avgRating === null ? null : Number(r.avgRating),
          }))
        },
      },
      aggregateTop: {
        prepared: async (i) =>
          (
            await q<{ authorId: number; books: string }>(
              'SELECT author_id AS "authorId", COUNT(*) AS books FROM book WHERE strpos(title, $1) > 0 GROUP BY author_id ORDER BY books DESC, author_id LIMIT 10',
              [input.aggregateTop(i).term],
            )
          ).map((r) => ({ authorId: r.authorId, books: Number(r.books) })),
      },
      compileOnly: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return { sql: FILTERED_PG, params: [term, minRating] }
        },
      },
      decode100k: {
        prepared: () => tenTimes(async () => long(`SELECT ${BOOK_COLS} FROM book`, [], toBook)),
      },
      singleInsert: { prepared: (i) => insertOne(newBook(i)) },
      // One INSERT … SELECT FROM unnest of four typed arrays: one statement text whatever the row
      // count (parsed and planned once, prepared), four parameters instead of 4,000, and the
      // fastest correct way postgres.js has (a multi-row VALUES of 4,000 placeholders took about
      // a fifth longer). Datetimes go as ISO text, which the timestamptz[] cast reads.
      bulkInsert: {
        prepared: (i) =>
          sql.begin(async (tx) => {
            const rows = newBooks(i)
            return [
              ...((await tx.unsafe(
                `INSERT INTO book (title, rating, published_at, author_id) SELECT * FROM unnest($1::varchar[], $2::float8[], $3::timestamptz[], $4::int[]) RETURNING ${BOOK_COLS}`,
                [
                  rows.map((b) => b.title),
                  rows.map((b) => b.rating),
                  rows.map((b) => b.publishedAt.toISOString()),
                  rows.map((b) => b.authorId),
                ] as never[],
                { prepare: true },
              )) as unknown as BookRow[]),
            ]
          }),
      },
      updateByFilter: {
        prepared: async (i) => {
          const { authorId, rating } = input.update(i)
          return (
            await sql.unsafe('UPDATE book SET rating = $1 WHERE author_id = $2', [rating, authorId], { prepare: true })
          ).count
        },
      },
      updateByExpression: {
        prepared: async (i) =>
          (
            await sql.unsafe('UPDATE book SET rating = rating + 1 WHERE author_id = $1', [input.update(i).authorId], {
              prepare: true,
            })
          ).count,
      },
      inList100: { prepared: (i) => itemsIn(input.inList100(i).ids) },
      inList10k: { prepared: (i) => itemsIn(input.inList10k(i).ids) },
      inList70k: { prepared: (i) => itemsIn(input.inList70k(i).ids) },
      nameIn2k: {
        prepared: (i) =>
          long(
            `SELECT ${ITEM_COLS} FROM item WHERE name = ANY($1::text[]) ORDER BY id`,
            [input.nameIn2k(i).names],
            itemOf,
          ),
      },
      prefetch1k: { prepared: (i) => ownersWithItems(input.prefetch1k(i).after, 1000) },
      prefetch10k: { prepared: (i) => ownersWithItems(input.prefetch10k(i).after, 10000) },
    },
    close: () => sql.end(),
  }
}
