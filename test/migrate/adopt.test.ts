/**
 * Adopting a database whose tables exist already, on every dialect: `upgrade` with `fake` records
 * the migrations as applied without running them (aerich's `--fake`), after which `check` finds
 * no drift and the next migration applies as usual; `check` reports a missing migration and a
 * hand-made change through the API as well.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { AnyModel, Db, connect, fields, generateSchemas, model, schema } from 'terrapin'
import { MigrationTarget, check, history, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

const v1 = schema({
  Shelf: model('Shelf', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 30, unique: true }) },
  }),
  Box: model('Box', {
    fields: {
      id: fields.int({ pk: true }),
      shelf: fields.foreignKey('Shelf', { relatedName: 'boxes' }),
      size: fields.smallint(),
    },
  }),
})
const v2 = schema({
  Shelf: v1.Shelf,
  Box: model('Box', {
    fields: {
      id: fields.int({ pk: true }),
      shelf: fields.foreignKey('Shelf', { relatedName: 'boxes' }),
      size: fields.smallint(),
      label: fields.text({ null: true }),
    },
  }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

for (const dialect of DIALECTS) {
  describe(`adopting a database [${dialect}]`, () => {
    let live: IsolatedDatabase
    let scratch: IsolatedDatabase
    let db: Db
    let dir: string
    const target = (models: Record<string, AnyModel>, on: Db = db): MigrationTarget => ({
      db: on,
      app: 'models',
      models: Object.values(models),
      location: dir,
    })

    beforeAll(async () => {
      live = await createIsolated(dialect, 'adopt')
      scratch = await createIsolated(dialect, 'adoptscratch')
      db = connect(live.url)
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-adopt-'))
    })
    afterAll(async () => {
      await db?.executor.close()
      await live?.drop()
      await scratch?.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it('upgrade --fake records without running; check then passes, and the next migration applies', async () => {
      // the tables exist already (made without migrations)
      right(await generateSchemas(db, Object.values(v1))())
      await db.executor.run(
        `INSERT INTO ${db.executor.dialect.quote('shelf')} (${db.executor.dialect.quote('name')}) VALUES ('top')`,
        [],
      )
      // the first migration written against an empty database
      const other = connect(scratch.url)
      try {
        right(await initDb(target(v1, other))())
      } finally {
        await other.executor.close()
      }
      // not applied yet here: check lists it as pending, and the empty state differs from the tables
      const before = right(await check(target(v1))())
      expect(before.pending.map((h) => h.version)).toEqual([0])
      expect(before.drift).toEqual(
        expect.arrayContaining(['table shelf is not in the models', 'table box is not in the models']),
      )

      const faked = right(await upgrade(target(v1), { fake: true })())
      expect(faked.applied).toEqual([{ version: 0, name: 'init', statements: 0, ms: 0 }])
      expect(right(await history(target(v1))()).map((h) => [h.version, h.changed])).toEqual([[0, false]])
      expect(right(await check(target(v1))())).toEqual({ ok: true, missing: [], drift: [], pending: [] })
      // the row is still there: nothing ran
      expect(
        (await db.executor.all(`SELECT COUNT(*) FROM ${db.executor.dialect.quote('shelf')}`, [], false))[0].map(Number),
      ).toEqual([1])

      // a model change without a migration is missing; with it, applied for real
      expect(right(await check(target(v2))())).toMatchObject({
        ok: false,
        missing: ['add column box.label'],
        drift: [],
      })
      right(await makeMigration(target(v2))())
      expect(right(await upgrade(target(v2))()).applied.map((a) => a.version)).toEqual([1])
      expect(right(await check(target(v2))())).toEqual({ ok: true, missing: [], drift: [], pending: [] })
    })
  })
}
