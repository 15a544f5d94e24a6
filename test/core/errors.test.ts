/**
 * Errors are values: a row the codecs reject is a DecodeError naming the field; a statement
 * the database refuses is a QueryError carrying its SQL but never the bound values; nothing
 * the driver throws escapes as a rejection.
 */
import { pipe } from 'fp-ts/function'
import {
  TerrapinError,
  bulkCreate,
  connect,
  count,
  create,
  fields,
  get,
  inTransaction,
  model,
  orderBy,
  query,
  run,
  runPromise,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { LONG_RESULT } from '../../src/run/statement'
import { Kinds } from './models'

const Ghost = model('Ghost', { table: 'core_ghost_never_created', fields: { name: fields.char({ maxLength: 20 }) } })
const SECRET = 'hunter2-secret'

const mentionsSecret = (e: TerrapinError): boolean =>
  JSON.stringify({ ...e, cause: undefined }).includes(SECRET) || e.message.includes(SECRET)

forEachDialect('errors', [Kinds], (t) => {
  beforeEach(() => t().reset())

  it('a stored value the field codec rejects is a DecodeError naming the model and field', async () => {
    const db = t().db
    const q = db.executor.dialect.quote
    const made = right(await pipe(create(Kinds, { name: 'x' }), run(db))())
    // Written behind the model's back: a status that is not one of the enum's values.
    await db.executor.run(`UPDATE ${q('core_kinds')} SET ${q('status')} = 'bogus' WHERE ${q('id')} = ${made.id}`, [])
    const e = left(await pipe(query(Kinds), where({ id: made.id }), get, run(db))())
    expect(e).toMatchObject({ _tag: 'DecodeError', model: 'Kinds', field: 'status' })
    await expect(runPromise(db)(pipe(query(Kinds), where({ id: made.id }), get))).rejects.toMatchObject({
      _tag: 'DecodeError',
    })
  })

  it('a stored datetime that names no real moment (February 31st) is a DecodeError, never a day in March', async () => {
    const db = t().db
    const q = db.executor.dialect.quote
    const at = new Date(Date.UTC(2001, 1, 28))
    const made = right(await pipe(create(Kinds, { name: 'x', at }), run(db))())
    // Written behind the model's back. PostgreSQL refuses the text; SQLite stores it as given.
    const stored = await db.executor
      .run(`UPDATE ${q('core_kinds')} SET ${q('at')} = '2001-02-31 00:00:00' WHERE ${q('id')} = ${made.id}`, [])
      .then(
        () => true,
        () => false,
      )
    const r = await pipe(query(Kinds), where({ id: made.id }), get, run(db))()
    if (stored && t().dialect === 'sqlite')
      expect(left(r)).toMatchObject({ _tag: 'DecodeError', model: 'Kinds', field: 'at' })
    // Whatever a server kept (the old value, or MariaDB's zero date in a lenient mode), it is not March 3rd.
    else
      expect(r._tag === 'Left' ? r.left._tag : r.right.at?.toISOString()).toMatch(
        /^(DecodeError|2001-02-28T00:00:00.000Z)$/,
      )
  })

  it('a bad value amid a long read is a DecodeError, and the connection reads on afterwards', async () => {
    const db = t().db
    const q = db.executor.dialect.quote
    const n = LONG_RESULT + 200
    const last = `r${n - 1}`
    const lastAt = new Date(Date.UTC(2001, 0, 1, 0, 0, n - 1)).toISOString()
    right(
      await pipe(
        bulkCreate(
          Kinds,
          Array.from({ length: n }, (_, i) => ({ name: `r${i}`, at: new Date(Date.UTC(2001, 0, 1, 0, 0, i)) })),
        ),
        run(db),
      )(),
    )
    const all = pipe(query(Kinds), orderBy('id'))
    // A long result: PostgreSQL's next reads of this statement decode rows as the driver hands
    // them over, and the rest of a result with a bad row must still be read off the connection.
    for (let k = 0; k < 2; k++) {
      const rows = right(await pipe(all, run(db))())
      expect([rows.length, rows[0].name, rows[n - 1].name, rows[n - 1].at?.toISOString()]).toEqual([
        n,
        'r0',
        last,
        lastAt,
      ])
    }
    await db.executor.run(`UPDATE ${q('core_kinds')} SET ${q('status')} = 'bogus' WHERE ${q('name')} = 'r600'`, [])
    expect(left(await pipe(all, run(db))())).toMatchObject({ _tag: 'DecodeError', model: 'Kinds', field: 'status' })
    expect(right(await pipe(query(Kinds), where({ name: last }), get, run(db))()).at?.toISOString()).toBe(lastAt)
    await inTransaction(db, async (tx) => {
      expect(left(await pipe(all, run(tx))())._tag).toBe('DecodeError')
      expect(right(await pipe(query(Kinds), where({ status: 'draft' }), count, run(tx))())).toBe(n - 1)
    })
  })

  it('a statement the database refuses is a QueryError with its SQL and without the bound values', async () => {
    const e = left(await pipe(query(Ghost), where({ name: SECRET }), run(t().db))())
    expect(e._tag).toBe('QueryError')
    if (e._tag === 'QueryError') expect(e.sql).toContain('core_ghost_never_created')
    expect(mentionsSecret(e)).toBe(false)
    const w = left(await pipe(create(Ghost, { name: SECRET }), run(t().db))())
    expect(w._tag).toBe('QueryError')
    expect(mentionsSecret(w)).toBe(false)
  })

  it('a unique violation names no bound value either', async () => {
    right(await pipe(create(Kinds, { name: 'secret' }), run(t().db))())
    const e = left(await pipe(create(Kinds, { name: 'secret', code: 'HUNT' }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
    expect(JSON.stringify({ ...e, cause: undefined })).not.toContain('HUNT')
  })

  it('the query log has no bound values unless asked for', async () => {
    const events: Array<{ params?: ReadonlyArray<unknown> }> = []
    const db = connect(t().url, { onQuery: (e) => events.push(e) })
    const withParams: Array<{ params?: ReadonlyArray<unknown> }> = []
    const db2 = connect(t().url, { onQuery: (e) => withParams.push(e), logParams: true })
    if (t().dialect === 'sqlite') return // each :memory: connection is its own database: nothing to query
    right(await pipe(query(Kinds), where({ name: SECRET }), count, run(db))())
    right(await pipe(query(Kinds), where({ name: SECRET }), count, run(db2))())
    expect(events.length).toBeGreaterThan(0)
    expect(events.every((e) => e.params === undefined)).toBe(true)
    expect(withParams.some((e) => e.params?.includes(SECRET))).toBe(true)
    await db.executor.close()
    await db2.executor.close()
  })
})
