/**
 * What a transaction means, the same on every dialect: a statement the database refuses poisons
 * its transaction (or only the savepoint around it), plans run on the database inside a
 * transaction join it, `selectForUpdate` makes a read-modify-write correct (SQLite: BEGIN
 * IMMEDIATE), isolation and retry options, and a connection lost before or during COMMIT.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import {
  ConnectOptions,
  Db,
  TerrapinError,
  TerrapinFailure,
  TransactionOptions,
  connect,
  count,
  create,
  fields,
  generateSchemas,
  inTransaction,
  isRetryable,
  model,
  orderBy,
  query,
  run,
  runPromise,
  runSync,
  schema,
  selectForUpdate,
  stream,
  transaction,
  update,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { stringMatching } from '../support/matchers'
import * as mysql from 'mysql2/promise'
import { DIALECTS, MYSQL_URL, killSession } from '../support/databases'

const { Item, Counter } = schema({
  Item: model('Item', {
    table: 'txs_item',
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20, unique: true }) },
  }),
  Counter: model('Counter', {
    table: 'txs_counter',
    fields: { id: fields.int({ pk: true }), n: fields.int() },
  }),
})

const POISONED = {
  _tag: 'TransactionError',
  message: stringMatching(/an earlier statement in this transaction failed.*nested transaction\(tx, …\)/s),
}
const ROLLED_BACK = { _tag: 'TransactionError', cause: { _tag: 'IntegrityError', kind: 'unique' } }

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
const add = (label: string) => create(Item, { label })
const sessionSql = (dialect: string): string =>
  dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()'

forEachDialect(
  'transaction semantics',
  [Item, Counter],
  (t) => {
    beforeEach(() => t().reset())
    const labels = async (db: Db = t().db) =>
      right(await pipe(query(Item), orderBy('label'), valuesFlat('label'), run(db))())
    const sent = (label: string) => t().log.some((e) => e.params?.includes(label) || e.sql.includes(label))

    describe('a failed statement poisons its transaction', () => {
      it('later statements are refused unsent, and a program that returns Right gets the rollback as a TransactionError', async () => {
        right(await pipe(add('taken'), run(t().db))())
        t().clearLog()
        let after: E.Either<TerrapinError, unknown> | undefined
        let nested: E.Either<TerrapinError, unknown> | undefined
        const r = await transaction(t().db, (tx) =>
          pipe(
            add('first'),
            run(tx),
            TE.chain(() => TE.fromTask(() => pipe(add('taken'), run(tx))())),
            TE.chain(() =>
              TE.fromTask(async () => {
                after = await pipe(add('after'), run(tx))()
                nested = await transaction(tx, (tx2) => pipe(add('nested'), run(tx2)))()
                return 'returned'
              }),
            ),
          ),
        )()
        expect(left(r)).toMatchObject(ROLLED_BACK)
        expect(left(r).message).toMatch(/rolled back because a statement in it failed/)
        expect(left(after!)).toMatchObject(POISONED)
        expect(left(nested!)).toMatchObject(POISONED)
        expect(sent('after') || sent('nested')).toBe(false)
        expect(await labels()).toEqual(['taken'])
      })

      it('a nested transaction around the failing statement rolls back only its savepoint; the outer one commits', async () => {
        right(await pipe(add('taken'), run(t().db))())
        const r = await transaction(t().db, (tx) =>
          pipe(
            add('first'),
            run(tx),
            TE.chain(() =>
              TE.fromTask(() =>
                transaction(tx, (sp) =>
                  pipe(
                    add('in savepoint'),
                    run(sp),
                    TE.chain(() => pipe(add('taken'), run(sp))),
                  ),
                )(),
              ),
            ),
            TE.chain((inner) =>
              pipe(
                add('after'),
                run(tx),
                TE.map(() => (E.isLeft(inner) ? inner.left._tag : 'no error')),
              ),
            ),
          ),
        )()
        expect(right(r)).toBe('IntegrityError')
        expect(await labels()).toEqual(['after', 'first', 'taken'])
      })

      it('inTransaction: a caught failure still rolls back, with the TransactionError; inside a nested one the outer commits', async () => {
        right(await pipe(add('taken'), run(t().db))())
        const caught = await inTransaction(t().db, async (tx) => {
          await runPromise(tx)(add('first'))
          await runPromise(tx)(add('taken')).catch(() => undefined)
          await expect(runPromise(tx)(add('after'))).rejects.toMatchObject({ error: POISONED })
          return 'returned'
        }).catch((e: unknown) => e)
        expect(caught).toBeInstanceOf(TerrapinFailure)
        expect((caught as TerrapinFailure).error).toMatchObject(ROLLED_BACK)
        expect(await labels()).toEqual(['taken'])
        const ok = await inTransaction(t().db, async (tx) => {
          await runPromise(tx)(add('first'))
          const dup = await inTransaction(tx, (sp) => runPromise(sp)(add('taken'))).catch(
            (e: TerrapinFailure) => e.error._tag,
          )
          await runPromise(tx)(add('after'))
          return dup
        })
        expect(ok).toBe('IntegrityError')
        expect(await labels()).toEqual(['after', 'first', 'taken'])
      })

      it('what terrapin refuses before sending (a ValidationError) does not poison', async () => {
        const r = await inTransaction(t().db, async (tx) => {
          await runPromise(tx)(add('first'))
          const bad = await pipe(add('x'.repeat(30)), run(tx))()
          await runPromise(tx)(add('second'))
          return left(bad)._tag
        })
        expect(r).toBe('ValidationError')
        expect(await labels()).toEqual(['first', 'second'])
      })

      it('a program that returns its own Left gets it back, poisoned or not', async () => {
        right(await pipe(add('taken'), run(t().db))())
        const r = await transaction(t().db, (tx) =>
          pipe(
            add('taken'),
            run(tx),
            TE.orElseW(() => TE.left('mine' as const)),
          ),
        )()
        expect(r).toEqual(E.left('mine'))
      })
    })

    describe('run(db) inside a transaction joins it', () => {
      it('a write on the database inside a transaction rolls back with it; a task started outside sees none of it and commits', async () => {
        let go!: () => void
        const started = new Promise<void>((r) => (go = r))
        // begun before the transaction, outside its async context
        const outside = (async () => {
          await started
          right(await pipe(add('outside'), run(t().db))())
          return right(await pipe(query(Item), where({ label: 'joined' }), count, run(t().db))())
        })()
        const r = await transaction(t().db, (tx) =>
          pipe(
            add('joined'),
            run(t().db),
            TE.chain(() => pipe(query(Item), where({ label: 'joined' }), count, run(tx))),
            TE.chainW((n) =>
              TE.fromTask(async () => {
                go()
                // the pools run the outside task now; SQLite's waits for the transaction
                await pause(50)
                return n
              }),
            ),
            TE.chainW((n) => TE.left(`stop after seeing ${n}`)),
          ),
        )()
        expect(r).toEqual(E.left('stop after seeing 1'))
        expect(await outside).toBe(0)
        expect(await labels()).toEqual(['outside'])
      })

      it('stream(db) and runSync(db) inside the program join too', async () => {
        const seen = await inTransaction(t().db, async (tx) => {
          await runPromise(tx)(add('uncommitted'))
          const streamed: string[] = []
          for await (const l of pipe(query(Item), valuesFlat('label'), stream(t().db))) streamed.push(l)
          const synced = t().dialect === 'sqlite' ? right(runSync(t().db)(pipe(query(Item), count))()) : 1
          return { streamed, synced }
        })
        expect(seen).toEqual({ streamed: ['uncommitted'], synced: 1 })
      })

      it('joins again after the async context tracking went idle (and off) between transactions', async () => {
        await inTransaction(t().db, async () => runPromise(t().db)(add('one')))
        await pause(1200)
        await expect(
          inTransaction(t().db, async () => {
            await runPromise(t().db)(add('two'))
            throw new Error('undo two')
          }),
        ).rejects.toThrow('undo two')
        expect(await labels()).toEqual(['one'])
      })

      it('inTransaction: runPromise(db) joins, in nested transactions the innermost savepoint', async () => {
        await inTransaction(t().db, async () => {
          await runPromise(t().db)(add('outer'))
          await inTransaction(t().db, async () => {
            await runPromise(t().db)(add('inner'))
            throw new Error('undo inner')
          }).catch(() => undefined)
          expect(await labels(t().db)).toEqual(['outer'])
        })
        expect(await labels()).toEqual(['outer'])
        await expect(
          inTransaction(t().db, async () => {
            await runPromise(t().db)(add('gone'))
            throw new Error('no')
          }),
        ).rejects.toThrow('no')
        expect(await labels()).toEqual(['outer'])
      })
    })

    /** A database for the counters: SQLite's a file (WAL), the servers' the suite's own. */
    const withCounter = async (f: (db: Db) => Promise<void>): Promise<void> => {
      if (t().dialect !== 'sqlite') {
        right(await pipe(create(Counter, { id: 1, n: 0 }), run(t().db))())
        return f(t().db)
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-tx-'))
      const db = connect(`sqlite://${path.join(dir, 'counter.sqlite3')}`)
      try {
        right(await generateSchemas(db, [Counter])())
        right(await pipe(create(Counter, { id: 1, n: 0 }), run(db))())
        await f(db)
      } finally {
        await db.executor.close()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
    const counter = async (db: Db) => right(await pipe(query(Counter), where({ id: 1 }), valuesFlat('n'), run(db))())[0]
    const readN = (tx: Db, lock: boolean) =>
      pipe(query(Counter), where({ id: 1 }), (q) => (lock ? selectForUpdate()(q) : q), valuesFlat('n'), run(tx))
    const increment = (tx: Db, lock: boolean) =>
      pipe(
        readN(tx, lock),
        TE.chain(([n]) => pipe(query(Counter), where({ id: 1 }), update({ n: n + 1 }), run(tx))),
      )

    it('50 concurrent read-modify-write transactions with selectForUpdate end at 50', async () => {
      await withCounter(async (db) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => transaction(db, (tx) => increment(tx, true))()),
        )
        expect(results.filter(E.isLeft)).toEqual([])
        expect(await counter(db)).toBe(50)
      })
    })

    it('50 concurrent naive read-modify-write transactions, serializable with retry, end at 50', async () => {
      await withCounter(async (db) => {
        let runs = 0
        const results = await Promise.all(
          Array.from({ length: 50 }, () =>
            transaction(
              db,
              (tx) => {
                runs++
                return increment(tx, false)
              },
              { isolation: 'serializable', retry: { attempts: 60, backoffMs: 5 } },
            )(),
          ),
        )
        expect(results.filter(E.isLeft)).toEqual([])
        expect(await counter(db)).toBe(50)
        expect(runs).toBeGreaterThanOrEqual(50)
      })
    })

    describe('options', () => {
      it('isolation is set at BEGIN (PostgreSQL reports it); what a transaction cannot take is a ConfigurationError, nothing sent', async () => {
        if (t().dialect === 'postgres') {
          const level = await inTransaction(t().db, (tx) => tx.executor.all('SHOW transaction_isolation', [], false), {
            isolation: 'repeatable read',
          })
          expect(level).toEqual([['repeatable read']])
        }
        for (const isolation of ['read committed', 'repeatable read', 'serializable'] as const)
          right(await transaction(t().db, (tx) => pipe(add(isolation.slice(0, 10)), run(tx)), { isolation })())
        expect(await labels()).toHaveLength(3)
        t().clearLog()
        const nested = await transaction(t().db, (tx) =>
          transaction(tx, (sp) => pipe(query(Item), count, run(sp)), { isolation: 'serializable' }),
        )()
        expect(left(nested)).toMatchObject({ _tag: 'ConfigurationError', message: stringMatching(/nested/) })
        const joinedRetry = await inTransaction(t().db, () =>
          inTransaction(t().db, () => Promise.resolve(1), { retry: { attempts: 3 } }),
        ).catch((e: TerrapinFailure) => e.error)
        expect(joinedRetry).toMatchObject({ _tag: 'ConfigurationError', message: stringMatching(/outermost/) })
        // not an isolation level (a type error too)
        const badLevel = { isolation: 'read uncommitted' } as unknown as TransactionOptions
        expect(left(await transaction(t().db, (tx) => pipe(query(Item), count, run(tx)), badLevel)())._tag).toBe(
          'ConfigurationError',
        )
        expect(
          left(await transaction(t().db, (tx) => pipe(query(Item), count, run(tx)), { retry: { attempts: 0 } })())._tag,
        ).toBe('ConfigurationError')
        expect(t().log.filter((e) => !/^(BEGIN|COMMIT|SAVEPOINT|RELEASE|ROLLBACK)/i.test(e.sql))).toHaveLength(0)
      })

      it('retry runs the program again on a retryable error only, and the last error says how many runs were made', async () => {
        let runs = 0
        const busy = { _tag: 'QueryError', message: 'busy', retryable: true } as TerrapinError
        const r = await transaction(
          t().db,
          () => {
            runs++
            return TE.left(busy)
          },
          { retry: { attempts: 3, backoffMs: () => 1 } },
        )()
        expect(runs).toBe(3)
        expect(left(r)).toMatchObject({
          _tag: 'TransactionError',
          retryable: true,
          cause: busy,
          message: stringMatching(/all 3 runs/),
        })
        right(await pipe(add('taken'), run(t().db))())
        runs = 0
        const dup = await transaction(
          t().db,
          (tx) => {
            runs++
            return pipe(add('taken'), run(tx))
          },
          { retry: { attempts: 3 } },
        )()
        expect(runs).toBe(1)
        expect(left(dup)).toMatchObject({ _tag: 'IntegrityError' })
        runs = 0
        const second = await inTransaction(
          t().db,
          async (tx) => {
            if (++runs === 1) throw new TerrapinFailure(busy)
            return runPromise(tx)(add('second run'))
          },
          { retry: { attempts: 2, backoffMs: 0 } },
        )
        expect(second.label).toBe('second run')
      })
    })
  },
  { pool: 12, logParams: true },
)

