/**
 * Opening databases: URLs with pool and timeout options, tortoise's `{ engine, credentials }`
 * form, and `init` with several named connections, each app on its `defaultConnection`.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as io from 'io-ts'
import {
  TerrapinFailure,
  connect,
  connectionUrl,
  count,
  create,
  fields,
  inTransaction,
  init,
  model,
  query,
  rowsOf,
  run,
  schema,
  sql,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { MYSQL_URL, PG_URL } from '../support/databases'
import { mysqlDialectFor } from '../../src/compile/mysql'

const { Note } = schema({
  Note: model('Note', { table: 'cn_note', fields: { id: fields.int({ pk: true }), body: fields.text() } }),
})
const { Memo } = schema({
  Memo: model('Memo', { table: 'cn_memo', fields: { id: fields.int({ pk: true }), body: fields.text() } }),
})

/** How many transactions manage to be open at the same time (waiting at most `ms`). */
const simultaneous = async (url: string, wanted: number, ms = 400): Promise<number> => {
  const db = connect(url)
  let inside = 0
  let most = 0
  try {
    await Promise.all(
      Array.from({ length: wanted }, () =>
        inTransaction(db, async (tx) => {
          await tx.executor.all('SELECT 1', [], false)
          most = Math.max(most, ++inside)
          await new Promise((r) => setTimeout(r, ms))
          inside--
        }),
      ),
    )
    return most
  } finally {
    await db.executor.close()
  }
}

/** Which of the server sessions `ids` are still connected, asked from an admin connection. */
const liveSessions = async (dialect: string, ids: ReadonlySet<string>): Promise<unknown[]> => {
  const admin = connect(dialect === 'postgres' ? PG_URL : MYSQL_URL, { pool: 1 })
  try {
    const sql =
      dialect === 'postgres' ? 'SELECT pid FROM pg_stat_activity' : 'SELECT ID FROM information_schema.PROCESSLIST'
    return (await admin.executor.all(sql, [], false)).map((r) => String(r[0])).filter((id) => ids.has(id))
  } finally {
    await admin.executor.close()
  }
}

/** tortoise's credentials for the database of a URL. */
const credentialsOf = (url: string, extra: object = {}) => {
  if (url.startsWith('sqlite:'))
    return { engine: 'tortoise.backends.sqlite', credentials: { file_path: ':memory:', ...extra } }
  const u = new URL(url)
  return {
    engine: u.protocol === 'postgres:' ? 'tortoise.backends.asyncpg' : 'tortoise.backends.mysql',
    credentials: {
      host: u.hostname,
      port: Number(u.port),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password) || undefined,
      database: decodeURIComponent(u.pathname.slice(1)),
      ...extra,
    },
  }
}

