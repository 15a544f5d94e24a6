/**
 * `fields.enum` given a TypeScript enum object: string enums store their strings, numeric enums
 * their numbers (never the reverse-mapping names); written, read back, filtered, created by
 * `generateSchemas` and added to a live table by a migration, on every dialect.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { create, fields, model, orderBy, query, run, runPromise, schema, values, where } from 'terrapin'
import { initDb, makeMigration, upgrade } from '../../src/migrate'
import { forEachDialect } from '../support/dialects'

enum Color {
  Red = 'red',
  Green = 'green',
}
enum Level {
  Low = 1,
  High = 5,
}

const v1 = schema({
  Paint: model('Paint', { table: 'paint', fields: { id: fields.int({ pk: true }) } }),
})
const v2 = schema({
  Paint: model('Paint', {
    table: 'paint',
    fields: {
      id: fields.int({ pk: true }),
      color: fields.enum(Color, { default: Color.Red }),
      level: fields.enum(Level, { null: true }),
    },
  }),
})
const { Paint } = v2

describe('fields.enum(enum object)', () => {
  it('keeps the member values: strings, or the numbers of a numeric enum', () => {
    expect(Paint.fields.color.options.values).toEqual(['red', 'green'])
    expect(Paint.fields.level.options.values).toEqual([1, 5])
    expect(Paint.fields.color.options.maxLength).toBe(5)
    expect(fields.enum(['a', 'bb']).options.values).toEqual(['a', 'bb'])
  })
  it('refuses an enum mixing strings and numbers', () => {
    expect(() => fields.enum({ A: 'a', B: 2, 2: 'B' })).toThrow(/mixing/)
  })
})

forEachDialect('enum-object', [Paint], (t) => {
  beforeEach(() => t().reset())

  it('writes, reads back and filters by equality', async () => {
    const go = runPromise(t().db)
    await go(create(Paint, { id: 1, color: Color.Green, level: Level.High }))
    await go(create(Paint, { id: 2, level: Level.Low }))
    await go(create(Paint, { id: 3 }))
    expect(await go(pipe(query(Paint), orderBy('id'), values('id', 'color', 'level')))).toEqual([
      { id: 1, color: 'green', level: 5 },
      { id: 2, color: 'red', level: 1 },
      { id: 3, color: 'red', level: null },
    ])
    expect(await go(pipe(query(Paint), where({ level: Level.High }), values('id')))).toEqual([{ id: 1 }])
    expect(await go(pipe(query(Paint), where({ color__in: [Color.Red] }), orderBy('id'), values('id')))).toEqual([
      { id: 2 },
      { id: 3 },
    ])
  })

  it('refuses a reverse-mapping name as a value with a ValidationError', async () => {
    const r = await run(t().db)(create(Paint, { id: 9, level: 'High' as unknown as Level }))()
    expect(E.isLeft(r) && r.left._tag).toBe('ValidationError')
  })

  it('is added to an existing table by a migration', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-enum-'))
    const db = t().db
    const target = (models: Record<string, (typeof v1)['Paint'] | typeof Paint>) => ({
      db,
      app: 'enums',
      models: Object.values(models),
      location: dir,
    })
    try {
      await db.executor.run(`DROP TABLE ${db.executor.dialect.quote('paint')}`, [])
      expect(E.isRight(await initDb(target(v1))())).toBe(true)
      await runPromise(db)(create(v1.Paint, { id: 7 }))
      expect(E.isRight(await makeMigration(target(v2))())).toBe(true)
      expect(E.isRight(await upgrade(target(v2))())).toBe(true)
      await runPromise(db)(create(Paint, { id: 8, color: Color.Green, level: Level.Low }))
      expect(await runPromise(db)(pipe(query(Paint), orderBy('id'), values('id', 'color', 'level')))).toEqual([
        { id: 7, color: 'red', level: null },
        { id: 8, color: 'green', level: 1 },
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
