/**
 * A statement on a table the database does not have (the schema never created, a migration not
 * applied) is a QueryError that says what to run: generateSchemas or `terrapin upgrade`, in the
 * message and in `hint`, on every dialect, for reads, writes and raw SQL; the database's own
 * code is kept.
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import {
  MISSING_TABLE_HINT,
  Runnable,
  TerrapinError,
  count,
  create,
  fields,
  model,
  query,
  remove,
  run,
  runSync,
  schema,
  sql,
  where,
} from 'terrapin'
import { forEachDialect } from '../support/dialects'

const { Ghost } = schema({
  Ghost: model('Ghost', { table: 'ghost_never_created', fields: { name: fields.char({ maxLength: 20 }) } }),
})

const CODES = { sqlite: 'SQLITE_ERROR', postgres: '42P01', mysql: '42S02' } as const

forEachDialect('missing table', [], (t) => {
  const failure = async (plan: Runnable<unknown>): Promise<TerrapinError> => {
    const r = await run(t().db)(plan)()
    if (E.isRight(r)) throw new Error('expected a Left')
    return r.left
  }

  it.each<[string, Runnable<unknown>]>([
    ['a read', pipe(query(Ghost), where({ name: 'x' }))],
    ['a count', pipe(query(Ghost), count)],
    ['a create', create(Ghost, { name: 'x' })],
    ['a delete', pipe(query(Ghost), remove)],
    ['raw SQL', sql`SELECT * FROM ghost_never_created`],
  ])('%s says to create the tables or to migrate', async (_, plan) => {
    const e = await failure(plan)
    expect(e._tag).toBe('QueryError')
    if (e._tag !== 'QueryError') return
    expect(e.message).toMatch(/ghost_never_created/)
    expect(e.message).toContain('generateSchemas(db, models)')
    expect(e.message).toContain('terrapin upgrade')
    expect(e.hint).toBe(MISSING_TABLE_HINT)
    expect(e.code).toBe(CODES[t().dialect])
    expect(e.retryable).toBe(false)
  })

  it('another error has no hint', async () => {
    const e = await failure(sql`SELECT no_such_function_at_all(1)`)
    expect(e._tag).toBe('QueryError')
    expect(e._tag === 'QueryError' && e.hint).toBeUndefined()
    expect(e.message).not.toContain('generateSchemas')
  })

  it('runSync says the same on SQLite (elsewhere it runs nothing: a ConfigurationError)', () => {
    const r = runSync(t().db)(pipe(query(Ghost), count))()
    if (E.isRight(r)) throw new Error('expected a Left')
    if (t().dialect === 'sqlite') expect(r.left._tag === 'QueryError' && r.left.hint).toBe(MISSING_TABLE_HINT)
    else expect(r.left._tag).toBe('ConfigurationError')
  })
})
