/**
 * Test harness: isolated databases for cross-dialect tests.
 *
 * Every test file that talks to a real server asks for its own database with
 * `createIsolated(dialect, label)` and drops it in `afterAll`:
 *
 *   for (const dialect of DIALECTS) {
 *     describe(dialect, () => {
 *       let db: IsolatedDatabase
 *       beforeAll(async () => { db = await createIsolated(dialect, 'filters') })
 *       afterAll(async () => { await db?.drop() })
 *       ...
 *     })
 *   }
 *
 * Database names embed the process id and random bytes, so parallel jest
 * workers and repeated runs never collide.
 *
 * Environment:
 *   TERRAPIN_DIALECTS   comma list restricting DIALECTS, e.g. "sqlite,postgres"
 *   TERRAPIN_PG_URL     admin URL for PostgreSQL (default postgres://root@127.0.0.1:5432/test)
 *   TERRAPIN_MYSQL_URL  admin URL for MySQL/MariaDB (default mysql://root@127.0.0.1:3306/test)
 */
import { randomBytes } from 'crypto'
import postgres from 'postgres'
import * as mysql from 'mysql2/promise'

export type DialectName = 'sqlite' | 'postgres' | 'mysql'

const ALL_DIALECTS: ReadonlyArray<DialectName> = ['sqlite', 'postgres', 'mysql']

function isDialectName(s: string): s is DialectName {
  return (ALL_DIALECTS as ReadonlyArray<string>).includes(s)
}

/**
 * Parse a TERRAPIN_DIALECTS value. Unset or blank means "all". Unknown names
 * throw, so a typo cannot silently skip a whole dialect.
 */
export function parseDialects(env: string | undefined): ReadonlyArray<DialectName> {
  if (env === undefined || env.trim() === '') return ALL_DIALECTS
  const wanted = env
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
  const unknown = wanted.filter((s) => !isDialectName(s))
  if (unknown.length > 0) {
    throw new Error(
      `TERRAPIN_DIALECTS: unknown dialect(s) ${unknown.map((s) => JSON.stringify(s)).join(', ')}; ` +
        `expected a comma list of ${ALL_DIALECTS.join(', ')}`,
    )
  }
  return ALL_DIALECTS.filter((d) => wanted.includes(d))
}

/** Dialects to test, in canonical order, filtered by TERRAPIN_DIALECTS. */
export const DIALECTS: ReadonlyArray<DialectName> = parseDialects(process.env.TERRAPIN_DIALECTS)

export const PG_URL: string = process.env.TERRAPIN_PG_URL ?? 'postgres://root@127.0.0.1:5432/test'
export const MYSQL_URL: string = process.env.TERRAPIN_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

export const SQLITE_MEMORY_URL = 'sqlite://:memory:'

/** Common prefix of every database this harness creates. */
export const ISOLATED_PREFIX = 'terrapin_'

/** PostgreSQL truncates identifiers at 63 bytes; MySQL allows 64. Use the smaller. */
const MAX_NAME_LENGTH = 63

export interface IsolatedDatabase {
  /** Connection URL of the new, empty database. */
  readonly url: string
  /** Drop the database. Idempotent; safe to call after a failed create. */
  readonly drop: () => Promise<void>
}

let counter = 0

/**
 * A fresh database name: `terrapin_<label>_<pid>_<random>`, lowercase, only
 * [a-z0-9_], at most 63 characters (the label is shortened to fit; the unique
 * suffix never is).
 */
export function isolatedName(label: string): string {
  counter = (counter + 1) % 0x10000
  // 2 bytes of per-process counter + 4 random bytes: unique within a process
  // for 65536 consecutive calls, and across processes/runs with the pid.
  const random = counter.toString(16).padStart(4, '0') + randomBytes(4).toString('hex')
  const suffix = `_${process.pid}_${random}`
  const room = MAX_NAME_LENGTH - ISOLATED_PREFIX.length - suffix.length
  let safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, Math.max(0, room))
    .replace(/_+$/, '')
  if (safe === '') safe = 'db'
  const name = `${ISOLATED_PREFIX}${safe}${suffix}`.slice(0, MAX_NAME_LENGTH)
  assertSafeName(name)
  return name
}

/** Guard before a name is spliced into DDL (identifiers cannot be parameters). */
function assertSafeName(name: string): void {
  if (!/^terrapin_[a-z0-9_]+$/.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Error(`refusing unsafe database name ${JSON.stringify(name)}`)
  }
}

