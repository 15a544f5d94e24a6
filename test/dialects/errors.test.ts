/**
 * Driver errors arrive as the typed union on every dialect: constraint violations as
 * `IntegrityError` with their kind and column/constraint (and never the offending value in the
 * message), unreachable servers as `ConnectionError` within the connect timeout, deadlocks as
 * retryable.
 */
import * as net from 'net'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import {
  Db,
  Executor,
  TerrapinError,
  TerrapinFailure,
  connect,
  inTransaction,
  runPromise,
  stream,
  count,
  create,
  fields,
  isRetryable,
  model,
  query,
  remove,
  run,
  schema,
  transaction,
  update,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { stringMatching } from '../support/matchers'
import { DIALECTS, DialectName, killRunning, killSession } from '../support/databases'

const { Author, Book, Gauge } = schema({
  Author: model('Author', {
    table: 'err_author',
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50, unique: true }) },
  }),
  Book: model('Book', {
    table: 'err_book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 50 }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
    },
  }),
  // created by hand below: the models declare no CHECK constraints
  Gauge: model('Gauge', { table: 'err_gauge', fields: { id: fields.int({ pk: true }), level: fields.int() } }),
})

const SECRET = 'secret-value-7f3a'

/** The error as it would be logged: its own fields, without the driver's `cause`. */
const logged = (e: TerrapinError): string => JSON.stringify({ ...e, cause: undefined })

const elapsed = async <A>(f: () => Promise<A>): Promise<[A, number]> => {
  const t0 = Date.now()
  const a = await f()
  return [a, Date.now() - t0]
}

/** What `inTransaction` rejected with, as the typed union. */
const toTyped = (e: unknown, db: Db): TerrapinError =>
  e instanceof TerrapinFailure ? e.error : db.executor.classify(e)

/** A port nothing listens on (bound, then released). */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(p))
    })
  })

/** A URL of the dialect pointing at `port` on this machine. */
const urlAt = (dialect: DialectName, port: number): string =>
  dialect === 'postgres' ? `postgres://root@127.0.0.1:${port}/test` : `mysql://root@127.0.0.1:${port}/test`