forEachDialect('connect and init', [Note], (t) => {
  it('the pool size from the URL bounds how many transactions are open at once', async () => {
    if (t().dialect === 'sqlite') {
      // one connection: transactions take turns whatever the URL says
      expect(await simultaneous(t().url, 3, 50)).toBe(1)
      return
    }
    const sep = t().url.includes('?') ? '&' : '?'
    expect(await simultaneous(`${t().url}${sep}pool=2`, 3)).toBe(2)
    expect(await simultaneous(`${t().url}${sep}pool=3`, 3)).toBe(3)
  })

  it('statements outside transactions share the pool: many at once, on at most its size of sessions', async () => {
    if (t().dialect === 'sqlite') return
    const sep = t().url.includes('?') ? '&' : '?'
    const db = connect(`${t().url}${sep}pool=2`)
    try {
      const session = t().dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()'
      const ids = await Promise.all(
        Array.from({ length: 30 }, async () => String((await db.executor.all(session, [], false))[0][0])),
      )
      expect(ids).toHaveLength(30)
      expect(new Set(ids).size).toBeLessThanOrEqual(2)
      // a refused statement gives its connection back too
      for (let i = 0; i < 5; i++) expect(left(await pipe(query(Memo), count, run(db))())._tag).toBe('QueryError')
      expect(right(await pipe(query(Note), count, run(db))())).toBeGreaterThanOrEqual(0)
    } finally {
      await db.executor.close()
    }
  })

  it('idle pooled connections close after the idle timeout from the URL', async () => {
    if (t().dialect === 'sqlite') return expect(await simultaneous(`${t().url}?idleTimeout=100`, 1, 0)).toBe(1) // no pool
    const sep = t().url.includes('?') ? '&' : '?'
    const idle = connect(`${t().url}${sep}idleTimeout=300`)
    const own = t().dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()'
    try {
      const ids = new Set(
        (await Promise.all([1, 2, 3].map(() => idle.executor.all(own, [], false)))).map((rows) => String(rows[0][0])),
      )
      expect((await liveSessions(t().dialect, ids)).length).toBe(ids.size)
      let alive = ids.size
      for (let i = 0; i < 40 && alive > 0; i++) {
        await new Promise((r) => setTimeout(r, 100))
        alive = (await liveSessions(t().dialect, ids)).length
      }
      expect(alive).toBe(0)
      // and the pool opens new ones when asked again
      expect(right(await pipe(query(Note), count, run(idle))())).toBe(0)
    } finally {
      await idle.executor.close()
    }
  })

  it('postgresql:// and mariadb:// are spellings of postgres:// and mysql://', async () => {
    if (t().dialect === 'sqlite') return expect(() => connect('sqlite3://x')).toThrow(TerrapinFailure)
    const alias = t()
      .url.replace(/^postgres:/, 'postgresql:')
      .replace(/^mysql:/, 'mariadb:')
    expect(alias).not.toBe(t().url)
    const db = connect(alias)
    try {
      expect(db.executor.dialect.name).toBe(t().dialect)
      expect(right(await pipe(query(Note), count, run(db))())).toBeGreaterThanOrEqual(0)
    } finally {
      await db.executor.close()
    }
  })

  it('a malformed option is a ConfigurationError at connect', () => {
    for (const bad of ['pool=0', 'pool=x', 'connectTimeout=-1', 'idleTimeout=1.5']) {
      const url = t().dialect === 'sqlite' ? `postgres://root@127.0.0.1/x?${bad}` : `${t().url}?${bad}`
      let caught: unknown
      try {
        connect(url)
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(TerrapinFailure)
      expect((caught as TerrapinFailure).error._tag).toBe('ConfigurationError')
    }
  })

  it('tortoise credentials become the same URL, pool and timeouts included', () => {
    const c = credentialsOf(t().url, { maxsize: 4, connectTimeout: 1500, idleTimeout: 30000 })
    if (t().dialect === 'sqlite') return expect(connectionUrl(c)).toBe('sqlite://:memory:')
    const url = new URL(connectionUrl(c))
    const want = new URL(t().url)
    expect([url.protocol, url.host, url.pathname, url.username]).toEqual([
      want.protocol,
      want.host,
      want.pathname,
      want.username,
    ])
    expect(Object.fromEntries(url.searchParams)).toEqual({ pool: '4', connectTimeout: '1500', idleTimeout: '30000' })
  })

  it('init opens several named connections and each app uses its defaultConnection', async () => {
    const made = await init({
      connections: { main: credentialsOf(t().url, { maxsize: 3 }), side: 'sqlite://:memory:' },
      apps: {
        notes: { models: [Note], defaultConnection: 'main' },
        memos: { models: { Memo }, default_connection: 'side' },
      },
      generateSchemas: true,
    })()
    const orm = right(made)
    try {
      expect(orm.dbFor('notes').executor.dialect.name).toBe(t().dialect)
      expect(orm.dbFor('memos').executor.dialect.name).toBe('sqlite')
      right(await pipe(create(Note, { body: 'n' }), run(orm.dbFor('notes')))())
      right(await pipe(create(Memo, { body: 'm' }), run(orm.dbFor('memos')))())
      // the memo table exists only on the side connection
      expect(right(await pipe(query(Memo), count, run(orm.db('side')))())).toBe(1)
      expect(left(await pipe(query(Memo), count, run(orm.db('main')))())._tag).toBe('QueryError')
      expect(right(await pipe(query(Note), count, run(orm.db('main')))())).toBe(1)
    } finally {
      await orm.close()
    }
  })

  it('an app naming a connection that is not configured is a ConfigurationError', async () => {
    const r = await init({
      connections: { main: t().url },
      apps: { notes: { models: [Note], defaultConnection: 'other' } },
    })()
    expect(E.isLeft(r) && r.left._tag).toBe('ConfigurationError')
  })
})

forEachDialect('closed databases', [Note], (t) => {
  it('closing twice is harmless, and a closed database answers ConnectionError', async () => {
    const db = t().dialect === 'sqlite' ? t().db : connect(t().url)
    right(await pipe(query(Note), count, run(db))())
    await db.executor.close()
    await db.executor.close()
    expect(left(await pipe(query(Note), count, run(db))())._tag).toBe('ConnectionError')
    expect(left(await pipe(create(Note, { body: 'late' }), run(db))())._tag).toBe('ConnectionError')
    // raw sql too, its rows and its count, with the same error as any other plan
    const closed = left(await pipe(query(Note), count, run(db))())
    expect(left(await pipe(sql`SELECT ${1} AS one`, rowsOf(io.type({ one: io.number })), run(db))())).toEqual(closed)
    expect(left(await pipe(sql`DELETE FROM ${sql.ident(Note.table)}`, run(db))())).toEqual(closed)
    await expect(inTransaction(db, () => Promise.resolve(1))).rejects.toBeDefined()
  })
})

describe('MySQL or MariaDB, from the server version', () => {
  it('MariaDB 10.10+ gets RETURNING and the Unicode 14 fold, 10.5+ RETURNING, MySQL neither', () => {
    const cases: ReadonlyArray<readonly [string, boolean, boolean]> = [
      ['10.11.19-MariaDB-0+deb12u1', true, true],
      ['5.5.5-10.11.6-MariaDB-log', true, true],
      ['11.4.2-MariaDB', true, true],
      ['10.6.18-MariaDB', true, false],
      ['10.4.34-MariaDB', false, false],
      ['8.0.36', false, false],
      ['8.4.0-commercial', false, false],
    ]
    for (const [version, returning, uca] of cases) {
      const d = mysqlDialectFor(version)
      const mariadb = version.includes('MariaDB')
      expect({
        version,
        returning: d.returning,
        uca: d.fold('x').includes('uca1400'),
        nopad: d.tableSuffix.includes('utf8mb4_nopad_bin'),
      }).toEqual({
        version,
        returning,
        uca,
        nopad: mariadb,
      })
      // MySQL 8 has no utf8mb4_nopad_bin: its binary no-pad collation is utf8mb4_0900_bin
      expect(d.tableSuffix.includes('utf8mb4_0900_bin')).toBe(!mariadb)
    }
  })
})
