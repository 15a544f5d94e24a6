/**
 * A composite unique led by a foreign key's column, added with the key and dropped again: MariaDB
 * lets the key adopt that index and then refuses to drop it while the key stands, so the
 * migration drops the key first and adds it back. On every dialect the whole round trip (upgrade,
 * the unique dropped alone, downgrade to the start, upgrade again) leaves the schema the models
 * would create and every row's values.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  AnyModel,
  bulkCreate,
  connect,
  fields,
  generateSchemas,
  model,
  orderBy,
  query,
  runPromise,
  schema,
  values,
} from 'terrapin'
import { downgrade, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS, createIsolated } from '../support/databases'
import { migrationWorld } from './world'
import { liveSchema } from './live-schema'

const author = model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) } })

const v1 = schema({
  Author: author,
  Book: model('Book', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) } }),
})

/** The key and the unique it leads, added together (the case). */
const v2 = schema({
  Author: author,
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      author: fields.foreignKey('Author', { relatedName: 'books', null: true }),
    },
    meta: { uniqueTogether: [['author', 'name']] },
  }),
})

/** The unique dropped, the key kept. */
const v3 = schema({
  Author: author,
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      author: fields.foreignKey('Author', { relatedName: 'books', null: true }),
    },
  }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const TABLES = ['author', 'book']

for (const dialect of DIALECTS) {
  describe(`a unique led by a foreign key [${dialect}]`, () => {
    const w = migrationWorld(dialect, 'fkidx')

    /** The live schema the models would create in an empty database. */
    const expected = async (models: Record<string, AnyModel>): Promise<unknown> => {
      const fresh = await createIsolated(dialect, 'fkidxref')
      const other = connect(fresh.url)
      try {
        right(await generateSchemas(other, Object.values(models))())
        return await liveSchema(other, TABLES)
      } finally {
        await other.executor.close()
        await fresh.drop()
      }
    }

    it('upgrades, drops the unique alone, downgrades to the start and upgrades again', async () => {
      right(await initDb(w().target(v1))())
      await runPromise(w().db)(bulkCreate(v1.Author, [{ id: 1, name: 'Ann' }]))
      await runPromise(w().db)(
        bulkCreate(v1.Book, [
          { id: 1, name: 'One' },
          { id: 2, name: 'Two' },
        ]),
      )
      right(await makeMigration(w().target(v2))())
      right(await makeMigration(w().target(v3))())
      right(await upgrade(w().target(v3))())
      expect(await liveSchema(w().db, TABLES)).toEqual(await expected(v3))

      right(await downgrade(w().target(v3), { version: 2 })())
      expect(await liveSchema(w().db, TABLES)).toEqual(await expected(v2))
      right(await downgrade(w().target(v3), { version: 1 })())
      expect(await liveSchema(w().db, TABLES)).toEqual(await expected(v1))
      expect(await runPromise(w().db)(pipe(query(v1.Book), orderBy('id'), values('id', 'name')))).toEqual([
        { id: 1, name: 'One' },
        { id: 2, name: 'Two' },
      ])

      right(await upgrade(w().target(v3), {})())
      expect(await liveSchema(w().db, TABLES)).toEqual(await expected(v3))
      expect(await runPromise(w().db)(pipe(query(v3.Book), orderBy('id'), values('id', 'name', 'authorId')))).toEqual([
        { id: 1, name: 'One', authorId: null },
        { id: 2, name: 'Two', authorId: null },
      ])
    })
  })
}
