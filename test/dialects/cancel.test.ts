/**
 * Timeouts and cancellation: a run's `AbortSignal` and `timeoutMs`, and the `statementTimeoutMs`
 * connect option. On the servers the statement must stop there (gone from pg_stat_activity /
 * the PROCESSLIST within a second) and its connection come back to the pool (size 1, so a new
 * query proves it); the error is a `QueryError` of code `'CANCELLED'` or `'TIMEOUT'`. SQLite
 * cannot interrupt a statement: an aborted signal refuses what is not yet sent, a deadline is a
 * `ConfigurationError`.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import postgres from 'postgres'
import * as mysql from 'mysql2/promise'
import {
  Db,
  TerrapinFailure,
  connect,
  count,
  create,
  fields,
  model,
  query,
  run,
  runPromise,
  schema,
  sql,
  transaction,
} from 'terrapin'
import * as TE from 'fp-ts/TaskEither'
import { forEachDialect, left, right } from '../support/dialects'
import { connectionUrl } from '../../src/integrations/tortoise'
import { DIALECTS, DialectName, MYSQL_URL, PG_URL, databaseOf } from '../support/databases'

const { Tick } = schema({
  Tick: model('Tick', {
    table: 'cancel_tick',
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 40 }) },
  }),
})

const CANCELLED = { _tag: 'QueryError', code: 'CANCELLED' }
const TIMEOUT = { _tag: 'QueryError', code: 'TIMEOUT' }

/** A statement that runs for 10 s on the server, marked so that the admin query finds it. */
const sleep = (dialect: DialectName, marker: string) =>
  dialect === 'postgres'
    ? sql([`SELECT pg_sleep(10) AS "${marker}"`] as unknown as TemplateStringsArray)
    : sql([`SELECT SLEEP(10) AS \`${marker}\``] as unknown as TemplateStringsArray)

