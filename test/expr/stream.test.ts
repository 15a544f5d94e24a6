/**
 * stream(db): the rows of a plan as an AsyncIterable fetched in batches — the same rows, in
 * the same order, as run; one statement; breaking out early releases the connection; errors
 * are thrown as TerrapinFailure holding the typed error, a connection lost mid-stream too.
 * (Memory is measured in bench/.)
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Db,
  TerrapinFailure,
  annotate,
  bulkCreate,
  connect,
  count,
  Count,
  fields,
  generateSchemas,
  limit,
  model,
  orderBy,
  query,
  run,
  schema,
  stream,
  transaction,
  values,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { anyNumber } from '../support/matchers'
import { DIALECTS, killRunning } from '../support/databases'
import { Author, Book } from './models'

const N = 2345

const collect = async <A>(it: AsyncIterable<A>, max = Infinity): Promise<A[]> => {
  const out: A[] = []
  for await (const x of it) {
    out.push(x)
    if (out.length >= max) break
  }
  return out
}

forEachDialect('stream', [Author, Book], (t) => {
  beforeAll(async () => {
    await t().reset()
    const [a, b] = right(await pipe(bulkCreate(Author, [{ name: 'a' }, { name: 'b' }]), run(t().db))())
    right(
      await pipe(
        bulkCreate(
          Book,
          Array.from({ length: N }, (_, i) => ({
            title: `t${i}`,
            rating: i % 7 ? i / 10 : null,
            pages: i,
            authorId: i % 3 ? a.id : b.id,
          })),
        ),
        run(t().db),
      )(),
    )
  })

  it('yields the same rows in the same order as run, in one statement', async () => {
    const plan = pipe(query(Book), where({ pages__gte: 10 }), orderBy('-pages'))
    const all = right(await pipe(plan, run(t().db))())
    t().clearLog()
    const streamed = await collect(pipe(plan, stream(t().db, { batchSize: 500 })))
    expect(streamed).toEqual(all)
    expect(t().log.filter((e) => /^SELECT/.test(e.sql))).toHaveLength(1)
    expect(t().log[t().log.length - 1].rows).toBe(N - 10)
  })

  it('streams projections and annotations, and works inside a transaction', async () => {
    const plan = pipe(query(Author), annotate({ n: Count('books') }), orderBy('name'), values('name', 'n'))
    expect(await collect(pipe(plan, stream(t().db, { batchSize: 1 })))).toEqual(right(await pipe(plan, run(t().db))()))
    const inTx = await transaction(t().db, (tx) =>
      TE.fromTask(async () =>
        (await collect(pipe(query(Book), orderBy('id'), limit(5), stream(tx, { batchSize: 2 })))).map((b) => b.pages),
      ),
    )()
    expect(right(inTx)).toEqual([0, 1, 2, 3, 4])
  })

  it('breaking out early releases the connection for the next statements', async () => {
    for (let i = 0; i < 3; i++) {
      const first = await collect(pipe(query(Book), orderBy('id'), stream(t().db, { batchSize: 100 })), 150)
      expect(first.map((b) => b.pages)).toEqual(Array.from({ length: 150 }, (_, k) => k))
      expect(right(await pipe(query(Book), count, run(t().db))())).toBe(N)
    }
  })

  it('breaking out early inside a transaction: its next statements run on the same connection, and it commits', async () => {
    const r = await transaction(t().db, (tx) =>
      TE.fromTask(async () => {
        const first = await collect(pipe(query(Book), orderBy('id'), stream(tx, { batchSize: 100 })), 150)
        const again = await collect(pipe(query(Book), orderBy('id'), stream(tx, { batchSize: 7 })), 10)
        const [author] = await pipe(bulkCreate(Author, [{ name: 'after the break' }]), run(tx))().then(right)
        return { first: first.length, again: again.map((b) => b.pages), author: author.name }
      }),
    )()
    expect(right(r)).toEqual({ first: 150, again: Array.from({ length: 10 }, (_, k) => k), author: 'after the break' })
    expect(right(await pipe(query(Author), where({ name: 'after the break' }), count, run(t().db))())).toBe(1)
    expect(right(await pipe(query(Book), count, run(t().db))())).toBe(N)
  })

  it('throws TerrapinFailure with the typed error for an invalid plan or a bad batch size', async () => {
    const fail = async (it: AsyncIterable<unknown>): Promise<string> => {
      try {
        await collect(it)
      } catch (e) {
        if (e instanceof TerrapinFailure) return e.error._tag
        throw e
      }
      return 'no error'
    }
    expect(await fail(pipe(query(Book), limit(-1), stream(t().db)))).toBe('ValidationError')
    expect(await fail(pipe(query(Book), stream(t().db, { batchSize: 0 })))).toBe('ValidationError')
  })

  it('closing the database ends a stream left unfinished: close resolves, the loop fails with ConnectionError at its next batch', async () => {
    // (before: SQLite refused to close, "busy executing a query"; MariaDB's close never resolved)
    const db = connect(t().url)
    try {
      if (t().dialect === 'sqlite') {
        right(await generateSchemas(db, [Author, Book])())
        const [a] = right(await pipe(bulkCreate(Author, [{ name: 'a' }]), run(db))())
        right(
          await pipe(
            bulkCreate(
              Book,
              Array.from({ length: 1000 }, (_, i) => ({ title: `t${i}`, pages: i, authorId: a.id })),
            ),
            run(db),
          )(),
        )
      }
      const it = pipe(query(Book), orderBy('id'), stream(db, { batchSize: 100 }))[Symbol.asyncIterator]()
      for (let i = 0; i < 150; i++) expect((await it.next()).done).toBe(false)
      await db.executor.close()
      let rows = 150
      let end = 'no error'
      for (;;)
        try {
          if ((await it.next()).done) break
          rows++
        } catch (e) {
          end = e instanceof TerrapinFailure ? e.error._tag : String(e)
          break
        }
      expect({ rows, end }).toEqual({ rows: 200, end: 'ConnectionError' })
      await expect(collect(pipe(query(Book), stream(db)))).rejects.toThrow('the database is closed')
    } finally {
      await db.executor.close()
    }
  }, 15000)
})

// Rows big enough (about 48 MB) that the server is still sending when its session is killed: more
// than the kernel's socket buffers take in (here up to 32 MB received + 4 MB sent), or MariaDB
// may have sent the whole result, finished the statement, and the kill find nothing running.
const { Page } = schema({
  Page: model('Page', { table: 'x_page', fields: { id: fields.int({ pk: true }), body: fields.text() } }),
})
const PAGES = 8000

forEachDialect(
  'stream, connection lost',
  [Page],
  (t) => {
    beforeAll(async () => {
      for (let i = 0; i < PAGES; i += 1000)
        right(
          await pipe(
            bulkCreate(
              Page,
              Array.from({ length: 1000 }, (_, k) => ({ id: i + k + 1, body: `${i + k}`.padEnd(6000, '.') })),
            ),
            run(t().db),
          )(),
        )
    })

    /**
     * Reads pages in batches of 100, killing the session at the 150th row (mid-batch on the
     * client, mid-result on the server) and going on 100 ms later; `breakAt` leaves the loop.
     * With `kill` false, only reads.
     */
    const read = async (db: Db, breakAt = Infinity, kill = true): Promise<{ rows: number; error?: string }> => {
      let rows = 0
      try {
        for await (const page of pipe(query(Page), orderBy('id'), stream(db, { batchSize: 100 }))) {
          expect(page.id).toBe(++rows)
          if (rows === 150 && kill) {
            expect(await killRunning(t().dialect, t().url, 'x_page')).toBe(1)
            await new Promise((r) => setTimeout(r, 100))
          }
          if (rows >= breakAt) break
        }
      } catch (e) {
        return { rows, error: e instanceof TerrapinFailure ? e.error._tag : `untyped: ${String(e)}` }
      }
      return { rows }
    }
    const recovered = async (): Promise<void> =>
      expect(right(await pipe(query(Page), count, run(t().db))())).toBe(PAGES)

    it('ends the loop with ConnectionError, never a hang or a short result without an error, and the pool recovers', async () => {
      const r = await read(t().db)
      expect(r.error).toBe('ConnectionError')
      expect(r.rows).toBeLessThan(PAGES)
      await recovered()
    }, 15000)

    it('in a transaction: the loop ends with ConnectionError, so does the transaction, and a stream or statement after it fails at once', async () => {
      let inside!: Promise<ReadonlyArray<{ rows: number; error?: string }>>
      const r = await transaction(t().db, (tx) =>
        TE.fromTask(
          () =>
            (inside = read(tx).then(async (first) => [
              first,
              await read(tx, Infinity, false),
              { rows: 0, error: left(await pipe(query(Page), count, run(tx))())._tag },
            ])),
        ),
      )()
      expect(left(r)).toMatchObject({ _tag: 'ConnectionError' })
      // the transaction ends when its connection is lost, the program after it
      expect(await inside).toEqual([
        { rows: anyNumber(), error: 'ConnectionError' },
        { rows: 0, error: 'ConnectionError' },
        { rows: 0, error: 'ConnectionError' },
      ])
      await recovered()
    }, 15000)

    it('leaving the loop after the loss is quiet (no uncaught error), on the pool and in a transaction', async () => {
      expect(await read(t().db, 160)).toEqual({ rows: 160 })
      let inside!: Promise<{ rows: number; error?: string }>
      const r = await transaction(t().db, (tx) => TE.fromTask(() => (inside = read(tx, 160))))()
      expect(await inside).toEqual({ rows: 160 })
      // the COMMIT of a connection known to be lost is not sent (PostgreSQL) or fails (MariaDB:
      // its client, whose socket the stream had paused, may learn of the loss only once COMMIT
      // is written, a loss during COMMIT then, whose outcome it cannot know)
      if (t().dialect === 'mysql' && left(r)._tag === 'TransactionError')
        expect(left(r).message).toMatch(/lost during COMMIT/)
      else expect(left(r)).toMatchObject({ _tag: 'ConnectionError' })
      await new Promise((r) => setTimeout(r, 100))
      await recovered()
    }, 15000)
  },
  {},
  DIALECTS.filter((d) => d !== 'sqlite'),
)
