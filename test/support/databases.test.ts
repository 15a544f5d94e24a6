import postgres from 'postgres'
import * as mysql from 'mysql2/promise'
import {
  DIALECTS,
  MYSQL_URL,
  PG_URL,
  createIsolated,
  databaseOf,
  isolatedName,
  parseDialects,
  withDatabase,
  type DialectName,
  type IsolatedDatabase,
} from './databases'

describe('isolatedName', () => {
  it('is prefixed, lowercase, identifier-safe and at most 63 characters', () => {
    for (const label of ['filters', 'Weird Label/with..chars-ÄÖ', 'x'.repeat(200), '', '___', '9lives']) {
      const name = isolatedName(label)
      expect(name).toMatch(/^terrapin_[a-z0-9_]+$/)
      expect(name.length).toBeLessThanOrEqual(63)
      expect(name).toContain(`_${process.pid}_`)
    }
    expect(isolatedName('Weird Label/with..chars')).toMatch(/^terrapin_weird_label_with_chars_\d+_[0-9a-f]+$/)
  })

  it('keeps the unique suffix when the label is long', () => {
    const a = isolatedName('y'.repeat(100))
    const b = isolatedName('y'.repeat(100))
    expect(a).not.toBe(b)
    expect(a).toMatch(new RegExp(`_${process.pid}_[0-9a-f]{12}$`))
  })

  it('never repeats', () => {
    const names = new Set(Array.from({ length: 1000 }, () => isolatedName('same')))
    expect(names.size).toBe(1000)
  })
})

describe('URLs and dialect list', () => {
  it('replaces only the database of a URL', () => {
    expect(withDatabase('postgres://root@127.0.0.1:5432/test', 'terrapin_a_1_ff')).toBe(
      'postgres://root@127.0.0.1:5432/terrapin_a_1_ff',
    )
    expect(withDatabase('mysql://u:p%40ss@db.example:3307/test?ssl=false', 'terrapin_b')).toBe(
      'mysql://u:p%40ss@db.example:3307/terrapin_b?ssl=false',
    )
    expect(withDatabase('postgres://root@localhost', 'terrapin_c')).toBe('postgres://root@localhost/terrapin_c')
    expect(databaseOf('mysql://root@127.0.0.1:3306/terrapin_x')).toBe('terrapin_x')
  })

  it('parses TERRAPIN_DIALECTS', () => {
    expect(parseDialects(undefined)).toEqual(['sqlite', 'postgres', 'mysql'])
    expect(parseDialects(' ')).toEqual(['sqlite', 'postgres', 'mysql'])
    expect(parseDialects('mysql, SQLite')).toEqual(['sqlite', 'mysql'])
    expect(() => parseDialects('sqlite,mssql')).toThrow(/mssql/)
  })
})

describe('sqlite', () => {
  it('is an in-memory database with a no-op drop', async () => {
    const db = await createIsolated('sqlite', 'support')
    expect(db.url).toBe('sqlite://:memory:')
    await expect(db.drop()).resolves.toBeUndefined()
  })
})

// ---------------------------------------------------------------------------

interface ServerDriver {
  adminUrl: string
  /** Create a table in the database at `url`, insert a row and read it back. */
  roundTrip(url: string): Promise<Array<{ id: number; name: string }>>
  /** Whether a database called exactly `name` exists on the server. */
  exists(name: string): Promise<boolean>
  /** Open a connection to `url` and leave it open (inside a transaction when possible). */
  leak(url: string): Promise<() => Promise<void>>
}

