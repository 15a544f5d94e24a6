/**
 * The migration API end to end on every dialect, with rows in the tables: init-db, a change of
 * the models, makeMigration, upgrade, the tables used through the new models, downgrade and
 * upgrade again, with every value kept that the change did not drop.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  AnyModel,
  Db,
  bulkCreate,
  connect,
  create,
  fields,
  generateSchemas,
  model,
  orderBy,
  query,
  runPromise,
  schema,
  update,
  values,
  where,
} from 'terrapin'
import { MigrationTarget, downgrade, heads, history, initDb, makeMigration, upgrade } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { liveSchema } from './live-schema'

const v1 = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      email: fields.char({ maxLength: 100, null: true }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
      price: fields.decimal({ maxDigits: 10, decimalPlaces: 2 }),
      code: fields.int(),
    },
  }),
  Obsolete: model('Obsolete', { fields: { id: fields.int({ pk: true }), note: fields.text({ null: true }) } }),
})

/** Every kind of change: widened, renamed, added, dropped (empty), indexed, composite unique, onDelete, many-to-many, new table. */
const v2 = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 80, index: true }),
      contact: fields.char({ maxLength: 100, null: true }),
      bio: fields.text({ null: true }),
      tags: fields.manyToMany('Tag', { relatedName: 'authors' }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
      price: fields.decimal({ maxDigits: 12, decimalPlaces: 2 }),
      code: fields.bigint(),
      rating: fields.int({ default: 3 }),
      publisher: fields.foreignKey('Publisher', { relatedName: 'books', null: true, onDelete: 'SET NULL' }),
    },
    meta: { uniqueTogether: [['title', 'author']] },
  }),
  Publisher: model('Publisher', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 60, unique: true }) },
  }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }),
})

/** The rest: a table renamed, uniques added and dropped, an index dropped, a foreign key column and a many-to-many dropped, NULL allowed. */
const v3 = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 80 }),
      contact: fields.char({ maxLength: 100, null: true, unique: true }),
      bio: fields.text({ null: true }),
    },
  }),
  Book: model('Book', {
    table: 'volume',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100, null: true }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
      price: fields.decimal({ maxDigits: 12, decimalPlaces: 2 }),
      code: fields.bigint(),
      rating: fields.int({ default: 3 }),
    },
    meta: { indexes: [['rating', 'code']] },
  }),
  Publisher: model('Publisher', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 60 }) } }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

