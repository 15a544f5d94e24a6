/**
 * `fields.timedelta()`: a BIGINT column of microseconds, a JS `bigint`; written, read back,
 * filtered by equality and compared, created by `generateSchemas`, added to a live table by a
 * migration, described and given a JSON Schema — on every dialect.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  create,
  describe as describeModel,
  fields,
  jsonSchema,
  model,
  orderBy,
  query,
  runPromise,
  schema,
  values,
  where,
} from 'terrapin'
import { initDb, introspect, makeMigration, modelState, schemaDifferences, upgrade } from '../../src/migrate'
import { forEachDialect } from '../support/dialects'

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const HOUR = 3_600_000_000n

const v1 = schema({ Job: model('Job', { table: 'job', fields: { id: fields.int({ pk: true }) } }) })
const v2 = schema({
  Job: model('Job', {
    table: 'job',
    fields: {
      id: fields.int({ pk: true }),
      took: fields.timedelta(),
      limit: fields.timedelta({ null: true }),
    },
  }),
})
const { Job } = v2

describe('fields.timedelta', () => {
  it('is a bigint field of microseconds in describe and jsonSchema', () => {
    const took = describeModel(Job).fields.find((f) => f.name === 'took')
    expect(took?.kind).toBe('bigint')
    expect(took?.type).toBe('bigint (microseconds)')
    expect(JSON.stringify(jsonSchema(Job, { mode: 'read' }))).toContain('"description":"microseconds"')
  })
})

forEachDialect('timedelta', [Job], (t) => {
  beforeEach(() => t().reset())

  it('writes, reads back, filters by equality and compares', async () => {
    const go = runPromise(t().db)
    await go(create(Job, { id: 1, took: HOUR, limit: 2n * HOUR }))
    await go(create(Job, { id: 2, took: 1500n }))
    await go(create(Job, { id: 3, took: 0n }))
    expect(await go(pipe(query(Job), orderBy('id'), values('id', 'took', 'limit')))).toEqual([
      { id: 1, took: HOUR, limit: 2n * HOUR },
      { id: 2, took: 1500n, limit: null },
      { id: 3, took: 0n, limit: null },
    ])
    expect(await go(pipe(query(Job), where({ took: 1500n }), values('id')))).toEqual([{ id: 2 }])
    expect(await go(pipe(query(Job), where({ took__gt: 1000n }), orderBy('id'), values('id')))).toEqual([
      { id: 1 },
      { id: 2 },
    ])
    expect(await go(pipe(query(Job), where({ took__lt: HOUR }), orderBy('id'), values('id')))).toEqual([
      { id: 2 },
      { id: 3 },
    ])
  })

  it('is added to an existing table by a migration', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-td-'))
    const db = t().db
    const target = (models: Record<string, (typeof v1)['Job'] | typeof Job>) => ({
      db,
      app: 'td',
      models: Object.values(models),
      location: dir,
    })
    try {
      await db.executor.run(`DROP TABLE ${db.executor.dialect.quote('job')}`, [])
      right(await initDb(target(v1))())
      right(await makeMigration(target(v2))())
      right(await upgrade(target(v2))())
      // the live column reads back as the field's kind: nothing left to migrate
      const live = await introspect(db, { tables: ['job'] })
      expect(schemaDifferences(db.executor.dialect, modelState([Job]), live)).toEqual([])
      expect(right(await makeMigration(target(v2))())).toEqual({ noChanges: true })
      await runPromise(db)(create(Job, { id: 8, took: HOUR }))
      expect(await runPromise(db)(pipe(query(Job), orderBy('id'), values('id', 'took', 'limit')))).toEqual([
        { id: 8, took: HOUR, limit: null },
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
