/**
 * The baseline: better-sqlite3 with hand-written SQL and statements prepared once, mapping rows
 * to the same objects the other libraries return (datetimes as Date). Books, items and owners are
 * read as arrays (`raw(true)`) and built as one literal each: measured faster than the driver's
 * own objects (and, for a book, than its object with the datetime's type changed in place). The
 * small results (authors, aggregates) are the driver's objects.
 */
import Database from 'better-sqlite3'
import { AuthorRow, BookRow, ItemRow, input, newBook, newBooks, parseUtc, utcText, withItems } from '../data'
import { itemOf, ownerOf, withBooks } from './common'
import { Impl } from './types'

const BOOK_COLS = 'id, title, rating, published_at AS publishedAt, author_id AS authorId'

/** A book row as the driver reads it: id, title, rating, published_at, author_id. */
type RawBook = readonly [number, string, number | null, string, number]

const toBook = (r: RawBook): BookRow => ({
  id: r[0],
  title: r[1],
  rating: r[2],
  publishedAt: parseUtc(r[3]),
  authorId: r[4],
})

const toBooks = (rs: unknown[]): BookRow[] => (rs as RawBook[]).map(toBook)

const ITEM_COLS = 'item.id, item.name, item.owner_id AS ownerId'

export const open = (file: string): Database.Database => {
  const db = new Database(file)
  db.pragma('foreign_keys = ON')
  db.pragma('journal_mode = WAL')
  return db
}

/** Rows per statement of the raw bulk insert (the fastest of 1, 8, 40, 50 and 100 measured). */
const ROWS_PER_INSERT = 50

export const FILTERED_SQL = `SELECT ${BOOK_COLS} FROM book WHERE instr(title, ?) > 0 AND rating >= ? ORDER BY rating DESC, id ASC LIMIT 20`

