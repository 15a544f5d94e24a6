/**
 * The server dialects' setup: a fresh database of the local server (created and dropped as the
 * tests do), terrapin's schema, the same seed rows for every library, and an admin connection.
 * PostgreSQL and MySQL/MariaDB differ only in their driver calls, gathered in a `ServerAdmin`.
 */
import { Dialect } from '../src/compile/dialect'
import { dialects } from '../src'
import { mysqlDialectFor } from '../src/compile/mysql'
import { schemaSql } from '../src/schema/ddl'
import { createIsolated } from '../test/support/databases'
import { BOOKS, authors, books, items, owners } from './data'
import { drizzleMysql } from './impl/drizzle-mysql'
import { drizzlePg } from './impl/drizzle-postgres'
import { knexImpl } from './impl/knex'
import { kysely } from './impl/kysely'
import { openMysql, rawMysql } from './impl/raw-mysql'
import { openPg, rawPostgres } from './impl/raw-postgres'
import { terrapin } from './impl/terrapin'
import { Impl } from './impl/types'
import { Author, Book, Item, Owner } from './models'

/** A database of the dialect, seeded, with the libraries on it and an admin connection. */
export interface Setup {
  readonly impls: ReadonlyArray<Impl>
  readonly database: string
  /** Rows of a compiled statement (the compile-only check runs what each library compiled). */
  readonly rowsOf: (sql: string, params: ReadonlyArray<unknown>) => Promise<ReadonlyArray<{ id: number }>>
  /** Deletes the rows the write workloads added. */
  readonly cleanup: () => Promise<void>
  /** Inserts the owners and items (the long-list workloads' rows), once, when a workload needs them. */
  readonly seedLongLists: () => Promise<void>
  readonly close: () => Promise<void>
}

/** What a server dialect's driver does for the setup. */
interface ServerAdmin {
  readonly rows: (sql: string, params?: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Record<string, unknown>>>
  /** The n-th (0-based) placeholder of a statement. */
  readonly placeholder: (n: number) => string
  readonly dialect: (version: string) => Dialect
  readonly versionSql: string
  /** Statements after the seed (sequences, statistics). */
  readonly afterSeed: ReadonlyArray<string>
  readonly end: () => Promise<void>
}

const insertAll = async (
  admin: ServerAdmin,
  head: string,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): Promise<void> => {
  for (let k = 0; k < rows.length; k += 1000) {
    const part = rows.slice(k, k + 1000)
    const width = part[0].length
    const values = part
      .map((_, j) => `(${Array.from({ length: width }, (_, c) => admin.placeholder(j * width + c)).join(', ')})`)
      .join(', ')
    await admin.rows(`${head} VALUES ${values}`, part.flat())
  }
}

const serverSetup = async (
  name: 'postgres' | 'mysql',
  connect: (url: string) => ServerAdmin,
  libraries: (url: string) => ReadonlyArray<Impl>,
  label: string,
): Promise<Setup> => {
  const iso = await createIsolated(name, 'bench')
  const admin = connect(iso.url)
  const version = String(Object.values((await admin.rows(admin.versionSql))[0])[0])
  for (const s of schemaSql(admin.dialect(version), [Author, Book, Owner, Item], false)) await admin.rows(s)
  await insertAll(
    admin,
    'INSERT INTO author (id, name)',
    authors().map((a) => [a.id, a.name]),
  )
  await insertAll(
    admin,
    'INSERT INTO book (id, title, rating, published_at, author_id)',
    books().map((b) => [b.id, b.title, b.rating, b.publishedAt, b.authorId]),
  )
  for (const s of admin.afterSeed) await admin.rows(s)
  return {
    impls: libraries(iso.url),
    seedLongLists: async () => {
      await insertAll(
        admin,
        'INSERT INTO owner (id, name)',
        owners().map((o) => [o.id, o.name]),
      )
      await insertAll(
        admin,
        'INSERT INTO item (id, name, owner_id)',
        items().map((x) => [x.id, x.name, x.ownerId]),
      )
      for (const s of admin.afterSeed) await admin.rows(s)
    },
    database: `${label.replace('%s', version)}`,
    rowsOf: async (sql, params) => (await admin.rows(sql, params)) as { id: number }[],
    cleanup: async () => void (await admin.rows(`DELETE FROM book WHERE id > ${admin.placeholder(0)}`, [BOOKS])),
    close: async () => {
      await admin.end()
      await iso.drop()
    },
  }
}

const pgAdmin = (url: string): ServerAdmin => {
  const sql = openPg(url)
  return {
    rows: async (text, params = []) => await sql.unsafe(text, params as never[]),
    placeholder: (n) => `$${n + 1}`,
    dialect: () => dialects.postgres,
    versionSql: 'SHOW server_version',
    afterSeed: [
      ...['author', 'book'].map(
        (t) => `SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`,
      ),
      'ANALYZE',
    ],
    end: () => sql.end(),
  }
}

const mysqlAdmin = (url: string): ServerAdmin => {
  const pool = openMysql(url)
  return {
    rows: async (text, params = []) => (await pool.query(text, params as never[]))[0] as Record<string, unknown>[],
    placeholder: () => '?',
    dialect: mysqlDialectFor,
    versionSql: 'SELECT VERSION()',
    afterSeed: ['ANALYZE TABLE author, book, owner, item'],
    end: () => pool.end(),
  }
}

export const postgresSetup = (): Promise<Setup> =>
  serverSetup(
    'postgres',
    pgAdmin,
    (url) => [
      rawPostgres(url),
      terrapin(url, 'postgres'),
      kysely(url, 'postgres'),
      knexImpl(url, 'postgres'),
      drizzlePg(url),
    ],
    'PostgreSQL %s (postgres.js, local server)',
  )

export const mysqlSetup = (): Promise<Setup> =>
  serverSetup(
    'mysql',
    mysqlAdmin,
    (url) => [rawMysql(url), terrapin(url, 'mysql'), kysely(url, 'mysql'), knexImpl(url, 'mysql'), drizzleMysql(url)],
    'MySQL/MariaDB %s (mysql2, local server)',
  )
