/**
 * A SQLite file that cannot be opened (in a folder that does not exist, a folder itself, a file
 * that is not a database, a place no file can be made) gives every plan the same
 * `ConnectionError`, whatever the entry point: `run`, `runSync`, raw `sql` (a count or rows)
 * through either, a stream, a transaction. Nothing throws at `connect`. A database closed by the
 * program answers `runSync` as it answers `run`: closed, not busy.
 */
import * as E from 'fp-ts/Either'
import * as io from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { mkdtempSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import {
  Db,
  TerrapinError,
  TerrapinFailure,
  connect,
  count,
  create,
  fields,
  model,
  query,
  rowsOf,
  run,
  runSync,
  schema,
  sql,
  stream,
  transaction,
  where,
} from 'terrapin'

const { Note } = schema({
  Note: model('Note', { table: 'uo_note', fields: { id: fields.int({ pk: true }), body: fields.text() } }),
})

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'terrapin-unopened-'))
  writeFileSync(
    join(dir, 'garbage.db'),
    'this is not a SQLite database, and it is long enough to have a header'.repeat(20),
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const PLACES: ReadonlyArray<readonly [string, () => string]> = [
  ['a file in a folder that does not exist', () => `sqlite://${join(dir, 'missing', 'x.db')}`],
  ['a folder', () => `sqlite://${dir}`],
  ['a file that is not a database', () => `sqlite://${join(dir, 'garbage.db')}`],
  ['a place no file can be made', () => 'sqlite:///proc/terrapin-x.db'],
]

const connectionError = (e: E.Either<TerrapinError, unknown>): TerrapinError => {
  if (E.isRight(e)) throw new Error(`expected a ConnectionError, got Right: ${JSON.stringify(e.right)}`)
  expect(e.left._tag).toBe('ConnectionError')
  expect(e.left.message).toMatch(/^cannot open sqlite:\/\//)
  return e.left
}

describe.each(PLACES)('%s', (_label, url) => {
  let db: Db
  beforeAll(() => {
    db = connect(url())
  })
  afterAll(() => db.executor.close())

  it('run: reads, writes, terminals', async () => {
    const first = connectionError(await pipe(query(Note), run(db))())
    expect(connectionError(await pipe(query(Note), where({ id: 1 }), count, run(db))())).toEqual(first)
    connectionError(await pipe(create(Note, { body: 'x' }), run(db))())
  })

  it('runSync: the same ConnectionError, not a refusal for the dialect', () => {
    const viaRun = connectionError(runSync(db)(query(Note))())
    expect(viaRun.message).toMatch(/cannot open/)
    connectionError(pipe(query(Note), where({ id: 1 }), count, runSync(db))())
    connectionError(pipe(create(Note, { body: 'x' }), runSync(db))())
  })

  it('raw sql: a count and rows, through run and runSync', async () => {
    const viaRun = connectionError(await pipe(sql`UPDATE uo_note SET body = ${'y'}`, run(db))())
    const rows = pipe(sql`SELECT ${1} AS one`, rowsOf(io.type({ one: io.number })))
    expect(connectionError(await pipe(rows, run(db))())).toEqual(viaRun)
    expect(connectionError(pipe(sql`UPDATE uo_note SET body = ${'y'}`, runSync(db))())).toEqual(viaRun)
    expect(connectionError(pipe(rows, runSync(db))())).toEqual(viaRun)
  })

  it('a stream and a transaction', async () => {
    const it = stream(db)(query(Note))[Symbol.asyncIterator]()
    const e = await it.next().then(
      () => undefined,
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(TerrapinFailure)
    expect((e as TerrapinFailure).error._tag).toBe('ConnectionError')
    connectionError(
      await transaction(db, (tx) =>
        pipe(
          query(Note),
          run(tx),
          TE.map(() => 1),
        ),
      )(),
    )
  })
})

describe('a closed database', () => {
  it('answers runSync, raw sql included, with the ConnectionError run gives, not a busy refusal', async () => {
    const db = connect('sqlite://:memory:')
    await db.executor.close()
    const viaRun = await pipe(query(Note), run(db))()
    expect(E.isLeft(viaRun) && viaRun.left._tag).toBe('ConnectionError')
    expect(pipe(query(Note), runSync(db))()).toEqual(viaRun)
    expect(pipe(sql`SELECT ${1} AS one`, rowsOf(io.type({ one: io.number })), runSync(db))()).toEqual(viaRun)
    expect(pipe(sql`DELETE FROM uo_note`, runSync(db))()).toEqual(viaRun)
    expect(await pipe(sql`DELETE FROM uo_note`, run(db))()).toEqual(viaRun)
  })
})
