/**
 * A read prepared on a connection before a migration changed the type of a column it reads still
 * runs after it. PostgreSQL refuses such a statement (`cached plan must not change result type`);
 * postgres.js prepares it again by itself outside a transaction, and inside one the error is
 * retryable, so `transaction(…, { retry })` runs the program again and succeeds. The same steps on
 * every dialect, on a pool of two connections (the fewest migrations take), both of which have
 * prepared the read before.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { create, fields, model, query, run, runPromise, schema, transaction, values, where } from 'terrapin'
import { downgrade, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS } from '../support/databases'
import { migrationWorld } from './world'

const v1 = schema({
  Meter: model('Meter', { table: 'meter', fields: { id: fields.int({ pk: true }), reading: fields.int() } }),
})

/** The reading widened to a bigint. */
const v2 = schema({
  Meter: model('Meter', { table: 'meter', fields: { id: fields.int({ pk: true }), reading: fields.bigint() } }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

for (const dialect of DIALECTS) {
  describe(`statements prepared before a migration [${dialect}]`, () => {
    const w = migrationWorld(dialect, 'stale', { pool: 2 })

    it('a read prepared before a column changes type runs after it, in a transaction with retry and outside one', async () => {
      right(await initDb(w().target(v1))())
      // the application, still on the models it started with, and the migrations on one pool of two
      const app = w().db
      const read = pipe(query(v1.Meter), where({ reading__gte: 0 }), values('id', 'reading'))
      const inTransaction = transaction(app, (tx) => pipe(read, run(tx)), { retry: { attempts: 2, backoffMs: 1 } })
      await runPromise(app)(create(v1.Meter, { id: 1, reading: 7 }))
      // two at once, so that each connection of the pool runs one
      const twice = async (): Promise<ReadonlyArray<unknown>> =>
        (await Promise.all([inTransaction(), inTransaction()])).map(right)
      expect(await twice()).toEqual([[{ id: 1, reading: 7 }], [{ id: 1, reading: 7 }]])
      right(await makeMigration(w().target(v2))())
      right(await upgrade(w().target(v2))())
      expect(await twice()).toEqual([[{ id: 1, reading: 7 }], [{ id: 1, reading: 7 }]])
      // and back (the statement prepared against the bigint), read outside a transaction
      expect(right(await pipe(read, run(app))())).toEqual([{ id: 1, reading: 7 }])
      right(await downgrade(w().target(v2), { version: 1, force: true })())
      expect(right(await pipe(read, run(app))())).toEqual([{ id: 1, reading: 7 }])
    })
  })
}