const pg: ServerDriver = {
  adminUrl: PG_URL,
  async roundTrip(url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    try {
      const [{ db }] = await sql<[{ db: string }]>`SELECT current_database() AS db`
      expect(db).toBe(databaseOf(url))
      await sql`CREATE TABLE person (id integer PRIMARY KEY, name text NOT NULL)`
      await sql`INSERT INTO person (id, name) VALUES (${1}, ${'Ada'})`
      const rows = await sql<Array<{ id: number; name: string }>>`SELECT id, name FROM person ORDER BY id`
      return rows.map((r) => ({ id: r.id, name: r.name }))
    } finally {
      await sql.end({ timeout: 5 })
    }
  },
  async exists(name) {
    const sql = postgres(PG_URL, { max: 1 })
    try {
      const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`
      return rows.length > 0
    } finally {
      await sql.end({ timeout: 5 })
    }
  },
  async leak(url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    await sql`SELECT 1`
    return async () => {
      await sql.end({ timeout: 1 }).catch(() => {})
    }
  },
}

const my: ServerDriver = {
  adminUrl: MYSQL_URL,
  async roundTrip(url) {
    const conn = await mysql.createConnection(url)
    try {
      const [[row]] = await conn.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db')
      expect(row.db).toBe(databaseOf(url))
      await conn.query('CREATE TABLE person (id integer PRIMARY KEY, name varchar(100) NOT NULL)')
      await conn.query('INSERT INTO person (id, name) VALUES (?, ?)', [1, 'Ada'])
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT id, name FROM person ORDER BY id')
      return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }))
    } finally {
      await conn.end()
    }
  },
  async exists(name) {
    const conn = await mysql.createConnection(MYSQL_URL)
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      )
      return rows.length > 0
    } finally {
      await conn.end()
    }
  },
  async leak(url) {
    const conn = await mysql.createConnection(url)
    // An open transaction that has touched the table holds a metadata lock:
    // without killing it, DROP DATABASE would block forever.
    await conn.query('CREATE TABLE t (id integer)')
    await conn.query('START TRANSACTION')
    await conn.query('SELECT * FROM t')
    return () => {
      conn.destroy()
      return Promise.resolve()
    }
  },
}

type ServerDialect = Exclude<DialectName, 'sqlite'>
const allServers: Array<[ServerDialect, ServerDriver]> = [
  ['postgres', pg],
  ['mysql', my],
]
const servers = allServers.filter(([d]) => DIALECTS.includes(d))

describe.each(servers)('%s', (dialect, driver) => {
  const created: IsolatedDatabase[] = []
  const track = async (label: string): Promise<IsolatedDatabase> => {
    const db = await createIsolated(dialect, label)
    created.push(db)
    return db
  }
  afterAll(async () => {
    // Safety net: nothing a failing test created stays on the server.
    await Promise.all(created.map((db) => db.drop()))
  })

  it('creates a usable isolated database and drops it', async () => {
    const db = await track('support roundtrip')
    const name = databaseOf(db.url)
    expect(name).toMatch(/^terrapin_support_roundtrip_\d+_[0-9a-f]+$/)
    expect(db.url).toBe(withDatabase(driver.adminUrl, name))
    expect(await driver.exists(name)).toBe(true)

    expect(await driver.roundTrip(db.url)).toEqual([{ id: 1, name: 'Ada' }])

    await db.drop()
    expect(await driver.exists(name)).toBe(false)
    // idempotent
    await db.drop()
    expect(await driver.exists(name)).toBe(false)
  })

  it('gives every call a different database', async () => {
    const [a, b] = await Promise.all([track('same label'), track('same label')])
    expect(a.url).not.toBe(b.url)
    // Each is independent: the same table can be created in both.
    expect(await driver.roundTrip(a.url)).toEqual([{ id: 1, name: 'Ada' }])
    expect(await driver.roundTrip(b.url)).toEqual([{ id: 1, name: 'Ada' }])
    await Promise.all([a.drop(), b.drop()])
    expect(await driver.exists(databaseOf(a.url))).toBe(false)
    expect(await driver.exists(databaseOf(b.url))).toBe(false)
  })

  it('drops a database that still has open connections', async () => {
    const db = await track('support leaked')
    const release = await driver.leak(db.url)
    try {
      await db.drop()
      expect(await driver.exists(databaseOf(db.url))).toBe(false)
    } finally {
      await release()
    }
  }, 20_000)
})