export const rawSqlite = (file: string): Impl => {
  const db = open(file)
  const byId = db.prepare(`SELECT ${BOOK_COLS} FROM book WHERE id = ?`).raw(true)
  const filtered = db.prepare(FILTERED_SQL).raw(true)
  const authorsAfter = db.prepare('SELECT id, name FROM author WHERE id > ? ORDER BY id LIMIT 20')
  /** Statements prepared once per key (a length), reading books as arrays: `sql` says the text of each. */
  const preparedBy = <K>(sql: (key: K) => string): ((key: K) => Database.Statement) => {
    const byKey = new Map<K, Database.Statement>()
    return (key) => {
      let st = byKey.get(key)
      if (!st) byKey.set(key, (st = db.prepare(sql(key)).raw(true)))
      return st
    }
  }
  const booksOf = preparedBy(
    (n: number) => `SELECT ${BOOK_COLS} FROM book WHERE author_id IN (${Array(n).fill('?').join(', ')}) ORDER BY id`,
  )
  const grouped = db.prepare(
    'SELECT author_id AS authorId, COUNT(*) AS books, AVG(rating) AS avgRating FROM book WHERE author_id BETWEEN ? AND ? GROUP BY author_id ORDER BY author_id',
  )
  const top = db.prepare(
    'SELECT author_id AS authorId, COUNT(*) AS books FROM book WHERE instr(title, ?) > 0 GROUP BY author_id ORDER BY books DESC, author_id LIMIT 10',
  )
  const bump = db.prepare('UPDATE book SET rating = rating + 1 WHERE author_id = ?')
  const allBooks = db.prepare(`SELECT ${BOOK_COLS} FROM book`).raw(true)
  const insert = db
    .prepare(`INSERT INTO book (title, rating, published_at, author_id) VALUES (?, ?, ?, ?) RETURNING ${BOOK_COLS}`)
    .raw(true)
  const update = db.prepare('UPDATE book SET rating = ? WHERE author_id = ?')
  const insertOne = (b: ReturnType<typeof newBook>): BookRow =>
    toBook(insert.get(b.title, b.rating, utcText(b.publishedAt), b.authorId) as RawBook)
  // Multi-row INSERTs of up to ROWS_PER_INSERT rows, each length prepared once, inside one
  // transaction: measured faster than one single-row INSERT reused for every row (bench/README).
  const insertRows = preparedBy(
    (n: number) =>
      `INSERT INTO book (title, rating, published_at, author_id) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')} RETURNING ${BOOK_COLS}`,
  )
  const insertMany = db.transaction((rows: ReturnType<typeof newBooks>): BookRow[] => {
    const out: BookRow[] = []
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const n = Math.min(ROWS_PER_INSERT, rows.length - i)
      const args: unknown[] = []
      for (let j = i; j < i + n; j++) {
        const b = rows[j]
        args.push(b.title, b.rating, utcText(b.publishedAt), b.authorId)
      }
      for (const r of insertRows(n).all(...args) as RawBook[]) out.push(toBook(r))
    }
    return out
  })
  // A list of up to 100 values as placeholders (a statement per length). A longer list of ids as
  // JSON joined through json_each, each id a rowid lookup: a placeholder per value is slower from
  // a few thousand on and stops at 32,766, and `IN (SELECT value FROM json_each(?))` lets SQLite
  // scan the whole table; the join is correct here because the lists hold no value twice. Any
  // other column through `IN (SELECT value FROM json_each(?))`: joined, SQLite would read the
  // JSON again for every row of the table.
  // Rows read as arrays and built as literals, except in the longest read (the 70,000 ids), where
  // the driver's own objects were measured faster (bench/README): an array per row and the object
  // built from it fill the young generation twice as fast.
  const inN = new Map<string, Database.Statement>()
  const itemsIn = (column: string, values: ReadonlyArray<unknown>, objects = false): ItemRow[] => {
    const key = `${values.length <= 100 ? `${column} ${values.length}` : column}${objects ? ' objects' : ''}`
    let st = inN.get(key)
    if (!st)
      inN.set(
        key,
        (st = db
          .prepare(
            values.length <= 100
              ? `SELECT ${ITEM_COLS} FROM item WHERE ${column} IN (${values.map(() => '?').join(', ')}) ORDER BY item.id`
              : column === 'id'
                ? `SELECT ${ITEM_COLS} FROM json_each(?) AS j JOIN item ON item.id = j.value ORDER BY item.id`
                : `SELECT ${ITEM_COLS} FROM item WHERE ${column} IN (SELECT value FROM json_each(?)) ORDER BY item.id`,
          )
          .raw(!objects)),
      )
    const rows = values.length <= 100 ? st.all(...values) : st.all(JSON.stringify(values))
    return objects ? (rows as ItemRow[]) : (rows as unknown[][]).map(itemOf)
  }
  const ownersAfter = db.prepare('SELECT id, name FROM owner WHERE id > ? ORDER BY id LIMIT ?').raw(true)
  const ownersWithItems = (after: number, n: number) => {
    const os = (ownersAfter.all(after, n) as unknown[][]).map(ownerOf)
    return withItems(
      os,
      itemsIn(
        'owner_id',
        os.map((o) => o.id),
      ),
    )
  }
  return {
    name: 'raw',
    ops: {
      pointSelect: { prepared: (i) => toBook(byId.get(input.pointSelect(i).id) as RawBook) },
      filteredList: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return toBooks(filtered.all(term, minRating))
        },
      },
      relationLoad: {
        prepared: (i) => {
          const as = authorsAfter.all(input.relationLoad(i).after) as AuthorRow[]
          const bs = toBooks(booksOf(as.length).all(as.map((a) => a.id)))
          return withBooks(as, bs)
        },
      },
      groupedAggregate: {
        prepared: (i) => {
          const { lo, hi } = input.groupedAggregate(i)
          return grouped.all(lo, hi)
        },
      },
      aggregateTop: { prepared: (i) => top.all(input.aggregateTop(i).term) },
      compileOnly: {
        prepared: (i) => {
          const { term, minRating } = input.filteredList(i)
          return { sql: FILTERED_SQL, params: [term, minRating] }
        },
      },
      decode100k: {
        prepared: () => Array.from({ length: 10 }, () => toBooks(allBooks.all())),
      },
      singleInsert: { prepared: (i) => insertOne(newBook(i)) },
      bulkInsert: { prepared: (i) => insertMany(newBooks(i)) },
      updateByFilter: {
        prepared: (i) => {
          const { authorId, rating } = input.update(i)
          return update.run(rating, authorId).changes
        },
      },
      updateByExpression: { prepared: (i) => bump.run(input.update(i).authorId).changes },
      inList100: { prepared: (i) => itemsIn('id', input.inList100(i).ids) },
      inList10k: { prepared: (i) => itemsIn('id', input.inList10k(i).ids) },
      inList70k: { prepared: (i) => itemsIn('id', input.inList70k(i).ids, true) },
      nameIn2k: { prepared: (i) => itemsIn('name', input.nameIn2k(i).names) },
      prefetch1k: { prepared: (i) => ownersWithItems(input.prefetch1k(i).after, 1000) },
      prefetch10k: { prepared: (i) => ownersWithItems(input.prefetch10k(i).after, 10000) },
    },
    close: () => Promise.resolve(void db.close()),
  }
}
