/**
 * A key the database numbers keeps numbering through a migration that changes its column: MySQL's
 * MODIFY COLUMN redefines the whole column, and without AUTO_INCREMENT restated the next insert
 * that leaves the key out fails. The same models and steps on every dialect.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { AnyModel, Db, connect, create, fields, model, orderBy, query, runPromise, schema, values } from 'terrapin'
import { MigrationTarget, check, downgrade, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

const v1 = schema({
  Ticket: model('Ticket', {
    table: 'ticket',
    fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 20 }) },
  }),
})

/** The key widened to a bigint, and made to carry a comment (a MODIFY COLUMN of its own on MySQL). */
const v2 = schema({
  Ticket: model('Ticket', {
    table: 'ticket',
    fields: { id: fields.bigint({ pk: true, description: 'Numbered' }), title: fields.char({ maxLength: 20 }) },
  }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

for (const dialect of DIALECTS) {
  describe(`a generated key through a column change [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    let dir: string
    const target = (models: Record<string, AnyModel>): MigrationTarget => ({
      db,
      app: 'models',
      models: Object.values(models),
      location: dir,
    })
    const titles = async (): Promise<ReadonlyArray<unknown>> =>
      runPromise(db)(pipe(query(v2.Ticket), orderBy('id'), values('id', 'title')))

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'genkey')
      db = connect(iso.url)
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-genkey-'))
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it('keeps numbering new rows after its type changes, and after the downgrade', async () => {
      right(await initDb(target(v1))())
      await runPromise(db)(create(v1.Ticket, { title: 'one' }))
      right(await makeMigration(target(v2))())
      right(await upgrade(target(v2))())
      expect(right(await check(target(v2))())).toMatchObject({ ok: true, missing: [], drift: [] })
      await runPromise(db)(create(v2.Ticket, { title: 'two' }))
      // a row written by hand, leaving the key to the database
      await db.executor.run(`INSERT INTO ${db.executor.dialect.quote('ticket')} (title) VALUES ('three')`, [])
      expect(await titles()).toEqual([
        { id: 1n, title: 'one' },
        { id: 2n, title: 'two' },
        { id: 3n, title: 'three' },
      ])
      right(await downgrade(target(v2), { version: 1, force: true })())
      await runPromise(db)(create(v1.Ticket, { title: 'four' }))
      expect((await titles()).map((r) => (r as { id: unknown }).id)).toEqual([1n, 2n, 3n, 4n])
    })
  })
}
