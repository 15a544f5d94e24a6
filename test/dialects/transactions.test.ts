/**
 * Transactions on a pool: one connection from BEGIN to COMMIT/ROLLBACK, savepoints when nested,
 * isolation between concurrent transactions, and no connection leaked by transactions that
 * fail, return a Left, or throw.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import {
  Db,
  TerrapinFailure,
  connect,
  count,
  create,
  fields,
  inTransaction,
  model,
  query,
  run,
  runPromise,
  schema,
  transaction,
  valuesFlat,
  orderBy,
} from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Entry } = schema({
  Entry: model('Entry', {
    table: 'tx_entry',
    fields: { id: fields.int({ pk: true }), tag: fields.int(), label: fields.char({ maxLength: 40, unique: true }) },
  }),
})

/** Resolves when `n` parties have arrived, or after `ms` (so a broken run fails, never hangs). */
const barrier = (n: number, ms = 5000) => {
  let arrived = 0
  let open!: () => void
  const all = new Promise<void>((r) => (open = r))
  return {
    arrive: async (): Promise<boolean> => {
      if (++arrived >= n) open()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))
      return Promise.race([all.then(() => true), late]).finally(() => clearTimeout(timer))
    },
  }
}

const sessionSql = (dialect: string): string =>
  dialect === 'postgres' ? 'SELECT pg_backend_pid()' : dialect === 'mysql' ? 'SELECT CONNECTION_ID()' : 'SELECT 1'

const sessionOf = async (db: Db, dialect: string): Promise<string> =>
  String((await db.executor.all(sessionSql(dialect), [], false))[0][0])