forEachDialect(
  'transaction semantics, synchronous driver',
  [Item],
  (t) => {
    const labels = async (db: Db = t().db) =>
      right(await pipe(query(Item), orderBy('label'), valuesFlat('label'), run(db))())
    it('runSync on a poisoned transaction is the same TransactionError (SQLite)', async () => {
      right(await pipe(add('taken'), run(t().db))())
      const r = await transaction(t().db, (tx) =>
        pipe(
          add('taken'),
          run(tx),
          TE.orElseW(() => TE.fromEither(runSync(tx)(add('after'))())),
        ),
      )()
      expect(left(r)).toMatchObject(POISONED)
      expect(await labels()).toEqual(['taken'])
    })
  },
  {},
  DIALECTS.filter((d) => d === 'sqlite'),
)

forEachDialect(
  'transaction semantics, SQLite handles on one file',
  [Counter],
  () => {
    it('three handles, 50 concurrent selectForUpdate read-modify-writes with retry: the counter ends at 50', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-tx-'))
      const url = `sqlite://${path.join(dir, 'counter.sqlite3')}`
      // A handle waits for another's write lock synchronously (the driver's busy timeout blocks
      // the event loop, so the holder cannot finish meanwhile): a short wait, then SQLITE_BUSY,
      // retryable, and the transaction runs again later.
      const dbs = [0, 1, 2].map(() => connect(url, { timeoutMs: 5 } as ConnectOptions))
      try {
        right(await generateSchemas(dbs[0], [Counter])())
        right(await pipe(create(Counter, { id: 1, n: 0 }), run(dbs[0]))())
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            transaction(
              dbs[i % 3],
              (tx) =>
                pipe(
                  query(Counter),
                  where({ id: 1 }),
                  selectForUpdate(),
                  valuesFlat('n'),
                  run(tx),
                  TE.chain(([n]) => pipe(query(Counter), where({ id: 1 }), update({ n: n + 1 }), run(tx))),
                ),
              { retry: { attempts: 200, backoffMs: 2 } },
            )(),
          ),
        )
        expect(results.filter(E.isLeft)).toEqual([])
        expect(right(await pipe(query(Counter), where({ id: 1 }), valuesFlat('n'), run(dbs[1]))())).toEqual([50])
      } finally {
        for (const db of dbs) await db.executor.close()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }, 30000)
  },
  {},
  DIALECTS.filter((d) => d === 'sqlite'),
)

