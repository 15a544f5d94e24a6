/**
 * The MySQL/MariaDB baseline: mysql2 with hand-written SQL on one connection of its own (no pool:
 * the calls are one after another), each statement prepared on the server (`execute`, cached per
 * connection by mysql2), through mysql2's callback API, which is the driver's own: its promise
 * wrapper and its pool cost about a fifth of a point select. Rows mapped to the same objects as
 * the other libraries. MariaDB (10.5+) has `INSERT … RETURNING`, so inserts are one statement.
 */
import * as mysql from 'mysql2'
import * as mysqlPromise from 'mysql2/promise'
import { AuthorRow, BookRow, ItemRow, NewBook, OwnerRow, input, newBook, newBooks, withItems } from '../data'
import { tenTimes, withBooks } from './common'
import { Impl } from './types'

const BOOK_COLS = 'id, title, rating, published_at AS publishedAt, author_id AS authorId'

export const FILTERED_MYSQL = `SELECT ${BOOK_COLS} FROM book WHERE INSTR(title, ?) > 0 AND rating >= ? ORDER BY rating DESC, id ASC LIMIT 20`

const ITEM_COLS = 'id, name, owner_id AS ownerId'

/** One connection (as the other libraries get), datetimes read and written as UTC. */
export const openMysql = (url: string): mysqlPromise.Pool =>
  mysqlPromise.createPool({ uri: url, connectionLimit: 1, timezone: 'Z' })

const placeholders = (rows: number, width: number): string =>
  Array.from({ length: rows }, () => `(${Array(width).fill('?').join(', ')})`).join(', ')

export const rawMysql = (url: string): Impl => {
  const conn = mysql.createConnection({ uri: url, timezone: 'Z' })
  /**
   * A prepared statement's result (`execute`), or a statement written by mysql2 (`query`); no
   * named closure per call, as the harness runs under tsx, which names each one as it is made.
   */
  const send = <T>(how: 'execute' | 'query', text: string, params: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => {
      if (how === 'execute')
        conn.execute(text, params as never, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r as T)))
      else conn.query(text, params, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r as T)))
    })
  const q = <T>(text: string, params: unknown[]): Promise<T[]> => send<T[]>('execute', text, params)
  const changed = async (text: string, params: unknown[]): Promise<number> =>
    (await send<mysql.ResultSetHeader>('execute', text, params)).affectedRows
  const insert = (rows: ReadonlyArray<NewBook>) =>
    q<BookRow>(
      `INSERT INTO book (title, rating, published_at, author_id) VALUES ${placeholders(rows.length, 4)} RETURNING ${BOOK_COLS}`,
      rows.flatMap((b) => [b.title, b.rating, b.publishedAt, b.authorId]),
    )
  // A list of up to 100 values as placeholders of a prepared statement; a longer one written into
  // the statement by mysql2 (`query`, `IN (?)` with an array): a prepared statement stops at
  // 65,535 placeholders and is slower from a few thousand on, JSON_TABLE is slower still.
  const whereIn = <T>(head: string, column: string, values: ReadonlyArray<unknown>): Promise<T[]> =>
    values.length <= 100
      ? q<T>(`${head} WHERE ${column} IN (${values.map(() => '?').join(', ')}) ORDER BY id`, [...values])
      : send<T[]>('query', `${head} WHERE ${column} IN (?) ORDER BY id`, [values])
  const itemsIn = (column: string, values: ReadonlyArray<unknown>) =>
    whereIn<ItemRow>(`SELECT ${ITEM_COLS} FROM item`, column, values)
  const ownersWithItems = async (after: number, n: number) => {
    const os = await q<OwnerRow>(`SELECT id, name FROM owner WHERE id > ? ORDER BY id LIMIT ${n}`, [after])
    return withItems(
      os,
      await itemsIn(
        'owner_id',
        os.map((o) => o.id),
      ),
    )
  }
  return {
    name: 'raw',
    ops: {
      pointSelect: {
        prepared: async (i) =>
          (await q<BookRow>(`SELECT ${BOOK_COLS} FROM book WHERE id = ?`, [input.pointSelect(i).id]))[0],
      },
      filteredList: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return q<BookRow>(FILTERED_MYSQL, [term, minRating])
        },
      },
      relationLoad: {
        prepared: async (i) => {
          const as = await q<AuthorRow>('SELECT id, name FROM author WHERE id > ? ORDER BY id LIMIT 20', [
            input.relationLoad(i).after,
          ])
          const bs = await q<BookRow>(
            `SELECT ${BOOK_COLS} FROM book WHERE author_id IN (${as.map(() => '?').join(', ')}) ORDER BY id`,
            as.map((a) => a.id),
          )
          return withBooks(as, bs)
        },
      },
      groupedAggregate: {
        prepared: (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          return q(
            'SELECT author_id AS authorId, COUNT(*) AS books, AVG(rating) AS avgRating FROM book WHERE author_id BETWEEN ? AND ? GROUP BY author_id ORDER BY author_id',
            [lo, hi],
          )
        },
      },
      aggregateTop: {
        prepared: (i) =>
          q(
            'SELECT author_id AS authorId, COUNT(*) AS books FROM book WHERE INSTR(title, ?) > 0 GROUP BY author_id ORDER BY books DESC, author_id LIMIT 10',
            [input.aggregateTop(i).term],
          ),
      },
      compileOnly: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return { sql: FILTERED_MYSQL, params: [term, minRating] }
        },
      },
      decode100k: {
        prepared: () => tenTimes(async () => q<BookRow>(`SELECT ${BOOK_COLS} FROM book`, [])),
      },
      singleInsert: { prepared: async (i) => (await insert([newBook(i)]))[0] },
      bulkInsert: {
        prepared: async (i) => {
          await send('query', 'START TRANSACTION', [])
          try {
            const rows = await insert(newBooks(i))
            await send('query', 'COMMIT', [])
            return rows
          } catch (e) {
            await send('query', 'ROLLBACK', [])
            throw e
          }
        },
      },
      updateByFilter: {
        prepared: (i) => {
          const { authorId, rating } = input.update(i)
          return changed('UPDATE book SET rating = ? WHERE author_id = ?', [rating, authorId])
        },
      },
      updateByExpression: {
        prepared: (i) => changed('UPDATE book SET rating = rating + 1 WHERE author_id = ?', [input.update(i).authorId]),
      },
      inList100: { prepared: (i) => itemsIn('id', input.inList100(i).ids) },
      inList10k: { prepared: (i) => itemsIn('id', input.inList10k(i).ids) },
      inList70k: { prepared: (i) => itemsIn('id', input.inList70k(i).ids) },
      nameIn2k: { prepared: (i) => itemsIn('name', input.nameIn2k(i).names) },
      prefetch1k: { prepared: (i) => ownersWithItems(input.prefetch1k(i).after, 1000) },
      prefetch10k: { prepared: (i) => ownersWithItems(input.prefetch10k(i).after, 10000) },
    },
    close: () => new Promise<void>((resolve) => conn.end(() => resolve())),
  }
}
