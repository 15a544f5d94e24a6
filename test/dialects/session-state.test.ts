/**
 * Session state set by raw SQL does not leak to the next user of a pooled connection (a pool of
 * one, so that the next task surely gets the same connection): outside a transaction such a
 * statement runs on a connection reset after it; inside one, the change holds until the
 * transaction ends and is reset then, committed or not. Plans that change no session keep their
 * connection as it is. SQLite has one connection and no SET: PRAGMAs persist there (README).
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { Db, connect, count, create, fields, model, query, rowsOf, run, schema, sql, transaction } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { DIALECTS, DialectName } from '../support/databases'
import { changesSession } from '../../src/run/pooled'

const { Note } = schema({
  Note: model('Note', {
    table: 'session_note',
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 40 }) },
  }),
})

const one = rowsOf(t.type({ v: t.unknown }))

/** The session setting each server's test changes, as text. */
const read = (dialect: DialectName, db: Db) =>
  pipe(
    dialect === 'postgres' ? sql`SELECT current_setting('application_name') AS v` : sql`SELECT @@SESSION.sql_mode AS v`,
    one,
    run(db),
    TE.map((rows) => String(rows[0].v)),
  )

const change = (dialect: DialectName) =>
  dialect === 'postgres' ? sql`SET application_name = 'leaked'` : sql`SET SESSION sql_mode = 'ANSI_QUOTES'`

/** The server's id of the connection a plan runs on. */
const connectionId = async (dialect: DialectName, db: Db): Promise<string> =>
  right(
    await pipe(
      dialect === 'postgres' ? sql`SELECT pg_backend_pid() AS v` : sql`SELECT CONNECTION_ID() AS v`,
      one,
      run(db),
      TE.map((rows) => String(rows[0].v)),
    )(),
  )

describe('changesSession', () => {
  it('tells statements that may change a session, and not others', () => {
    for (const s of [
      'SET SESSION max_statement_time = 1',
      '  set search_path to x',
      '/* c */ SET x = 1',
      '-- c\nRESET ALL',
      'USE other',
      'DISCARD ALL',
      "SELECT set_config('a.b', 'c', false)",
      'SELECT @x := 1',
      'SELECT 1 INTO @x',
    ])
      expect([s, changesSession(s)]).toEqual([s, true])
    for (const s of [
      'SELECT 1',
      'UPDATE t SET a = 1',
      'INSERT INTO t (a) VALUES (1)',
      'SELECT settings FROM t',
      'SELECT @@version',
    ])
      expect([s, changesSession(s)]).toEqual([s, false])
  })
})

forEachDialect(
  'session state',
  [Note],
  (ctx) => {
    const dialect = () => ctx().dialect
    beforeEach(() => ctx().reset())

    it('a SET through raw sql outside a transaction does not reach the next task', async () => {
      const before = right(await read(dialect(), ctx().db)())
      right(await pipe(change(dialect()), run(ctx().db))())
      expect(right(await read(dialect(), ctx().db)())).toBe(before)
      // the case: a statement limit set by one task failed an unrelated query later
      const limit =
        dialect() === 'postgres' ? sql`SET statement_timeout = 1` : sql`SET SESSION max_statement_time = 0.001`
      right(await pipe(limit, run(ctx().db))())
      const slow = dialect() === 'postgres' ? sql`SELECT pg_sleep(0.05)` : sql`SELECT SLEEP(0.05)`
      expect(E.isRight(await pipe(slow, run(ctx().db))())).toBe(true)
    })

    it('a SET through raw sql as the first statement of a new pool runs (no connection is open yet) and leaks nothing', async () => {
      const before = right(await read(dialect(), ctx().db)())
      const fresh = connect(ctx().url, { pool: 1 })
      try {
        right(await pipe(change(dialect()), run(fresh))())
        expect(right(await read(dialect(), fresh)())).toBe(before)
      } finally {
        await fresh.executor.close()
      }
    })

    it('a SET inside a transaction holds for the rest of it, and is reset when it ends (committed or rolled back)', async () => {
      const before = right(await read(dialect(), ctx().db)())
      const inside = right(
        await transaction(ctx().db, (tx) =>
          pipe(
            change(dialect()),
            run(tx),
            TE.chain(() => read(dialect(), tx)),
            TE.chainFirst(() => pipe(create(Note, { label: 'kept' }), run(tx))),
          ),
        )(),
      )
      expect(inside).not.toBe(before)
      expect(right(await read(dialect(), ctx().db)())).toBe(before)
      expect(right(await pipe(query(Note), count, run(ctx().db))())).toBe(1)
      const failed = await transaction(ctx().db, (tx) =>
        pipe(
          change(dialect()),
          run(tx),
          TE.chainW(() => TE.left('stop' as const)),
        ),
      )()
      expect(left(failed)).toBe('stop')
      expect(right(await read(dialect(), ctx().db)())).toBe(before)
    })

    it('a nested transaction (savepoint) that changes the session is reset with its transaction', async () => {
      const before = right(await read(dialect(), ctx().db)())
      right(
        await transaction(ctx().db, (tx) =>
          pipe(
            transaction(tx, (sp) => pipe(change(dialect()), run(sp))),
            TE.chain(() => pipe(create(Note, { label: 'n' }), run(tx))),
          ),
        )(),
      )
      expect(right(await read(dialect(), ctx().db)())).toBe(before)
    })

    it('plans that change no session keep their connection as it is', async () => {
      const id = await connectionId(dialect(), ctx().db)
      right(await pipe(create(Note, { label: 'a' }), run(ctx().db))())
      right(await pipe(sql`UPDATE session_note SET label = 'b'`, run(ctx().db))())
      right(await transaction(ctx().db, (tx) => pipe(query(Note), count, run(tx)))())
      expect(await connectionId(dialect(), ctx().db)).toBe(id)
    })
  },
  { pool: 1 },
  DIALECTS.filter((d) => d !== 'sqlite'),
)
