/**
 * Start-up and shut-down as tortoise does them: `init(config)` with tortoise's config shape
 * (URLs or `{ engine, credentials }`), several connections, `generateSchemas` (safe twice),
 * `closeConnections()`, and `runAsync(main)` which always closes the connections — after
 * which a query is a `ConnectionError` Left, not a crash.
 */
import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import {
  ConnectionConfig,
  TerrapinFailure,
  close,
  closeConnections,
  connect,
  count,
  create,
  generateSchemas,
  init,
  query,
  run,
  runAsync,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { thrownBy } from '../support/matchers'
import { Code, Tag } from './models'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'terrapin-init-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** tortoise's `{ engine, credentials }` for a URL. */
const credentialsOf = (url: string, file: string): ConnectionConfig => {
  if (url.startsWith('sqlite')) return { engine: 'tortoise.backends.sqlite3', credentials: { file_path: file } }
  const u = new URL(url)
  return {
    engine: url.startsWith('postgres') ? 'tortoise.backends.asyncpg' : 'tortoise.backends.mysql',
    credentials: {
      host: u.hostname,
      port: u.port || undefined,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password) || undefined,
      database: u.pathname.slice(1),
    },
  }
}

let k = 0
forEachDialect('init', [], (t) => {
  /** A database for the test: the suite's own (PostgreSQL, MariaDB) or a fresh SQLite file. */
  const url = () => (t().dialect === 'sqlite' ? `sqlite://${join(dir, `db${++k}.sqlite3`)}` : t().url)

  it("takes tortoise's config shape and creates the tables with generateSchemas", async () => {
    const u = url()
    const app = right(
      await init({
        connections: { default: u },
        apps: { models: { models: [Tag, Code], defaultConnection: 'default' } },
        generateSchemas: true,
      })(),
    )
    const db = app.db()
    right(await pipe(create(Tag, { name: 'from init' }), run(db))())
    expect(right(await pipe(query(Tag), count, run(app.dbFor('models')))())).toBe(1)
    expect(app.models('models')).toEqual([Tag, Code])
    await app.close()
    expect(left(await pipe(query(Tag), count, run(db))())._tag).toBe('ConnectionError')
    // the data is there for the next connection (a file, a server)
    const again = connect(u)
    expect(right(await pipe(query(Tag), count, run(again))())).toBe(1)
    await again.executor.run(`DELETE FROM ${again.executor.dialect.quote('core_tag')}`, [])
    await close(again)
  })

  it('takes the { engine, credentials } form and tortoise spellings (default_connection, models as a module)', async () => {
    const file = join(dir, `cred${++k}.sqlite3`)
    const conn = credentialsOf(t().url, file)
    const app = right(
      await init({
        connections: { main: conn },
        apps: { shop: { models: { Tag, notAModel: 42 }, default_connection: 'main' } },
      })(),
    )
    expect(app.models('shop')).toEqual([Tag])
    right(await generateSchemas(app.dbFor('shop'), [Tag], { safe: true })())
    expect(right(await pipe(query(Tag), count, run(app.db('main')))())).toBeGreaterThanOrEqual(0)
    await app.close()
  })

  it("takes tortoise's short form: db_url and modules, generate_schemas", async () => {
    const u = url()
    const app = right(await init({ db_url: u, modules: { models: [Tag, Code] }, generate_schemas: true })())
    right(await pipe(create(Code, { code: 'short', label: 'form' }), run(app.db()))())
    expect(right(await pipe(query(Code), count, run(app.dbFor('models')))())).toBe(1)
    expect(app.models('models')).toEqual([Tag, Code])
    await app.db().executor.run(`DELETE FROM ${app.db().executor.dialect.quote('core_code')}`, [])
    await app.close()
    expect(left(await init({ modules: { models: [Tag] } })())._tag).toBe('ConfigurationError')
  })

  it('opens several connections; each app uses its own', async () => {
    const u = url()
    const side = `sqlite://${join(dir, `side${++k}.sqlite3`)}`
    const app = right(
      await init({
        connections: { default: u, side },
        apps: {
          main: { models: [Tag], defaultConnection: 'default' },
          other: { models: [Code], defaultConnection: 'side' },
        },
        generateSchemas: true,
      })(),
    )
    right(await pipe(create(Code, { code: 'S', label: 'side' }), run(app.dbFor('other')))())
    expect(right(await pipe(query(Code), count, run(app.db('side')))())).toBe(1)
    expect(app.dbFor('other')).toBe(app.db('side'))
    expect(app.dbFor('main')).toBe(app.db())
    expect(() => app.db('nope')).toThrow(TerrapinFailure)
    await app.close()
  })

  it('a config naming a connection that does not exist, or an unknown engine, is a ConfigurationError', async () => {
    expect(
      left(
        await init({
          connections: { default: url() },
          apps: { models: { models: [Tag], defaultConnection: 'other' } },
        })(),
      )._tag,
    ).toBe('ConfigurationError')
    expect(left(await init({ connections: { default: { engine: 'oracle', credentials: {} } }, apps: {} })())._tag).toBe(
      'ConfigurationError',
    )
    expect(left(await init({ connections: { default: 'ftp://x' }, apps: {} })())._tag).toBe('ConfigurationError')
  })

  it('generateSchemas with safe can run twice; without safe the second run fails with a Left', async () => {
    const db = connect(url())
    right(await generateSchemas(db, [Tag, Code], { safe: true })())
    right(await generateSchemas(db, [Tag, Code], { safe: true })())
    const e = left(await generateSchemas(db, [Tag, Code])())
    expect(['QueryError', 'IntegrityError']).toContain(e._tag)
    right(await pipe(create(Tag, { name: 'still works' }), run(db))())
    await db.executor.run(`DELETE FROM ${db.executor.dialect.quote('core_tag')}`, [])
    await close(db)
  })

  it('runAsync returns what main returns and closes every connection afterwards', async () => {
    const u = url()
    let db: ReturnType<typeof connect> | undefined
    const out = await runAsync(async () => {
      const app = right(
        await init({ connections: { default: u }, apps: { models: { models: [Tag] } }, generateSchemas: true })(),
      )
      db = app.db()
      return pipe(query(Tag), count, run(db))()
    })
    expect(E.isRight(out)).toBe(true)
    const after = left(await pipe(query(Tag), count, run(db!))())
    expect(after._tag).toBe('ConnectionError')
  })

  it('runAsync closes the connections when main throws, and rethrows', async () => {
    const db = connect(url())
    const boom = new Error('main failed')
    await expect(
      runAsync(async () => {
        right(await generateSchemas(db, [Tag], { safe: true })())
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(left(await pipe(create(Tag, { name: 'x' }), run(db))())._tag).toBe('ConnectionError')
  })

  it('closeConnections closes what connect opened; closing twice is fine', async () => {
    const a = connect(url())
    const b = connect('sqlite://:memory:')
    await closeConnections()
    for (const db of [a, b])
      expect(left(await pipe(query(Tag), count, run(db))())).toMatchObject({ _tag: 'ConnectionError' })
    await closeConnections()
    await close(a)
  })
})

describe('connect', () => {
  it('sqlite://:memory: is a private in-memory database; sqlite://path a file shared by connections', async () => {
    const m1 = connect('sqlite://:memory:')
    const m2 = connect('sqlite://:memory:')
    right(await generateSchemas(m1, [Tag])())
    expect(left(await pipe(query(Tag), count, run(m2))())._tag).toBe('QueryError')
    const file = join(dir, 'shared.sqlite3')
    const f1 = connect(`sqlite://${file}`)
    const f2 = connect(`sqlite://${file}`)
    right(await generateSchemas(f1, [Tag])())
    right(await pipe(create(Tag, { name: 'shared' }), run(f1))())
    expect(right(await pipe(query(Tag), count, run(f2))())).toBe(1)
    await Promise.all([m1, m2, f1, f2].map(close))
  })

  it('a malformed URL is a ConfigurationError thrown at start-up', () => {
    for (const bad of ['nope', 'ftp://host/db', '://x'])
      expect(thrownBy(() => connect(bad))).toMatchObject({ _tag: 'ConfigurationError' })
  })

  it('a SQLite file that cannot be opened gives ConnectionError Lefts', async () => {
    const db = connect(`sqlite://${join(dir, 'missing-folder', 'x.sqlite3')}`)
    expect(left(await pipe(query(Tag), count, run(db))())._tag).toBe('ConnectionError')
    await close(db)
  })
})
