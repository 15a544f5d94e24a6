/**
 * A transaction's handle lives as long as its transaction. Used after the end (COMMIT, ROLLBACK
 * by a Left or a throw, a savepoint released, the connection lost) it sends nothing and every
 * call is a `TransactionError`; statements the program started but did not await are waited
 * for, inside the transaction. Each case counts the rows afterwards: nothing is ever written
 * outside the transaction.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import {
  Db,
  TerrapinError,
  TerrapinFailure,
  connect,
  count,
  create,
  fields,
  inTransaction,
  model,
  orderBy,
  query,
  run,
  runPromise,
  schema,
  stream,
  transaction,
  valuesFlat,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { stringMatching } from '../support/matchers'
import { DIALECTS, killRunning, killSession } from '../support/databases'

const { Mark } = schema({
  Mark: model('Mark', {
    table: 'txend_mark',
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 40, unique: true }) },
  }),
})

const ENDED = { _tag: 'TransactionError', message: stringMatching(/transaction has ended/) }

const mark = (label: string) => create(Mark, { label })

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

forEachDialect(
  'transaction end',
  [Mark],
  (t) => {
    beforeEach(() => t().reset())
    const labels = async (db: Db = t().db) =>
      right(await pipe(query(Mark), orderBy('label'), valuesFlat('label'), run(db))())
    /** What a kept handle does once its transaction has ended: refuses a statement, a stream and a nested transaction, sending nothing. */
    const refuses = async (tx: Db, label: string): Promise<void> => {
      t().clearLog()
      expect(left(await pipe(mark(label), run(tx))())).toMatchObject(ENDED)
      expect(left(await pipe(query(Mark), count, run(tx))())).toMatchObject(ENDED)
      await expect(runPromise(tx)(mark(label))).rejects.toMatchObject({ error: ENDED })
      const streamed = async (): Promise<unknown> => {
        for await (const row of pipe(query(Mark), stream(tx))) return row
      }
      await expect(streamed()).rejects.toBeInstanceOf(TerrapinFailure)
      await expect(streamed()).rejects.toMatchObject({ error: ENDED })
      expect(left(await transaction(tx, (tx2) => pipe(mark(label), run(tx2)))())).toMatchObject(ENDED)
      await expect(inTransaction(tx, (tx2) => runPromise(tx2)(mark(label)))).rejects.toMatchObject({ error: ENDED })
      expect(t().log.map((e) => e.sql)).toEqual([])
    }

    it('after COMMIT', async () => {
      let kept: Db | undefined
      right(await transaction(t().db, (tx) => ((kept = tx), pipe(mark('committed'), run(tx))))())
      await refuses(kept!, 'after commit')
      expect(await labels()).toEqual(['committed'])
    })

    it('after ROLLBACK by a Left', async () => {
      let kept: Db | undefined
      const r = await transaction(
        t().db,
        (tx) => (
          (kept = tx),
          pipe(
            mark('undone'),
            run(tx),
            TE.chainW(() => TE.left('stop' as const)),
          )
        ),
      )()
      expect(r).toEqual(E.left('stop'))
      await refuses(kept!, 'after left')
      expect(await labels()).toEqual([])
    })

    it('after a throw, and after inTransaction rejects', async () => {
      let kept: Db | undefined
      const r = await transaction(t().db, (tx) => {
        kept = tx
        throw new Error('boom')
      })()
      expect(left(r)).toMatchObject({ _tag: 'TransactionError' })
      await refuses(kept!, 'after throw')
      let kept2: Db | undefined
      await expect(
        inTransaction(t().db, async (tx) => {
          kept2 = tx
          await runPromise(tx)(mark('undone'))
          throw new Error('no')
        }),
      ).rejects.toThrow('no')
      await refuses(kept2!, 'after reject')
      expect(await labels()).toEqual([])
    })

    it("a savepoint's handle after RELEASE, while its transaction goes on", async () => {
      let inner: Db | undefined
      const out = await inTransaction(t().db, async (tx) => {
        right(await transaction(tx, (tx2) => ((inner = tx2), pipe(mark('in savepoint'), run(tx2))))())
        await refuses(inner!, 'after release')
        // the outer handle is not affected
        await runPromise(tx)(mark('outer'))
        return labels(tx)
      })
      expect(out).toEqual(['in savepoint', 'outer'])
      await refuses(inner!, 'after commit')
      expect(await labels()).toEqual(['in savepoint', 'outer'])
    })

    it('statements started and not awaited are waited for, inside the transaction', async () => {
      // a chain the program does not await: its second statement starts after the program has returned
      const chain = (tx: Db, a: string, b: string) =>
        void (async () => {
          await pipe(mark(a), run(tx))()
          await pipe(mark(b), run(tx))()
        })()
      right(await transaction(t().db, (tx) => (chain(tx, 'c1', 'c2'), TE.right(undefined)))())
      expect(await labels()).toEqual(['c1', 'c2'])
      // rolled back with the rest
      const undone = await transaction(t().db, (tx) => (chain(tx, 'u1', 'u2'), TE.left('stop' as const)))()
      expect(undone).toEqual(E.left('stop'))
      // a nested transaction not awaited is waited for as well
      right(
        await transaction(t().db, (tx) => {
          void transaction(tx, (tx2) =>
            pipe(
              mark('s1'),
              run(tx2),
              TE.chain(() => pipe(mark('s2'), run(tx2))),
            ),
          )()
          return TE.right(undefined)
        })(),
      )
      expect(await labels()).toEqual(['c1', 'c2', 's1', 's2'])
    })

    it('a statement not awaited that fails poisons the transaction as one awaited whose Left is ignored', async () => {
      right(await pipe(mark('taken'), run(t().db))())
      for (const awaited of [true, false]) {
        const r = await transaction(t().db, (tx) => {
          const chain = (async () => {
            await pipe(mark(`first ${awaited}`), run(tx))()
            await pipe(mark('taken'), run(tx))()
          })()
          return awaited
            ? pipe(
                TE.fromTask(() => chain),
                TE.map(() => 'returned'),
              )
            : TE.right('returned')
        })()
        // the failed statement poisons the transaction on every dialect: ROLLBACK, and its error
        expect(left(r)).toMatchObject({ _tag: 'TransactionError', cause: { _tag: 'IntegrityError', kind: 'unique' } })
        expect(await labels()).toEqual(['taken'])
      }
    })

    it('a stream left open is closed when the program returns, and its next batch refused', async () => {
      for (const label of ['a', 'b', 'c']) right(await pipe(mark(label), run(t().db))())
      let it: AsyncIterator<unknown, unknown> | undefined
      const first = await inTransaction(t().db, async (tx) => {
        await runPromise(tx)(mark('d'))
        it = pipe(query(Mark), orderBy('label'), valuesFlat('label'), stream(tx, { batchSize: 1 }))[
          Symbol.asyncIterator
        ]()
        return (await it.next()).value
      })
      expect(first).toBe('a')
      await expect(it!.next()).rejects.toMatchObject({ error: ENDED })
      expect(await labels()).toEqual(['a', 'b', 'c', 'd'])
    })

    it('handles kept past their transactions leak no connection', async () => {
      const own = t().dialect !== 'sqlite'
      const db = own ? connect(t().url, { pool: 2 }) : t().db
      try {
        for (let i = 0; i < 20; i++) {
          let kept: Db | undefined
          await transaction(
            db,
            (tx) => (
              (kept = tx),
              pipe(
                mark(`k${i}`),
                run(tx),
                TE.chainW(() => (i % 2 ? TE.left('no') : TE.right(0))),
              )
            ),
          )()
          expect(left(await pipe(mark(`late${i}`), run(kept!))())).toMatchObject(ENDED)
        }
        // both connections are free: two transactions open at once
        let arrived = 0
        let open!: () => void
        const both = new Promise<void>((r) => (open = r))
        const together = await Promise.all(
          [0, 1].map(() =>
            inTransaction(db, async (tx) => {
              await runPromise(tx)(query(Mark))
              if (!own) return true
              if (++arrived === 2) open()
              let timer: NodeJS.Timeout | undefined
              const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))
              return Promise.race([both.then(() => true), late]).finally(() => clearTimeout(timer))
            }),
          ),
        )
        expect(together).toEqual([true, true])
        expect(await labels(db)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i * 2}`).sort())
      } finally {
        if (own) await db.executor.close()
      }
    })
  },
  { pool: 4 },
)

forEachDialect(
  'transaction end, connection lost',
  [Mark],
  (t) => {
    beforeEach(() => t().reset())
    // PostgreSQL's transaction ends as soon as its connection closes, while the program may run
    // on: until the program returns, its statements are the runner's ConnectionError (nothing
    // sent); after, the handle has ended like any other.
    it('a handle whose connection was lost: ConnectionError while its program runs, TransactionError after; nothing written', async () => {
      const session = t().dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()'
      let kept: Db | undefined
      let during: E.Either<TerrapinError, unknown> | undefined
      let returned!: () => void
      const done = new Promise<void>((r) => (returned = r))
      const r = await transaction(t().db, (tx): TE.TaskEither<TerrapinError, unknown> => {
        kept = tx
        return pipe(
          mark('before kill'),
          run(tx),
          TE.chainFirst(() =>
            TE.fromTask(
              async () => (
                await killSession(t().dialect, Number((await tx.executor.all(session, [], false))[0][0])),
                await pause(200)
              ),
            ),
          ),
          TE.chain(() => TE.fromTask(async () => (during = await pipe(mark('after kill'), run(tx))()))),
          TE.chainFirst(() => TE.fromIO(returned)),
        )
      })()
      expect(left(r)).toMatchObject({ _tag: 'ConnectionError' })
      // the program's end, a few promise hops after it said so
      await done
      await pause(20)
      expect(left(during!)).toMatchObject({ _tag: 'ConnectionError' })
      expect(left(await pipe(mark('after loss'), run(kept!))())).toMatchObject(ENDED)
      expect(left(await transaction(kept!, (tx2) => pipe(mark('after loss 2'), run(tx2)))())).toMatchObject(ENDED)
      await pause(100)
      expect(right(await pipe(query(Mark), count, run(t().db))())).toBe(0)
    })

    it('statements pipelined past what the connection takes all settle with ConnectionError when it is lost', async () => {
      // postgres.js sends 100 at most and queues the rest: once the connection was lost, those never settled
      const sleep =
        t().dialect === 'postgres' ? 'SELECT pg_sleep(20) AS txend_victim' : 'SELECT SLEEP(20) AS txend_victim'
      let timer: NodeJS.Timeout | undefined
      let settled!: Promise<ReadonlyArray<PromiseSettledResult<unknown>> | 'never settled'>
      // PostgreSQL's transaction ends at the loss, the program (which waits) after it
      const r = inTransaction(t().db, (tx) => {
        const all = [
          tx.executor
            .all(sleep, [], false)
            .catch((e: unknown) => Promise.reject(new TerrapinFailure(t().db.executor.classify(e)))),
          ...Array.from({ length: 150 }, (_, i) => runPromise(tx)(mark(`piped ${i}`))),
        ]
        const late = new Promise<'never settled'>((r) => (timer = setTimeout(() => r('never settled'), 5000)))
        settled = Promise.race([Promise.allSettled(all), late]).finally(() => clearTimeout(timer))
        return settled
      })
      let killed = 0
      for (let i = 0; i < 50 && killed === 0; i++) {
        await pause(50)
        killed = await killRunning(t().dialect, t().url, 'txend_victim')
      }
      expect(killed).toBe(1)
      await expect(r).rejects.toBeDefined()
      const outcomes = await settled
      expect(
        outcomes === 'never settled'
          ? outcomes
          : [
              ...new Set(
                outcomes.map((o) => (o.status === 'rejected' ? (o.reason as TerrapinFailure).error?._tag : o.status)),
              ),
            ],
      ).toEqual(['ConnectionError'])
      await pause(100)
      expect(right(await pipe(query(Mark), count, run(t().db))())).toBe(0)
    })
  },
  {},
  DIALECTS.filter((d) => d !== 'sqlite'),
)