forEachDialect('errors', [Author, Book], (t) => {
  beforeAll(async () => {
    await t().db.executor.run(
      `CREATE TABLE ${t().db.executor.dialect.quote('err_gauge')} (id INTEGER PRIMARY KEY, level INTEGER NOT NULL, CONSTRAINT ck_level_positive CHECK (level > 0))`,
      [],
    )
  })
  beforeEach(async () => {
    await t().reset()
    await t().db.executor.run(`DELETE FROM ${t().db.executor.dialect.quote('err_gauge')}`, [])
  })

  it('a duplicate unique value is IntegrityError unique on the column, without the value', async () => {
    right(await pipe(create(Author, { name: SECRET }), run(t().db))())
    const e = left(await pipe(create(Author, { name: SECRET }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'unique', column: 'name' })
    expect(logged(e)).not.toContain(SECRET)
  })

  it('a duplicate primary key is IntegrityError unique', async () => {
    const a = right(await pipe(create(Author, { name: 'a' }), run(t().db))())
    expect(left(await pipe(create(Author, { id: a.id, name: 'b' }), run(t().db))())).toMatchObject({
      _tag: 'IntegrityError',
      kind: 'unique',
    })
  })

  it('a missing parent is IntegrityError foreignKey (column where the server names it)', async () => {
    const e = left(await pipe(create(Book, { title: SECRET, authorId: 424242 }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'foreignKey' })
    if (t().dialect !== 'sqlite') expect(e).toMatchObject({ column: 'author_id' })
    expect(logged(e)).not.toContain('424242')
  })

  it('deleting a referenced parent (RESTRICT) is IntegrityError foreignKey', async () => {
    const a = right(await pipe(create(Author, { name: 'parent' }), run(t().db))())
    right(await pipe(create(Book, { title: 'child', authorId: a.id }), run(t().db))())
    const { remove } = await import('terrapin')
    expect(left(await pipe(query(Author), where({ id: a.id }), remove, run(t().db))())).toMatchObject({
      _tag: 'IntegrityError',
      kind: 'foreignKey',
    })
  })

  it('a NULL in a NOT NULL column is IntegrityError notNull with the column', async () => {
    const ex = t().db.executor
    const q = ex.dialect.quote
    const ph = ex.dialect.placeholder
    const err = await ex.run(`INSERT INTO ${q('err_author')} (${q('name')}) VALUES (${ph(1)})`, [null]).then(
      () => undefined,
      (e: unknown) => ex.classify(e),
    )
    expect(err).toMatchObject({ _tag: 'IntegrityError', kind: 'notNull', column: 'name' })
  })

  it('a failed CHECK is IntegrityError check with the constraint', async () => {
    const e = left(await pipe(create(Gauge, { id: 1, level: -5 }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'check', constraint: 'ck_level_positive' })
    right(await pipe(create(Gauge, { id: 2, level: 5 }), run(t().db))())
  })

  for (const nested of [false, true])
    it(`two transactions locking rows in opposite orders${nested ? ' (the second lock in a savepoint)' : ''}: one deadlocks (retryable), the other commits`, async () => {
      const a = right(await pipe(create(Author, { name: 'A' }), run(t().db))())
      const b = right(await pipe(create(Author, { name: 'B' }), run(t().db))())
      // Each transaction waits (at most 300 ms: SQLite runs them one after the other) until the
      // other holds its first row.
      const barrier = () => {
        let open!: () => void
        const p = new Promise<void>((r) => (open = r))
        const wait = (): Promise<void> => {
          let timer: NodeJS.Timeout | undefined
          return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, 300)))]).finally(() =>
            clearTimeout(timer),
          )
        }
        return { open, wait }
      }
      const held = [barrier(), barrier()]
      const rename = (db: Db, id: number, name: string) => pipe(query(Author), where({ id }), update({ name }), run(db))
      const tx = (first: number, second: number, i: number) =>
        transaction(t().db, (db) =>
          pipe(
            rename(db, first, `${i}-first`),
            TE.chainFirst(() => TE.fromTask(async () => (held[i].open(), held[1 - i].wait()))),
            TE.chain(() =>
              nested
                ? transaction(db, (inner) => rename(inner, second, `${i}-second`))
                : rename(db, second, `${i}-second`),
            ),
          ),
        )()
      const results = await Promise.all([tx(a.id, b.id, 0), tx(b.id, a.id, 1)])
      const failures = results.filter(E.isLeft).map((r) => r.left)
      if (t().dialect === 'sqlite') expect(failures).toEqual([])
      else {
        expect(failures).toHaveLength(1)
        expect(isRetryable(failures[0])).toBe(true)
      }
      // what committed is whole: both rows renamed by the same transaction
      const names = right(await pipe(query(Author), where({ name__endswith: '-second' }), count, run(t().db))())
      expect(names).toBe(1)
    })

  it('an unreachable database (refused port, missing folder) is ConnectionError, fast', async () => {
    if (t().dialect === 'sqlite') {
      const db = connect('sqlite:///nonexistent-terrapin-dir/sub/db.sqlite3')
      expect(left(await pipe(query(Author), count, run(db))())).toMatchObject({ _tag: 'ConnectionError' })
      return
    }
    const port = await freePort()
    const db = connect(urlAt(t().dialect, port), { connectTimeoutMs: 1000 })
    try {
      const [r, ms] = await elapsed(() => pipe(query(Author), count, run(db))())
      expect(left(r)).toMatchObject({ _tag: 'ConnectionError' })
      expect(ms).toBeLessThan(1500)
    } finally {
      await db.executor.close()
    }
  })
})

const SERVERS = DIALECTS.filter((d) => d !== 'sqlite')