for (const dialect of DIALECTS) {
  describe(`migrations [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    let dir: string
    const target = (models: ReadonlyArray<AnyModel>): MigrationTarget => ({ db, app: 'models', models, location: dir })

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'migrate')
      db = connect(iso.url)
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-migrate-'))
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it('init-db, migrate, upgrade, downgrade and upgrade again keep the values', async () => {
      const made = right(await initDb(target(Object.values(v1)))())
      expect(made.version).toBe(0)
      expect(path.basename(made.file)).toMatch(/^0_\d{14}_init\.ts$/)
      // refuses a second time
      const again = await initDb(target(Object.values(v1)))()
      expect(E.isLeft(again) && again.left._tag === 'MigrationError' && again.left.reason).toBe('alreadyInitialised')

      await runPromise(db)(
        bulkCreate(v1.Author, [
          { id: 1, name: 'Ann', email: 'ann@x' },
          { id: 2, name: 'Bob', email: null },
        ]),
      )
      await runPromise(db)(
        bulkCreate(v1.Book, [
          { id: 1, title: 'One', authorId: 1, price: '12.50', code: 7 },
          { id: 2, title: 'Two', authorId: 2, price: '3.00', code: 2147483647 },
        ]),
      )
      expect(right(await makeMigration(target(Object.values(v1)))())).toEqual({ noChanges: true })

      const m1 = right(
        await makeMigration(target(Object.values(v2)), {
          name: 'second',
          renames: [{ table: 'author', from: 'email', to: 'contact' }],
        })(),
      )
      expect('file' in m1 && path.basename(m1.file)).toMatch(/^1_\d{14}_second\.ts$/)
      expect(right(await heads(target(Object.values(v2)))()).map((h) => h.version)).toEqual([1])

      const events: string[] = []
      const up = right(await upgrade(target(Object.values(v2)), { onProgress: (e) => events.push(e.kind) })())
      expect(up.applied.map((a) => a.version)).toEqual([1])
      expect(events[events.length - 1]).toBe('migration')
      expect(right(await heads(target(Object.values(v2)))())).toEqual([])

      // the new models work on the migrated tables, and the old rows are there
      const authors = await runPromise(db)(
        pipe(query(v2.Author), orderBy('id'), values('id', 'name', 'contact', 'bio')),
      )
      expect(authors).toEqual([
        { id: 1, name: 'Ann', contact: 'ann@x', bio: null },
        { id: 2, name: 'Bob', contact: null, bio: null },
      ])
      const books = await runPromise(db)(
        pipe(query(v2.Book), orderBy('id'), values('id', 'title', 'price', 'code', 'rating', 'publisherId')),
      )
      expect(books).toEqual([
        { id: 1, title: 'One', price: '12.50', code: 7n, rating: 3, publisherId: null },
        { id: 2, title: 'Two', price: '3.00', code: 2147483647n, rating: 3, publisherId: null },
      ])
      const pub = await runPromise(db)(create(v2.Publisher, { name: 'P' }))
      await runPromise(db)(create(v2.Author, { id: 3, name: 'C'.repeat(80), contact: 'c@x', bio: 'long' }))
      await runPromise(db)(
        create(v2.Book, {
          id: 3,
          title: 'Three',
          authorId: 3,
          price: '1234567890.00',
          code: 2n ** 40n,
          publisherId: pub.id,
        }),
      )
      // the composite unique holds
      const dup = await pipe(create(v2.Book, { title: 'Three', authorId: 3, price: '1.00', code: 1n }), (p) =>
        runPromise(db)(p).then(E.right, E.left),
      )
      expect(E.isLeft(dup)).toBe(true)
      // RESTRICT: an author with books cannot be deleted
      const del = await runPromise(db)(pipe(query(v2.Author), where({ id: 1 }), update({ name: 'Ann' })))
      expect(del).toBe(1)

      // back: the new rows that do not fit the old schema go (forced), the old values stay
      const refused = await downgrade(target(Object.values(v2)))()
      expect(E.isLeft(refused) && refused.left._tag === 'MigrationError' && refused.left.reason).toBe('dataLoss')
      await runPromise(db)(pipe(query(v2.Book), where({ id: 3 }), (p) => p))
      await db.executor.run(
        `DELETE FROM ${db.executor.dialect.quote('book')} WHERE ${db.executor.dialect.quote('id')} = 3`,
        [],
      )
      await db.executor.run(
        `DELETE FROM ${db.executor.dialect.quote('author')} WHERE ${db.executor.dialect.quote('id')} = 3`,
        [],
      )
      const down = right(await downgrade(target(Object.values(v2)), { force: true })())
      expect(down.reverted.map((r) => r.version)).toEqual([1])
      expect(await runPromise(db)(pipe(query(v1.Author), orderBy('id'), values('id', 'name', 'email')))).toEqual([
        { id: 1, name: 'Ann', email: 'ann@x' },
        { id: 2, name: 'Bob', email: null },
      ])
      expect(await runPromise(db)(pipe(query(v1.Book), orderBy('id'), values('id', 'title', 'price', 'code')))).toEqual(
        [
          { id: 1, title: 'One', price: '12.50', code: 7 },
          { id: 2, title: 'Two', price: '3.00', code: 2147483647 },
        ],
      )

      right(await upgrade(target(Object.values(v2)))())
      expect(await runPromise(db)(pipe(query(v2.Author), orderBy('id'), values('id', 'name', 'contact')))).toEqual([
        { id: 1, name: 'Ann', contact: 'ann@x' },
        { id: 2, name: 'Bob', contact: null },
      ])
      const hist = right(await history(target(Object.values(v2)))())
      expect(hist.map((h) => [h.version, h.name, h.changed])).toEqual([
        [0, 'init', false],
        [1, 'second', false],
      ])
    })

    it('renames a table, adds and drops uniques and indexes, drops a foreign key and a many-to-many, and back', async () => {
      const t3 = target(Object.values(v3))
      await runPromise(db)(pipe(query(v2.Book), where({ id: 1 }), update({ rating: 5 })))
      const made = right(await makeMigration(t3, { name: 'third', renames: [{ from: 'book', to: 'volume' }] })())
      expect('file' in made && made.operations).toBeGreaterThan(5)
      right(await upgrade(t3)())
      const rows = [
        { id: 1, title: 'One', authorId: 1, price: '12.50', code: 7n, rating: 5 },
        { id: 2, title: 'Two', authorId: 2, price: '3.00', code: 2147483647n, rating: 3 },
      ]
      expect(
        await runPromise(db)(
          pipe(query(v3.Book), orderBy('id'), values('id', 'title', 'authorId', 'price', 'code', 'rating')),
        ),
      ).toEqual(rows)
      await runPromise(db)(create(v3.Book, { id: 4, title: null, authorId: 1, price: '1.00', code: 1n }))
      // the unique added to contact holds, the one dropped from publisher.name is gone
      const dupContact = await runPromise(db)(create(v3.Author, { name: 'X', contact: 'ann@x' })).then(E.right, E.left)
      expect(E.isLeft(dupContact) && (dupContact.left as { _tag: string })._tag).toBe('IntegrityError')
      await runPromise(db)(bulkCreate(v3.Publisher, [{ name: 'Same' }, { name: 'Same' }]))
      expect(right(await makeMigration(t3)())).toEqual({ noChanges: true })

      // back to v2: the rows added since do not fit it (two publishers named alike, a NULL title)
      await db.executor.run(
        `DELETE FROM ${db.executor.dialect.quote('volume')} WHERE ${db.executor.dialect.quote('id')} = 4`,
        [],
      )
      await db.executor.run(`DELETE FROM ${db.executor.dialect.quote('publisher')}`, [])
      right(await downgrade(t3, { version: 2 })())
      expect(
        await runPromise(db)(
          pipe(query(v2.Book), orderBy('id'), values('id', 'title', 'authorId', 'price', 'code', 'rating')),
        ),
      ).toEqual(rows)
      right(await upgrade(t3)())
      expect(
        await runPromise(db)(
          pipe(query(v3.Book), orderBy('id'), values('id', 'title', 'authorId', 'price', 'code', 'rating')),
        ),
      ).toEqual(rows)
      expect(await runPromise(db)(pipe(query(v3.Author), orderBy('id'), values('id', 'name', 'contact')))).toEqual([
        { id: 1, name: 'Ann', contact: 'ann@x' },
        { id: 2, name: 'Bob', contact: null },
      ])
    })

    it('leaves the schema the models would create in an empty database', async () => {
      const fresh = await createIsolated(dialect, 'migfresh')
      const other = connect(fresh.url)
      try {
        right(await generateSchemas(other, Object.values(v3))())
        const tables = ['author', 'volume', 'publisher', 'tag']
        const migrated = await liveSchema(db, tables)
        expect(migrated).toEqual(await liveSchema(other, tables))
        // and back at the first state, the schema init-db made
        right(await downgrade(target(Object.values(v3)), { version: 1, force: true })())
        const first = await createIsolated(dialect, 'migfirst')
        const third = connect(first.url)
        try {
          right(await generateSchemas(third, Object.values(v1))())
          expect(await liveSchema(db, ['author', 'book', 'obsolete'])).toEqual(
            await liveSchema(third, ['author', 'book', 'obsolete']),
          )
        } finally {
          await third.executor.close()
          await first.drop()
        }
      } finally {
        await other.executor.close()
        await fresh.drop()
      }
    })
  })
}