/** `url` with its database (path) replaced by `database`; user, host, port and query kept. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.href
}

/** The database named in a URL's path. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
}

// ---------------------------------------------------------------------------
// PostgreSQL

async function withPg<T>(f: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(PG_URL, {
    max: 1,
    connect_timeout: 10,
    onnotice: () => {}, // "database ... does not exist, skipping"
  })
  try {
    return await f(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function createPostgres(label: string): Promise<IsolatedDatabase> {
  const name = isolatedName(label)
  await withPg(async (sql) => {
    await sql.unsafe(`CREATE DATABASE "${name}"`)
  })
  return { url: withDatabase(PG_URL, name), drop: once(() => dropPostgres(name)) }
}

async function dropPostgres(name: string): Promise<void> {
  assertSafeName(name)
  // WITH (FORCE) (PostgreSQL 13+) terminates sessions a test left open.
  await withPg(async (sql) => {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  })
}

// ---------------------------------------------------------------------------
// MySQL / MariaDB

async function withMysql<T>(f: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 10_000 })
  try {
    return await f(conn)
  } finally {
    try {
      await conn.end()
    } catch {
      conn.destroy()
    }
  }
}

async function createMysql(label: string): Promise<IsolatedDatabase> {
  const name = isolatedName(label)
  await withMysql(async (conn) => {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  })
  return { url: withDatabase(MYSQL_URL, name), drop: once(() => dropMysql(name)) }
}

async function dropMysql(name: string): Promise<void> {
  assertSafeName(name)
  await withMysql(async (conn) => {
    // Like PostgreSQL's WITH (FORCE): a connection a test leaked inside an open
    // transaction holds metadata locks that would make DROP DATABASE hang.
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
      [name],
    )
    for (const row of rows) {
      try {
        await conn.query('KILL ?', [Number(row.ID)])
      } catch {
        // already gone
      }
    }
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
  })
}

// ---------------------------------------------------------------------------
// Lost connections: sessions ended from outside, as an administrator (or a crash) would

/**
 * Ends the sessions of `url`'s database whose statement contains `marker` (on PostgreSQL the
 * session's latest statement, running or not; on MariaDB the one it is running); returns how many.
 */
export async function killRunning(dialect: DialectName, url: string, marker: string): Promise<number> {
  const name = databaseOf(url)
  if (dialect === 'sqlite') throw new Error('SQLite has no server sessions')
  if (dialect === 'postgres')
    return withPg(
      async (sql) =>
        (
          await sql.unsafe(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE $2 AND pid <> pg_backend_pid()`,
            [name, `%${marker}%`],
          )
        ).length,
    )
  return withMysql(async (conn) => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()',
      [name, `%${marker}%`],
    )
    for (const row of rows) await conn.query('KILL ?', [Number(row.ID)])
    return rows.length
  })
}

/** Ends one session by its id (`pg_backend_pid()`, `CONNECTION_ID()`), once the server has ended it. */
export async function killSession(dialect: DialectName, id: number): Promise<void> {
  if (dialect === 'sqlite') throw new Error('SQLite has no server sessions')
  if (dialect === 'postgres') await withPg((sql) => sql.unsafe('SELECT pg_terminate_backend($1, 5000)', [id]))
  else await withMysql((conn) => conn.query('KILL ?', [id]))
}

// ---------------------------------------------------------------------------

/**
 * Wrap a drop so repeated calls share one successful run, while a failed run
 * may be retried by calling again.
 */
function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => {
    if (done === undefined) {
      done = f().catch((e: unknown) => {
        done = undefined
        throw e
      })
    }
    return done
  }
}

/**
 * Create a fresh, empty database for `dialect` and return its URL plus a
 * `drop` that removes it. `label` (e.g. the test file's name) only makes the
 * database recognisable; uniqueness comes from the pid and random suffix.
 *
 * sqlite: `sqlite://:memory:` (each connection is already isolated), drop is a no-op.
 */
export async function createIsolated(dialect: DialectName, label: string): Promise<IsolatedDatabase> {
  switch (dialect) {
    case 'sqlite':
      return { url: SQLITE_MEMORY_URL, drop: async () => {} }
    case 'postgres':
      return createPostgres(label)
    case 'mysql':
      return createMysql(label)
    default: {
      const never: never = dialect
      throw new Error(`unknown dialect ${String(never)}`)
    }
  }
}
