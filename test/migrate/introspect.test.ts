/**
 * Introspection on every dialect: a database created by generateSchemas, and one migrated by
 * init-db + migrate + upgrade, read back from its catalog gives the state of its models (no
 * difference); a change made by hand (a column added, an index dropped, a column made nullable)
 * is listed as drift; the introspected state creates the same live schema again.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { Db, connect, fields, generateSchemas, model, schema } from 'terrapin'
import { initDb, introspect, makeMigration, modelState, modelsOf, schemaDifferences, upgrade } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { liveSchema } from './live-schema'

const models = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50, unique: true }),
      bio: fields.text({ null: true }),
      born: fields.date({ null: true }),
      score: fields.smallint({ index: true }),
      tags: fields.manyToMany('Tag', { relatedName: 'authors' }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.bigint({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
      editor: fields.foreignKey('Author', { relatedName: 'edited', null: true, onDelete: 'SET NULL' }),
      price: fields.decimal({ maxDigits: 10, decimalPlaces: 2 }),
      rating: fields.float({ null: true }),
      inPrint: fields.boolean({ default: true }),
      at: fields.datetime({ autoNowAdd: true }),
      time: fields.time({ null: true }),
      code: fields.uuid({ null: true }),
      extra: fields.json({ null: true }),
      pages: fields.int({ default: 0 }),
    },
    meta: { uniqueTogether: [['author', 'title']], indexes: [['rating', 'pages']] },
  }),
  Cover: model('Cover', {
    fields: { id: fields.int({ pk: true }), book: fields.oneToOne('Book', { relatedName: 'cover' }) },
  }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

for (const dialect of DIALECTS) {
  describe(`introspection [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    const expected = modelState(Object.values(models))

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'introspect')
      db = connect(iso.url)
      right(await generateSchemas(db, Object.values(models))())
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
    })

    it('reads a database created by generateSchemas as the state of its models', async () => {
      const live = await introspect(db)
      expect(live.models.map((m) => m.table).sort()).toEqual(['author', 'book', 'cover', 'tag'])
      expect(live.models.find((m) => m.table === 'author')!.fields.tags).toMatchObject({
        kind: 'manyToMany',
        target: 'Tag',
      })
      expect(schemaDifferences(db.executor.dialect, expected, live)).toEqual([])
      const book = live.models.find((m) => m.table === 'book')!
      expect(book.fields.author).toMatchObject({
        kind: 'foreignKey',
        target: 'Author',
        nullable: false,
        options: { onDelete: 'RESTRICT' },
      })
      expect(book.fields.editor).toMatchObject({
        kind: 'foreignKey',
        target: 'Author',
        nullable: true,
        options: { onDelete: 'SET NULL' },
      })
      expect(book.fields.title).toMatchObject({ kind: 'char', nullable: false, options: { maxLength: 100 } })
      // SQLite stores a decimal as TEXT: its catalog cannot tell one from text
      expect(book.fields.price).toMatchObject(
        dialect === 'sqlite' ? { kind: 'text' } : { kind: 'decimal', options: { maxDigits: 10, decimalPlaces: 2 } },
      )
      expect(book.uniqueTogether).toEqual([['author', 'title']])
      expect(book.indexes).toEqual([['rating', 'pages']])
      expect(live.models.find((m) => m.table === 'cover')!.fields.book).toMatchObject({
        kind: 'oneToOne',
        target: 'Book',
      })
      expect(live.models.find((m) => m.table === 'author')!.fields.name).toMatchObject({ options: { unique: true } })
    })

    it('creates the same live schema again from the introspected state', async () => {
      const live = await introspect(db)
      const other = await createIsolated(dialect, 'introspect2')
      const db2 = connect(other.url)
      try {
        right(await generateSchemas(db2, modelsOf(live))())
        const tables = ['author', 'book', 'cover', 'tag', 'author_tag']
        expect(await liveSchema(db2, tables)).toEqual(await liveSchema(db, tables))
      } finally {
        await db2.executor.close()
        await other.drop()
      }
    })

    it('lists every change made by hand as a difference', async () => {
      const q = db.executor.dialect.quote
      await db.executor.run(`ALTER TABLE ${q('tag')} ADD COLUMN ${q('colour')} INTEGER`, [])
      await db.executor.run(
        `DROP INDEX ${q('idx_book_rating_pages')}${dialect === 'mysql' ? ` ON ${q('book')}` : ''}`,
        [],
      )
      const diffs = schemaDifferences(db.executor.dialect, expected, await introspect(db))
      expect(diffs).toEqual(
        expect.arrayContaining(['column tag.colour is not in the models', 'index book (rating, pages) is missing']),
      )
      expect(diffs).toHaveLength(2)
      // and the models' own view of a table the database lacks
      expect(
        schemaDifferences(
          db.executor.dialect,
          expected,
          await introspect(db, { tables: ['author', 'author_tag', 'book', 'cover'] }),
        ),
      ).toContain('table tag is missing')
    })

    it('reads a database made by init-db, migrate and upgrade as the state of the last migration', async () => {
      const fresh = await createIsolated(dialect, 'introspect3')
      const db3 = connect(fresh.url)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-introspect-'))
      try {
        const v1 = schema({
          Tag: models.Tag,
          Note: model('Note', { fields: { id: fields.int({ pk: true }), text: fields.char({ maxLength: 10 }) } }),
        })
        right(await initDb({ db: db3, app: 'models', models: Object.values(v1), location: dir })())
        const t = { db: db3, app: 'models', models: Object.values(models), location: dir }
        right(await makeMigration(t)())
        right(await upgrade(t, { force: true })())
        expect(
          schemaDifferences(
            db3.executor.dialect,
            expected,
            await introspect(db3, { tables: ['author', 'author_tag', 'book', 'cover', 'tag'] }),
          ),
        ).toEqual([])
        // the table the migration dropped is gone
        expect(schemaDifferences(db3.executor.dialect, expected, await introspect(db3))).toEqual([])
        await db3.executor.run(
          `CREATE TABLE ${db3.executor.dialect.quote('note')} (${db3.executor.dialect.quote('id')} INTEGER)`,
          [],
        )
        expect(schemaDifferences(db3.executor.dialect, expected, await introspect(db3))).toEqual([
          'table note is not in the models',
        ])
      } finally {
        await db3.executor.close()
        await fresh.drop()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}
