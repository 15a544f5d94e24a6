/**
 * SQLite's "busy" and "locked" results are retryable with all their extended codes: a WAL
 * transaction whose snapshot another connection's commit made stale fails with
 * `SQLITE_BUSY_SNAPSHOT` when it comes to write, and the same work run again succeeds. Shown
 * with three connections to one file, and code by code over the classifier with the errors as
 * better-sqlite3 makes them.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import {
  Db,
  TerrapinError,
  connect,
  create,
  fields,
  generateSchemas,
  get,
  model,
  query,
  run,
  schema,
  sql,
  transaction,
  update,
  where,
} from 'terrapin'
import { classifySqlite } from '../../src/run/better-sqlite3'

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver's error class, loaded as the runner loads the driver (a require at run time, see src/run/better-sqlite3.ts)
const { SqliteError } = require('better-sqlite3') as {
  SqliteError: new (message: string, code: string) => Error & { code: string }
}

const RETRYABLE = [
  'SQLITE_BUSY',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_LOCKED_SHAREDCACHE',
  'SQLITE_LOCKED_VTAB',
]

const NOT_RETRYABLE = [
  'SQLITE_ERROR',
  'SQLITE_READONLY',
  'SQLITE_READONLY_DBMOVED',
  'SQLITE_IOERR_LOCK',
  'SQLITE_FULL',
  'SQLITE_CORRUPT',
  'SQLITE_MISUSE',
  'SQLITE_PROTOCOL',
]

describe('the classifier', () => {
  it.each(RETRYABLE)('%s is a retryable QueryError keeping its code', (code) => {
    const e = classifySqlite(new SqliteError('database is locked', code), 'UPDATE t SET n = 1')
    expect(e).toMatchObject({ _tag: 'QueryError', code, retryable: true, sql: 'UPDATE t SET n = 1' })
  })

  it.each(NOT_RETRYABLE)('%s is not retryable', (code) => {
    expect(classifySqlite(new SqliteError('no', code))).toMatchObject({ _tag: 'QueryError', code, retryable: false })
  })
})

const { Counter } = schema({
  Counter: model('Counter', { table: 'busy_counter', fields: { id: fields.int({ pk: true }), n: fields.int() } }),
})

describe('three connections to one WAL file', () => {
  let dir: string
  let handles: Db[]
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'terrapin-busy-'))
    const url = `sqlite://${join(dir, 'busy.db')}`
    handles = [connect(url), connect(url), connect(url)]
    expect(E.isRight(await generateSchemas(handles[0], [Counter])())).toBe(true)
    // no waiting: a connection that finds the write lock taken fails at once (the driver is
    // synchronous, so waiting would only hold up the transaction it waits for)
    for (const db of handles) expect(E.isRight(await pipe(sql`PRAGMA busy_timeout = 0`, run(db))())).toBe(true)
  })
  afterAll(async () => {
    for (const db of handles ?? []) await db.executor.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('conflicting read-modify-write transactions fail only with retryable errors, and run again they all land', async () => {
    const counter = await pipe(create(Counter, { n: 0 }), run(handles[0]))()
    if (E.isLeft(counter)) throw new Error(counter.left.message)
    const id = counter.right.id
    const failures: TerrapinError[] = []
    /** Reads the counter, lets the others run, writes it + 1. */
    const increment = (db: Db) =>
      transaction(db, (tx) =>
        pipe(
          query(Counter),
          where({ id }),
          get,
          run(tx),
          TE.chainFirst(() => TE.fromTask(() => new Promise<void>((resolve) => setImmediate(resolve)))),
          TE.chain((row) => pipe(query(Counter), where({ id }), update({ n: row.n + 1 }), run(tx))),
        ),
      )
    const PER_HANDLE = 17
    const worker = async (db: Db): Promise<void> => {
      for (let done = 0; done < PER_HANDLE;) {
        const r = await increment(db)()
        if (E.isRight(r)) done++
        else {
          failures.push(r.left)
          if (!(r.left._tag === 'QueryError' && r.left.retryable)) return
          if (failures.length > 10_000) throw new Error('no progress')
          // back off as a retrying program would: the holder of the lock needs a turn of the loop
          await new Promise<void>((resolve) => setImmediate(resolve))
        }
      }
    }
    await Promise.all(handles.map(worker))
    expect(failures.length).toBeGreaterThan(0)
    expect(failures.filter((e) => !(e._tag === 'QueryError' && e.retryable))).toEqual([])
    // transactions begin IMMEDIATE, so a conflict is a BEGIN that finds the write lock taken
    // (a stale snapshot cannot arise in them; the classifier's test covers that code)
    expect(new Set(failures.map((e) => (e._tag === 'QueryError' ? e.code : e._tag)))).toEqual(new Set(['SQLITE_BUSY']))
    const final = await pipe(query(Counter), where({ id }), get, run(handles[1]))()
    expect(E.isRight(final) && final.right.n).toBe(3 * PER_HANDLE)
  })
})
