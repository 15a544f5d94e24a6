/**
 * A key the database numbers keeps numbering through a migration that changes its column: MySQL's
 * MODIFY COLUMN redefines the whole column, and without AUTO_INCREMENT restated the next insert
 * that leaves the key out fails. The same models and steps on every dialect.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { create, fields, model, orderBy, query, runPromise, schema, values } from 'terrapin'
import { check, downgrade, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS } from '../support/databases'
import { migrationWorld } from './world'

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
    const w = migrationWorld(dialect, 'genkey')
    const titles = async (): Promise<ReadonlyArray<unknown>> =>
      runPromise(w().db)(pipe(query(v2.Ticket), orderBy('id'), values('id', 'title')))

    it('keeps numbering new rows after its type changes, and after the downgrade', async () => {
      right(await initDb(w().target(v1))())
      await runPromise(w().db)(create(v1.Ticket, { title: 'one' }))
      right(await makeMigration(w().target(v2))())
      right(await upgrade(w().target(v2))())
      expect(right(await check(w().target(v2))())).toMatchObject({ ok: true, missing: [], drift: [] })
      await runPromise(w().db)(create(v2.Ticket, { title: 'two' }))
      // a row written by hand, leaving the key to the database
      await w().db.executor.run(`INSERT INTO ${w().db.executor.dialect.quote('ticket')} (title) VALUES ('three')`, [])
      expect(await titles()).toEqual([
        { id: 1n, title: 'one' },
        { id: 2n, title: 'two' },
        { id: 3n, title: 'three' },
      ])
      right(await downgrade(w().target(v2), { version: 1, force: true })())
      await runPromise(w().db)(create(v1.Ticket, { title: 'four' }))
      expect((await titles()).map((r) => (r as { id: unknown }).id)).toEqual([1n, 2n, 3n, 4n])
    })
  })
}