/** How many statements of `url`'s database containing `marker` the server is running now. */
const runningNow = async (dialect: DialectName, url: string, marker: string): Promise<number> => {
  const name = databaseOf(url)
  if (dialect === 'postgres') {
    const admin = postgres(PG_URL, { max: 1, onnotice: () => undefined })
    try {
      const rows = await admin.unsafe(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid()`,
        [name, `%${marker}%`],
      )
      return rows.length
    } finally {
      await admin.end()
    }
  }
  const admin = await mysql.createConnection(MYSQL_URL)
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Query' AND INFO LIKE ? AND ID <> CONNECTION_ID()`,
      [name, `%${marker}%`],
    )
    return rows.length
  } finally {
    await admin.end()
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

let markers = 0
const newMarker = () => `terrapin_cancel_${process.pid}_${++markers}`

/** Runs the sleep under `options`; checks the error, that it came within a second, and that the server has stopped. */
const interrupted = async (
  dialect: DialectName,
  db: Db,
  url: string,
  options: { signal?: AbortSignal; timeoutMs?: number },
  abortAfter: AbortController | undefined,
  expected: object,
): Promise<void> => {
  const marker = newMarker()
  const t0 = Date.now()
  const pending = pipe(sleep(dialect, marker), run(db, options))()
  await pause(200)
  if (abortAfter) {
    expect(await runningNow(dialect, url, marker)).toBe(1)
    abortAfter.abort()
  }
  const r = await pending
  expect(left(r)).toMatchObject(expected)
  expect(Date.now() - t0).toBeLessThan(1500)
  expect(await runningNow(dialect, url, marker)).toBe(0)
}

forEachDialect(
  'cancel',
  [Tick],
  (t) => {
    beforeEach(() => t().reset())
    const ticks = async () => right(await pipe(query(Tick), count, run(t().db))())

    it('an already-aborted signal sends nothing: a CANCELLED QueryError', async () => {
      const ac = new AbortController()
      ac.abort()
      t().clearLog()
      expect(left(await pipe(create(Tick, { label: 'a' }), run(t().db, { signal: ac.signal }))())).toMatchObject(
        CANCELLED,
      )
      await expect(runPromise(t().db, { signal: ac.signal })(create(Tick, { label: 'a' }))).rejects.toBeInstanceOf(
        TerrapinFailure,
      )
      expect(t().log).toEqual([])
      expect(await ticks()).toBe(0)
    })

    it('a signal not aborted changes nothing', async () => {
      const ac = new AbortController()
      expect(right(await pipe(create(Tick, { label: 'a' }), run(t().db, { signal: ac.signal }))())).toMatchObject({
        label: 'a',
      })
      expect(right(await pipe(query(Tick), count, run(t().db, {}))())).toBe(1)
      if (t().dialect !== 'sqlite')
        expect(right(await pipe(query(Tick), count, run(t().db, { timeoutMs: 5000 }))())).toBe(1)
    })

    it('a signal that aborts inside a transaction stops it there: the rest is not sent, and it rolls back', async () => {
      const ac = new AbortController()
      const r = await transaction(t().db, (tx) =>
        pipe(
          create(Tick, { label: 'a' }),
          run(tx, { signal: ac.signal }),
          TE.chainFirst(() => TE.fromIO(() => ac.abort())),
          TE.chain(() => pipe(create(Tick, { label: 'b' }), run(tx, { signal: ac.signal }))),
        ),
      )()
      expect(left(r)).toMatchObject(CANCELLED)
      expect(await ticks()).toBe(0)
    })

    it('a deadline is refused on SQLite (it cannot interrupt a statement), kept on the servers', async () => {
      t().clearLog()
      const r = await pipe(create(Tick, { label: 'a' }), run(t().db, { timeoutMs: 1000 }))()
      if (t().dialect === 'sqlite') {
        expect(left(r)).toMatchObject({ _tag: 'ConfigurationError' })
        expect(left(r).message).toMatch(/cannot interrupt/)
        expect(t().log).toEqual([])
      } else expect(E.isRight(r)).toBe(true)
      expect(left(await pipe(query(Tick), count, run(t().db, { timeoutMs: -1 }))())).toMatchObject({
        _tag: 'ConfigurationError',
      })
    })

    it('statementTimeoutMs on SQLite is a ConfigurationError at connect', () => {
      if (t().dialect !== 'sqlite') return
      expect(() => connect('sqlite://:memory:', { statementTimeoutMs: 100 })).toThrow(
        /SQLite cannot interrupt a statement/,
      )
      expect(() => connect('sqlite://:memory:?statementTimeout=100')).toThrow(/SQLite cannot interrupt a statement/)
    })
  },
  { pool: 1 },
)

/** The server cases, on a database of their own with a pool of one connection. */
forEachDialect(
  'cancel on the server',
  [Tick],
  (t) => {
    const server = () => t().dialect

    it('a signal cancels the running statement on the server and frees its connection', async () => {
      const ac = new AbortController()
      t().clearLog()
      await interrupted(server(), t().db, t().url, { signal: ac.signal }, ac, CANCELLED)
      // the onQuery hook hears of it with the same error
      expect(t().log.map((e) => e.error)).toEqual([expect.objectContaining(CANCELLED)])
      expect(right(await pipe(query(Tick), count, run(t().db))())).toBe(0)
    })

    it('a run past its timeoutMs is cancelled on the server: TIMEOUT, and the connection is free', async () => {
      await interrupted(server(), t().db, t().url, { timeoutMs: 300 }, undefined, TIMEOUT)
      expect(right(await pipe(query(Tick), count, run(t().db))())).toBe(0)
    })

    it('a signal cancels a statement inside a transaction, which rolls back; the connection is free after', async () => {
      const ac = new AbortController()
      const marker = newMarker()
      const pending = transaction(t().db, (tx) =>
        pipe(
          create(Tick, { label: 'x' }),
          run(tx),
          TE.chain(() => pipe(sleep(server(), marker), run(tx, { signal: ac.signal }))),
        ),
      )()
      await pause(200)
      ac.abort()
      expect(left(await pending)).toMatchObject(CANCELLED)
      expect(await runningNow(server(), t().url, marker)).toBe(0)
      expect(right(await pipe(query(Tick), count, run(t().db))())).toBe(0)
    })

    it('an abort while waiting for the pool ends the run: on MariaDB at once, sending nothing', async () => {
      const first = new AbortController()
      const marker = newMarker()
      const busy = pipe(sleep(server(), marker), run(t().db, { signal: first.signal }))()
      await pause(100)
      const ac = new AbortController()
      const t0 = Date.now()
      const waiting = pipe(query(Tick), count, run(t().db, { signal: ac.signal }))()
      await pause(100)
      ac.abort()
      if (server() === 'mysql') {
        // mysql2's pool hands out a connection at a time: the statement was never sent
        expect(left(await waiting)).toMatchObject(CANCELLED)
        expect(Date.now() - t0).toBeLessThan(1000)
      }
      first.abort()
      expect(left(await busy)).toMatchObject(CANCELLED)
      // postgres.js has already sent it, pipelined behind the busy one: its cancel request goes
      // out when it starts, and it ends either way within a second
      const r = await waiting
      if (E.isLeft(r)) expect(r.left).toMatchObject(CANCELLED)
      expect(Date.now() - t0).toBeLessThan(1500)
      expect(await runningNow(server(), t().url, marker)).toBe(0)
      expect(right(await pipe(query(Tick), count, run(t().db))())).toBe(0)
    })

    it('statementTimeoutMs (connect option and URL parameter) stops a statement on the server: TIMEOUT', async () => {
      const urls: Array<[string, object]> = [
        [t().url, { statementTimeoutMs: 300, pool: 1 }],
        [`${t().url}${t().url.includes('?') ? '&' : '?'}statementTimeout=300&pool=1`, {}],
      ]
      // tortoise's credentials form
      const u = new URL(t().url)
      urls.push([
        connectionUrl({
          engine: server() === 'postgres' ? 'tortoise.backends.asyncpg' : 'tortoise.backends.mysql',
          credentials: {
            host: u.hostname,
            port: u.port,
            user: decodeURIComponent(u.username),
            database: u.pathname.slice(1),
            pool: 1,
            statementTimeout: 300,
          },
        }),
        {},
      ])
      if (server() === 'mysql')
        urls.push([`${t().url}${t().url.includes('?') ? '&' : '?'}max_statement_time=0.3&pool=1`, {}])
      for (const [url, options] of urls) {
        const db = connect(url, options)
        try {
          const marker = newMarker()
          const t0 = Date.now()
          expect(left(await pipe(sleep(server(), marker), run(db))())).toMatchObject(TIMEOUT)
          expect(Date.now() - t0).toBeLessThan(1500)
          expect(await runningNow(server(), t().url, marker)).toBe(0)
          expect(right(await pipe(query(Tick), count, run(db))())).toBe(0)
        } finally {
          await db.executor.close()
        }
      }
    })

    it('an unknown parameter of a MySQL URL is a ConfigurationError, not dropped', () => {
      if (server() !== 'mysql') return
      expect(() => connect(`${t().url}?max_statment_time=1`)).toThrow(/unknown parameter \?max_statment_time=/)
      expect(() => connect(`${t().url}?dateStrings=false`)).toThrow(/unknown parameter/)
      expect(() => connect(`${t().url}?max_statement_time=abc`)).toThrow(/max_statement_time must be/)
    })
  },
  { pool: 1 },
  DIALECTS.filter((d) => d !== 'sqlite'),
)