forEachDialect(
  'transaction semantics, lost connections',
  [Item],
  (t) => {
    beforeEach(() => t().reset())
    const labels = async (db: Db = t().db) =>
      right(await pipe(query(Item), orderBy('label'), valuesFlat('label'), run(db))())
    const sessionOf = async (tx: Db) => Number((await tx.executor.all(sessionSql(t().dialect), [], false))[0][0])
    describe('a lost connection (servers)', () => {
      it('lost before COMMIT: a retryable ConnectionError, and retry runs the transaction again', async () => {
        let runs = 0
        const r = await transaction(
          t().db,
          (tx) =>
            pipe(
              add(`run ${++runs}`),
              run(tx),
              TE.chainFirst(() =>
                TE.fromTask(async () => {
                  if (runs === 1)
                    await killSession(
                      t().dialect,
                      Number((await tx.executor.all(sessionSql(t().dialect), [], false))[0][0]),
                    )
                  await pause(100)
                }),
              ),
              TE.chain(() => pipe(add(`then ${runs}`), run(tx))),
            ),
          { retry: { attempts: 2, backoffMs: 0 } },
        )()
        right(r)
        expect(runs).toBe(2)
        expect(await labels()).toEqual(['run 2', 'then 2'])
        // without retry, the error itself
        const lost = await transaction(t().db, (tx) =>
          pipe(
            add('lost'),
            run(tx),
            TE.chainFirst(() =>
              TE.fromTask(async () => {
                await killSession(
                  t().dialect,
                  Number((await tx.executor.all(sessionSql(t().dialect), [], false))[0][0]),
                )
                await pause(100)
              }),
            ),
            TE.chain(() => pipe(add('lost 2'), run(tx))),
          ),
        )()
        expect(left(lost)).toMatchObject({ _tag: 'ConnectionError', retryable: true })
        expect(isRetryable(left(lost))).toBe(true)
      })
    })

    it('lost during COMMIT: a TransactionError that says the outcome is unknown, not retryable', async () => {
      // COMMIT made slow on the server: PostgreSQL runs a deferred trigger that sleeps; MariaDB
      // holds commits with a backup stage from another connection
      const ex = t().db.executor
      let admin: mysql.Connection | undefined
      if (t().dialect === 'postgres') {
        await ex.run(
          'CREATE OR REPLACE FUNCTION txs_slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$ LANGUAGE plpgsql',
          [],
        )
        await ex.run('DROP TRIGGER IF EXISTS txs_slow_commit ON txs_item', [])
        await ex.run(
          "CREATE CONSTRAINT TRIGGER txs_slow_commit AFTER INSERT ON txs_item DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.label = 'slow commit') EXECUTE FUNCTION txs_slow()",
          [],
        )
      } else admin = await mysql.createConnection({ uri: MYSQL_URL })
      try {
        let session = 0
        let runs = 0
        const r = transaction(
          t().db,
          (tx) =>
            pipe(
              add('slow commit'),
              run(tx),
              TE.chain(() =>
                TE.fromTask(async () => {
                  runs++
                  session = await sessionOf(tx)
                  if (admin) {
                    await admin.query('BACKUP STAGE START')
                    await admin.query('BACKUP STAGE BLOCK_COMMIT')
                  }
                  return 'returned'
                }),
              ),
            ),
          { retry: { attempts: 3, backoffMs: 0 } },
        )()
        // the program has returned and COMMIT is on its way (held on the server)
        while (session === 0) await pause(10)
        await pause(400)
        await killSession(t().dialect, session)
        if (admin) await admin.query('BACKUP STAGE END')
        const e = left(await r)
        expect(e).toMatchObject({
          _tag: 'TransactionError',
          retryable: false,
          message: stringMatching(/lost during COMMIT: the transaction may or may not have committed/),
        })
        expect(isRetryable(e)).toBe(false)
        expect(runs).toBe(1)
      } finally {
        if (admin) await admin.end()
        else await ex.run('DROP TRIGGER IF EXISTS txs_slow_commit ON txs_item', [])
      }
    })
  },
  {},
  DIALECTS.filter((d) => d !== 'sqlite'),
)