forEachDialect(
  'connection errors',
  [Author],
  (t) => {
    it('a server that accepts but never answers is ConnectionError within the connect timeout', async () => {
      const sockets: net.Socket[] = []
      const srv = net.createServer((s) => void sockets.push(s))
      const port = await new Promise<number>((resolve) =>
        srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)),
      )
      const db = connect(`${urlAt(t().dialect, port)}?connectTimeout=700`)
      try {
        const [r, ms] = await elapsed(() => pipe(query(Author), count, run(db))())
        expect(left(r)).toMatchObject({ _tag: 'ConnectionError' })
        expect(ms).toBeGreaterThanOrEqual(600)
        expect(ms).toBeLessThan(3000)
      } finally {
        sockets.forEach((s) => s.destroy())
        srv.close()
        await db.executor.close()
      }
    })

    it('a value the server rejects is a QueryError whose message does not repeat the value', async () => {
      const ex = t().db.executor
      const q = ex.dialect.quote
      const ph = ex.dialect.placeholder
      const err = await ex
        .run(`INSERT INTO ${q('err_author')} (${q('id')}, ${q('name')}) VALUES (${ph(1)}, ${ph(2)})`, [SECRET, 'x'])
        .then(
          () => undefined,
          (e: unknown) => ex.classify(e),
        )
      expect(err).toMatchObject({ _tag: 'QueryError', retryable: false })
      expect(logged(err!)).not.toContain(SECRET)
      expect(err!.message.length).toBeGreaterThan(10)
    })

    it('a serialization conflict between two transactions is retryable', async () => {
      const db = t().db
      const q = db.executor.dialect.quote
      const arrived = { n: 0 }
      let open!: () => void
      const both = new Promise<void>((r) => (open = r))
      // Each reads the table, waits until the other has read it too, then inserts: a write skew
      // that SERIALIZABLE (PostgreSQL) or shared locks (MySQL) cannot let both commit.
      const attempt = (name: string) =>
        inTransaction(db, async (tx) => {
          const ex = tx.executor
          if (t().dialect === 'postgres') await ex.run('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', [])
          await ex.all(
            `SELECT COUNT(*) FROM ${q('err_author')}${t().dialect === 'mysql' ? ' LOCK IN SHARE MODE' : ''}`,
            [],
            false,
          )
          if (++arrived.n === 2) open()
          await Promise.race([both, new Promise((r) => setTimeout(r, 2000))])
          await runPromise(tx)(create(Author, { name }))
        }).then(
          () => undefined,
          (e: unknown) => toTyped(e, db),
        )
      const errors = (await Promise.all([attempt('first'), attempt('second')])).filter((e) => e !== undefined)
      expect(errors).toHaveLength(1)
      expect(isRetryable(errors[0])).toBe(true)
      expect(errors[0]).toMatchObject({ _tag: 'QueryError', code: stringMatching(/^40(001|P01)$/) })
      expect(right(await pipe(query(Author), count, run(db))())).toBe(1)
    })

    it('a server that comes up after a refused connection is used by the same handle', async () => {
      const real = new URL(t().url)
      const port = await freePort()
      const url = new URL(t().url)
      url.port = String(port)
      const db = connect(url.href, { connectTimeoutMs: 1000 })
      const sockets: net.Socket[] = []
      let proxy: net.Server | undefined
      try {
        expect(left(await pipe(query(Author), count, run(db))())).toMatchObject({ _tag: 'ConnectionError' })
        // now a server answers on that port: a plain TCP relay to the real one
        proxy = net.createServer((client) => {
          const upstream = net.connect(Number(real.port), real.hostname)
          sockets.push(client, upstream)
          client.pipe(upstream).pipe(client)
          const drop = (): void => void (client.destroy(), upstream.destroy())
          client.on('error', drop)
          upstream.on('error', drop)
        })
        await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve))
        right(await pipe(create(Author, { name: 'late server' }), run(db))())
        expect(right(await pipe(query(Author), where({ name: 'late server' }), count, run(t().db))())).toBe(1)
      } finally {
        await db.executor.close()
        sockets.forEach((s) => s.destroy())
        await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)))
      }
    })

    it('a connection lost in the middle of a query is ConnectionError, and the pool recovers', async () => {
      const ex = t().db.executor
      const sleep =
        t().dialect === 'postgres' ? 'SELECT pg_sleep(20) AS terrapin_victim' : 'SELECT SLEEP(20) AS terrapin_victim'
      const pending = ex.all(sleep, [], false).then(
        () => undefined,
        (e: unknown) => ex.classify(e),
      )
      let killed = 0
      for (let i = 0; i < 50 && killed === 0; i++) {
        await new Promise((r) => setTimeout(r, 50))
        killed = await killRunning(t().dialect, t().url, 'terrapin_victim')
      }
      expect(killed).toBe(1)
      expect(await pending).toMatchObject({ _tag: 'ConnectionError' })
      right(await pipe(create(Author, { name: 'after' }), run(t().db))())
      expect(right(await pipe(query(Author), count, run(t().db))())).toBeGreaterThan(0)
    })

    it('a connection killed mid-statement serves the next statement, transaction or stream, once reopened (a pool of one)', async () => {
      // postgres.js 3.4 keeps the killed statement's error and hands it to the first statement
      // the connection is reopened for, unsent; the runner sends that statement again
      const db = connect(`${t().url}?pool=1`)
      try {
        for (const next of ['statement', 'transaction', 'stream'] as const) {
          const marker = `terrapin_one_${next}`
          const sleep =
            t().dialect === 'postgres' ? `SELECT pg_sleep(20) AS ${marker}` : `SELECT SLEEP(20) AS ${marker}`
          const pending = db.executor.all(sleep, [], false).then(
            () => undefined,
            (e: unknown) => db.executor.classify(e),
          )
          let killed = 0
          for (let i = 0; i < 50 && killed === 0; i++) {
            await new Promise((r) => setTimeout(r, 50))
            killed = await killRunning(t().dialect, t().url, marker)
          }
          expect(killed).toBe(1)
          expect(await pending).toMatchObject({ _tag: 'ConnectionError' })
          const name = `after kill, ${next}`
          if (next === 'statement') right(await pipe(create(Author, { name }), run(db))())
          else if (next === 'transaction')
            right(await transaction(db, (tx) => pipe(create(Author, { name }), run(tx)))())
          else {
            const read: string[] = []
            for await (const a of pipe(query(Author), stream(db))) read.push(a.name)
            expect(read.length).toBeGreaterThan(0)
            right(await pipe(create(Author, { name }), run(db))())
          }
          expect(right(await pipe(query(Author), where({ name }), count, run(db))())).toBe(1)
        }
      } finally {
        await db.executor.close()
      }
    })

    it('a connection lost in the middle of a long read (row by row on PostgreSQL, whole on MySQL) is ConnectionError, in a transaction too', async () => {
      const db = t().db
      const sleep = (marker: string): string =>
        t().dialect === 'postgres' ? `SELECT pg_sleep(20) AS ${marker}` : `SELECT SLEEP(20) AS ${marker}`
      const killed = async (marker: string): Promise<number> => {
        let n = 0
        for (let i = 0; i < 50 && n === 0; i++) {
          await new Promise((r) => setTimeout(r, 50))
          n = await killRunning(t().dialect, t().url, marker)
        }
        return n
      }
      // the read a long result takes: PostgreSQL decodes rows as postgres.js hands them over
      const longRead = (ex: Executor, statement: string): Promise<unknown> =>
        ex.decoded ? ex.decoded(statement, [], false, (r) => r) : ex.all(statement, [], false)
      expect(db.executor.decoded === undefined).toBe(t().dialect === 'mysql')
      const outside = longRead(db.executor, sleep('terrapin_row_victim')).then(
        () => undefined,
        (e: unknown) => db.executor.classify(e),
      )
      expect(await killed('terrapin_row_victim')).toBe(1)
      expect(await outside).toMatchObject({ _tag: 'ConnectionError' })
      // inside a transaction (MySQL: the read listens on the transaction's connection)
      const inside = inTransaction(db, (tx) => longRead(tx.executor, sleep('terrapin_tx_victim'))).then(
        () => undefined,
        (e: unknown) => toTyped(e, db),
      )
      expect(await killed('terrapin_tx_victim')).toBe(1)
      expect(await inside).toMatchObject({ _tag: 'ConnectionError' })
      right(await pipe(create(Author, { name: 'after rows' }), run(db))())
      expect(right(await pipe(query(Author), where({ name: 'after rows' }), count, run(db))())).toBe(1)
    })

    // The program kills its own session, waits until the driver has seen the socket close (or
    // not), then runs a statement or returns Right (COMMIT); at the top or in a savepoint. An
    // exception thrown uncaught meanwhile fails the test (postgres.js wrote to the closed socket
    // from a timer): each case waits a little after its result, for a late one to land in it.
    describe.each([
      ['at the top', false],
      ['in a savepoint', true],
    ])('a transaction whose connection is killed, %s', (_where, nested) => {
      const sessionId = async (tx: Db): Promise<number> =>
        Number(
          (
            await tx.executor.all(
              t().dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()',
              [],
              false,
            )
          )[0][0],
        )
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
      it.each([
        ['runs a statement', 200, 'statement'],
        ['returns Right (COMMIT)', 200, 'commit'],
        ['opens a savepoint', 200, 'savepoint'],
        ['at once runs a statement', 0, 'statement'],
        ['at once returns Right (COMMIT)', 0, 'commit'],
        ['at once opens a savepoint', 0, 'savepoint'],
      ] as const)('then %s: ConnectionError, nothing written, the pool recovers', async (_then, waitMs, next) => {
        const db = t().db
        const program = (tx: Db): TE.TaskEither<TerrapinError, unknown> =>
          pipe(
            create(Author, { name: 'before kill' }),
            run(tx),
            TE.chainFirst(() =>
              TE.fromTask(async () => (await killSession(t().dialect, await sessionId(tx)), await pause(waitMs))),
            ),
            TE.chain(() => {
              const after = (db: Db) => pipe(create(Author, { name: 'after kill' }), run(db))
              return next === 'statement'
                ? after(tx)
                : next === 'savepoint'
                  ? transaction(tx, after)
                  : TE.right(undefined)
            }),
          )
        const r = await transaction(db, nested ? (tx) => transaction(tx, program) : program)()
        await pause(100)
        // MySQL's client may learn of the kill only when its COMMIT is sent: a loss during COMMIT
        // then, whose outcome it cannot know (here: nothing written)
        if (next === 'commit' && waitMs === 0 && t().dialect === 'mysql' && left(r)._tag === 'TransactionError')
          expect(left(r)).toMatchObject({
            _tag: 'TransactionError',
            retryable: false,
            message: stringMatching(/lost during COMMIT/),
          })
        else expect(left(r)).toMatchObject({ _tag: 'ConnectionError', retryable: true })
        right(await pipe(create(Author, { name: 'recovered' }), run(db))())
        expect(
          right(
            await pipe(
              query(Author),
              where({ name__in: ['before kill', 'after kill', 'recovered'] }),
              valuesFlat('name'),
              run(db),
            )(),
          ),
        ).toEqual(['recovered'])
        right(await pipe(query(Author), where({ name: 'recovered' }), remove, run(db))())
      })

      it('inTransaction rejects with a TerrapinFailure holding ConnectionError, not the driver error', async () => {
        const db = t().db
        const program = async (tx: Db): Promise<void> => {
          await runPromise(tx)(create(Author, { name: 'before kill' }))
          await killSession(t().dialect, await sessionId(tx))
          await pause(200)
        }
        const e = await (
          nested ? inTransaction(db, (tx) => inTransaction(tx, program)) : inTransaction(db, program)
        ).then(
          () => undefined,
          (x: unknown) => x,
        )
        await pause(100)
        expect(e).toBeInstanceOf(TerrapinFailure)
        expect((e as TerrapinFailure).error).toMatchObject({ _tag: 'ConnectionError' })
        expect(right(await pipe(query(Author), where({ name: 'before kill' }), count, run(db))())).toBe(0)
      })
    })
  },
  {},
  SERVERS,
)
