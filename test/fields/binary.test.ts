/**
 * `fields.binary()`: bytes in a BLOB / BYTEA / LONGBLOB column, written as a Buffer or a
 * Uint8Array and read back as a Buffer; filtered by equality, `in` and `isnull` (other lookups a
 * ValidationError); created by `generateSchemas`, added to a live table by a migration,
 * described, and a base64 string in the JSON Schema — on every dialect.
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
  fromJson,
  jsonSchema,
  model,
  orderBy,
  query,
  run,
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

const v1 = schema({ Doc: model('Doc', { table: 'doc', fields: { id: fields.int({ pk: true }) } }) })
const v2 = schema({
  Doc: model('Doc', {
    table: 'doc',
    fields: { id: fields.int({ pk: true }), data: fields.binary({ null: true }) },
  }),
})
const { Doc } = v2

/** Every byte value, NUL and high bytes included. */
const ALL = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

describe('fields.binary', () => {
  it('is a Buffer in describe and a base64 string in jsonSchema; fromJson decodes it', () => {
    const data = describeModel(Doc).fields.find((f) => f.name === 'data')
    expect(data?.kind).toBe('binary')
    expect(data?.type).toBe('Buffer')
    expect(JSON.stringify(jsonSchema(Doc, { mode: 'read' }))).toContain('"contentEncoding":"base64"')
    expect(fromJson(Doc, { data: Buffer.from('hi').toString('base64') }).data).toEqual(Buffer.from('hi'))
  })
})

forEachDialect('binary', [Doc], (t) => {
  beforeEach(() => t().reset())

  it('writes Buffer and Uint8Array, reads back Buffers, filters by exact, in and isnull', async () => {
    const go = runPromise(t().db)
    await go(create(Doc, { id: 1, data: ALL }))
    await go(create(Doc, { id: 2, data: new Uint8Array([1, 2, 3]) }))
    await go(create(Doc, { id: 3, data: Buffer.alloc(0) }))
    await go(create(Doc, { id: 4 }))
    const rows = await go(pipe(query(Doc), orderBy('id'), values('id', 'data')))
    expect(rows).toEqual([
      { id: 1, data: ALL },
      { id: 2, data: Buffer.from([1, 2, 3]) },
      { id: 3, data: Buffer.alloc(0) },
      { id: 4, data: null },
    ])
    expect(Buffer.isBuffer(rows[1].data)).toBe(true)
    expect(await go(pipe(query(Doc), where({ data: new Uint8Array([1, 2, 3]) }), values('id')))).toEqual([{ id: 2 }])
    expect(
      await go(pipe(query(Doc), where({ data__in: [ALL, Buffer.alloc(0)] }), orderBy('id'), values('id'))),
    ).toEqual([{ id: 1 }, { id: 3 }])
    expect(await go(pipe(query(Doc), where({ data__isnull: true }), values('id')))).toEqual([{ id: 4 }])
  })

  it('refuses ordering and text lookups and non-byte values with a ValidationError', async () => {
    const db = t().db
    const gt = await run(db)(pipe(query(Doc), where({ data__gt: ALL } as never), values('id')))()
    expect(E.isLeft(gt) && gt.left._tag).toBe('ValidationError')
    const contains = await run(db)(pipe(query(Doc), where({ data__contains: 'a' } as never), values('id')))()
    expect(E.isLeft(contains) && contains.left._tag).toBe('ValidationError')
    const str = await run(db)(create(Doc, { id: 9, data: 'abc' as never }))()
    expect(E.isLeft(str) && str.left._tag).toBe('ValidationError')
  })

  it('is added to an existing table by a migration', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-bin-'))
    const db = t().db
    const target = (models: Record<string, (typeof v1)['Doc'] | typeof Doc>) => ({
      db,
      app: 'bin',
      models: Object.values(models),
      location: dir,
    })
    try {
      await db.executor.run(`DROP TABLE ${db.executor.dialect.quote('doc')}`, [])
      right(await initDb(target(v1))())
      await runPromise(db)(create(v1.Doc, { id: 7 }))
      right(await makeMigration(target(v2))())
      right(await upgrade(target(v2))())
      // the live column reads back as the field's kind: nothing left to migrate
      const live = await introspect(db, { tables: ['doc'] })
      expect(schemaDifferences(db.executor.dialect, modelState([Doc]), live)).toEqual([])
      expect(right(await makeMigration(target(v2))())).toEqual({ noChanges: true })
      await runPromise(db)(create(Doc, { id: 8, data: ALL }))
      expect(await runPromise(db)(pipe(query(Doc), orderBy('id'), values('id', 'data')))).toEqual([
        { id: 7, data: null },
        { id: 8, data: ALL },
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