forEachDialect(
  'transactions',
  [Entry],
  (t) => {
    beforeEach(() => t().reset())
    const entries = async (db: Db = t().db) =>
      right(await pipe(query(Entry), orderBy('id'), valuesFlat('label'), run(db))())

    it('a transaction keeps one connection from BEGIN to COMMIT while other work runs on the pool', async () => {
      const seen = await inTransaction(t().db, async (tx) => {
        const ids: string[] = []
        for (let i = 0; i < 10; i++) {
          ids.push(await sessionOf(tx, t().dialect))
          // other statements on the pool in between (SQLite's one connection waits for the
          // transaction instead, so there the outside read cannot be awaited inside it)
          const outside = t().dialect === 'sqlite' ? undefined : sessionOf(t().db, t().dialect)
          await Promise.all([outside, runPromise(tx)(create(Entry, { tag: i, label: `in-${i}` }))])
        }
        return ids
      })
      expect(new Set(seen).size).toBe(1)
      expect(await entries()).toHaveLength(10)
    })

    it('a Left rolls back, a Right commits', async () => {
      const failed = await transaction(t().db, (tx) =>
        pipe(
          create(Entry, { tag: 1, label: 'lost' }),
          run(tx),
          TE.chainW(() => TE.left('stop' as const)),
        ),
      )()
      expect(failed).toEqual(E.left('stop'))
      const ok = await transaction(t().db, (tx) => pipe(create(Entry, { tag: 1, label: 'kept' }), run(tx)))()
      expect(E.isRight(ok)).toBe(true)
      expect(await entries()).toEqual(['kept'])
    })

    it('nested transactions are savepoints: an inner failure undoes only the inner part', async () => {
      const out = await inTransaction(t().db, async (tx) => {
        await runPromise(tx)(create(Entry, { tag: 1, label: 'outer-1' }))
        const inner = await transaction(tx, (tx2) =>
          pipe(
            create(Entry, { tag: 2, label: 'inner' }),
            run(tx2),
            TE.chainW(() => TE.left('undo inner' as const)),
          ),
        )()
        // a failing statement inside a savepoint does not poison the outer transaction
        const dup = await transaction(tx, (tx2) => pipe(create(Entry, { tag: 2, label: 'outer-1' }), run(tx2)))()
        const deeper = await inTransaction(tx, (tx2) =>
          inTransaction(tx2, (tx3) => runPromise(tx3)(create(Entry, { tag: 3, label: 'deep' }))),
        )
        await runPromise(tx)(create(Entry, { tag: 1, label: 'outer-2' }))
        return { inner, dup: E.isLeft(dup) ? dup.left._tag : 'no error', deeper: deeper.label, seen: await entries(tx) }
      })
      expect(out).toEqual({
        inner: E.left('undo inner'),
        dup: 'IntegrityError',
        deeper: 'deep',
        seen: ['outer-1', 'deep', 'outer-2'],
      })
      expect(await entries()).toEqual(['outer-1', 'deep', 'outer-2'])
    })

    it('the onQuery hook hears BEGIN, SAVEPOINT, ROLLBACK TO and COMMIT on every dialect', async () => {
      const kinds = (): string[] =>
        t()
          .log.map(
            (e) =>
              /^(BEGIN|COMMIT|ROLLBACK TO|ROLLBACK|SAVEPOINT|RELEASE|INSERT|SELECT)/i.exec(e.sql)?.[1].toUpperCase() ??
              e.sql,
          )
          // SQLite also releases a savepoint it rolled back to
          .filter((k, i, all) => !(k === 'RELEASE' && all[i - 1] === 'ROLLBACK TO'))
      t().clearLog()
      await inTransaction(t().db, async (tx) => {
        await runPromise(tx)(create(Entry, { tag: 1, label: 'a' }))
        await transaction(tx, (tx2) =>
          pipe(
            create(Entry, { tag: 2, label: 'b' }),
            run(tx2),
            TE.chainW(() => TE.left('undo')),
          ),
        )()
        await inTransaction(tx, (tx2) => runPromise(tx2)(create(Entry, { tag: 3, label: 'c' })))
      })
      expect(kinds().filter((k) => k !== 'SELECT')).toEqual([
        'BEGIN',
        'INSERT',
        'SAVEPOINT',
        'INSERT',
        'ROLLBACK TO',
        'SAVEPOINT',
        'INSERT',
        'RELEASE',
        'COMMIT',
      ])
      t().clearLog()
      await inTransaction(t().db, () => Promise.reject(new Error('no'))).catch(() => undefined)
      expect(kinds()).toEqual(['BEGIN', 'ROLLBACK'])
    })

    it('the onQuery hook hears the isolation level at BEGIN, names the savepoint of each bracket statement, and tells a failed statement with its error, the ROLLBACK TO after it without one', async () => {
      t().clearLog()
      const out = await inTransaction(
        t().db,
        (tx) =>
          inTransaction(tx, async (sp) => {
            await inTransaction(sp, () => Promise.resolve())
            await runPromise(sp)(create(Entry, { tag: 1, label: 'same' }))
            await runPromise(sp)(create(Entry, { tag: 2, label: 'same' }))
          }).catch((e: TerrapinFailure) => e.error._tag),
        { isolation: 'serializable' },
      )
      expect(out).toBe('IntegrityError')
      const log = t().log
      const opening = {
        postgres: ['BEGIN ISOLATION LEVEL SERIALIZABLE'],
        mysql: ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'BEGIN'],
        sqlite: ['BEGIN IMMEDIATE'],
      }[t().dialect]
      expect(log.slice(0, opening.length).map((e) => [e.sql, e.error])).toEqual(opening.map((sql) => [sql, undefined]))
      const told = log
        .map((e) => {
          const kind = /^(SAVEPOINT|RELEASE|ROLLBACK TO|INSERT|COMMIT)/i.exec(e.sql)?.[1].toUpperCase()
          return kind && [kind, /terrapin_sp\d+/.exec(e.sql)?.[0] ?? '', e.error?._tag ?? 'ok']
        })
        .filter((k) => k !== undefined)
        // SQLite also releases a savepoint it rolled back to
        .filter((k, i, all) => !(k[0] === 'RELEASE' && all[i - 1][0] === 'ROLLBACK TO'))
      expect(told).toEqual([
        ['SAVEPOINT', 'terrapin_sp1', 'ok'],
        ['SAVEPOINT', 'terrapin_sp2', 'ok'],
        ['RELEASE', 'terrapin_sp2', 'ok'],
        ['INSERT', '', 'ok'],
        ['INSERT', '', 'IntegrityError'],
        ['ROLLBACK TO', 'terrapin_sp1', 'ok'],
        ['COMMIT', '', 'ok'],
      ])
      expect(await entries()).toEqual([])
    })

    it('20 concurrent transactions each see only their own uncommitted writes', async () => {
      const N = 20
      // SQLite has one connection: its transactions take turns, so no barrier can fill up there.
      const concurrent = t().dialect !== 'sqlite'
      const written = barrier(N)
      const read = barrier(N)
      const finished = new Set<number>()
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          inTransaction(t().db, async (tx) => {
            await runPromise(tx)(create(Entry, { tag: i, label: `tx-${i}` }))
            const together = concurrent ? await written.arrive() : true
            const done = new Set(finished)
            const seen = right(await pipe(query(Entry), valuesFlat('tag'), run(tx))())
            // the database handle inside the transaction joins it: its own row, no other's
            const joined = concurrent ? right(await pipe(query(Entry), count, run(t().db))()) : 1
            if (concurrent) await read.arrive()
            finished.add(i)
            return { i, together, seen, joined, done }
          }),
        ),
      )
      for (const r of results) {
        expect(r.together).toBe(true)
        // own row, plus (SQLite only) rows of transactions that had already committed
        expect([...r.seen].sort((a, b) => a - b)).toEqual(
          [r.i, ...[...r.done].filter((j) => j !== r.i)].sort((a, b) => a - b),
        )
        if (concurrent) expect(r.seen).toEqual([r.i])
        expect(r.joined).toBe(1)
      }
      expect(await entries()).toHaveLength(N)
    })

    it('200 failing, Left-returning and throwing transactions on a pool of 5 leak no connection', async () => {
      // SQLite's in-memory database lives in its one connection: use it
      const own = t().dialect !== 'sqlite'
      const db = own ? connect(t().url, { pool: 5 }) : t().db
      try {
        right(await pipe(create(Entry, { tag: -1, label: 'taken' }), run(db))())
        const kinds = ['left', 'throw', 'reject', 'sql', 'async-throw'] as const
        const outcomes = await Promise.all(
          Array.from({ length: 200 }, async (_, i) => {
            const kind = kinds[i % kinds.length]
            const label = `f-${i}`
            if (kind === 'async-throw')
              return inTransaction(db, async (tx) => {
                await runPromise(tx)(create(Entry, { tag: i, label }))
                throw new Error('boom')
              }).then(
                () => 'committed',
                () => 'rolled back',
              )
            const r = await transaction(db, (tx) => {
              if (kind === 'throw') throw new Error('sync boom')
              return pipe(
                create(Entry, { tag: i, label: kind === 'sql' ? 'taken' : label }),
                run(tx),
                TE.chainW((): TE.TaskEither<string, never> =>
                  kind === 'reject' ? () => Promise.reject(new Error('rejected')) : TE.left('no'),
                ),
              )
            })()
            return E.isLeft(r) ? 'rolled back' : 'committed'
          }),
        )
        expect(outcomes.filter((o) => o !== 'rolled back')).toEqual([])
        expect(await entries(db)).toEqual(['taken'])
        // All 5 connections are free: 5 transactions can be open at the same time.
        if (t().dialect !== 'sqlite') {
          const all5 = barrier(5)
          const together = await Promise.all(
            Array.from({ length: 5 }, () =>
              inTransaction(db, async (tx) => [await all5.arrive(), await sessionOf(tx, t().dialect)] as const),
            ),
          )
          expect(together.map(([ok]) => ok)).toEqual([true, true, true, true, true])
          expect(new Set(together.map(([, s]) => s)).size).toBe(5)
        }
        expect(right(await pipe(query(Entry), count, run(db))())).toBe(1)
      } finally {
        if (own) await db.executor.close()
      }
    })
  },
  { pool: 24 },
)
