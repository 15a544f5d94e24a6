/**
 * Model options through migrations and introspection, on every dialect: `description` as table
 * and column comments (set, changed, removed, kept across MySQL's MODIFY COLUMN), bigint
 * defaults beyond 2^53 (through the state file, the diff, ADD COLUMN's DEFAULT and the catalog,
 * digit for digit), `dbConstraint: false` keys (no drift against the live schema, inspectdb's
 * guess of the relation, the constraint added and dropped again) and composite indexes and uniques. Each step: makeMigration, upgrade, `check` clean, introspection equal
 * to the models, nothing left to migrate; then a downgrade back to the start.
 */
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { AnyModel, create, fields, model, orderBy, query, runPromise, schema, values } from 'terrapin'
import {
  SchemaState,
  check,
  downgrade,
  initDb,
  introspect,
  loadMigration,
  listMigrations,
  makeMigration,
  modelSource,
  modelState,
  schemaDifferences,
  upgrade,
} from '../../src/migrate'
import { DIALECTS } from '../support/databases'
import { migrationWorld } from './world'

const BIG = 9007199254740993n

const v1 = schema({
  Author: model('Author', {
    table: 'author',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50, description: "The author's name" }),
      bio: fields.text({ null: true, description: 'Goes away' }),
      score: fields.bigint({ default: BIG }),
    },
    meta: { description: 'People who write' },
  }),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 80, description: 'Title' }),
      author: fields.foreignKey('Author', { relatedName: 'books', dbConstraint: false, null: true }),
    },
  }),
})

/**
 * Comments changed (`name`, whose column is also widened and made nullable), removed (`bio`, the
 * author's table), added (`score`, the book's table, the new `rank`) and kept over a type change
 * (`title`: MySQL's MODIFY COLUMN must restate it); a bigint default changed; a bigint column
 * with a default added to `book` (SQLite rebuilds `author` but adds to `book`, so every catalog
 * has the DEFAULT).
 */
const v2 = schema({
  Author: model('Author', {
    table: 'author',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 120, null: true, description: 'Name, as printed' }),
      bio: fields.text({ null: true }),
      score: fields.bigint({ default: BIG + 2n, description: 'Score' }),
    },
  }),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100, description: 'Title' }),
      author: fields.foreignKey('Author', { relatedName: 'books', dbConstraint: false, null: true }),
      rank: fields.bigint({ default: -BIG - 4n, description: "It's ranked" }),
    },
    meta: { description: 'Books' },
  }),
})

/** `book.author_id` given its FOREIGN KEY, a composite index and a unique led by the key. */
const v3 = schema({
  Author: v2.Author,
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100, description: 'Title' }),
      author: fields.foreignKey('Author', { relatedName: 'books', null: true }),
      rank: fields.bigint({ default: -BIG - 4n, description: "It's ranked" }),
    },
    meta: { description: 'Books', indexes: [['title', 'rank']], uniqueTogether: [['author', 'title']] },
  }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** The comments of a state: the tables' and the columns' (by `table.column`). */
const comments = (s: SchemaState): Record<string, string> =>
  Object.fromEntries(
    s.models.flatMap((m): Array<[string, string]> => [
      ...(m.description !== undefined ? [[m.table, m.description] as [string, string]] : []),
      ...Object.entries(m.fields).flatMap(([k, f]): Array<[string, string]> =>
        typeof f.options.description === 'string'
          ? [[`${m.table}.${typeof f.options.source === 'string' ? f.options.source : k}`, f.options.description]]
          : [],
      ),
    ]),
  )

for (const dialect of DIALECTS) {
  describe(`model options through migrations [${dialect}]`, () => {
    const w = migrationWorld(dialect, 'mopts')
    /** SQLite keeps no comments: the models' descriptions stay in the models. */
    const keeps = dialect !== 'sqlite'
    const live = async (): Promise<SchemaState> => introspect(w().db, { tables: ['author', 'book'] })
    const inLine = async (models: Record<string, AnyModel>): Promise<void> => {
      const state = await live()
      expect(schemaDifferences(w().db.executor.dialect, modelState(Object.values(models)), state)).toEqual([])
      expect(comments(state)).toEqual(keeps ? comments(modelState(Object.values(models))) : {})
    }

    it('migrates comments and bigint defaults with no drift, and back', async () => {
      right(await initDb(w().target(v1))())
      expect(right(await check(w().target(v1))())).toMatchObject({ ok: true, missing: [], drift: [] })
      await inLine(v1)
      await runPromise(w().db)(create(v1.Author, { id: 1, name: 'Ann' }))
      await runPromise(w().db)(create(v1.Book, { id: 1, title: 'One', authorId: 1 }))

      const made = right(await makeMigration(w().target(v2))())
      expect(made).toMatchObject({ version: 1 })
      // the state file holds the bigints digit for digit
      const file = loadMigration(listMigrations(path.join(w().dir, 'models'))[1], w().db.executor.dialect.name)
      const score = file.state.models.find((m) => m.name === 'Author')!.fields.score
      expect(score.options.default).toEqual({ $bigint: String(BIG + 2n) })
      right(await upgrade(w().target(v2))())
      expect(right(await check(w().target(v2))())).toMatchObject({ ok: true, missing: [], drift: [] })
      await inLine(v2)
      expect(right(await makeMigration(w().target(v2))())).toEqual({ noChanges: true })
      // the book there before got ADD COLUMN's default, digit for digit; a new author the model's
      await runPromise(w().db)(create(v2.Author, { id: 2, name: 'Bo' }))
      expect(await runPromise(w().db)(pipe(query(v2.Author), orderBy('id'), values('id', 'score')))).toEqual([
        { id: 1, score: BIG },
        { id: 2, score: BIG + 2n },
      ])
      expect(await runPromise(w().db)(pipe(query(v2.Book), values('id', 'rank', 'authorId')))).toEqual([
        { id: 1, rank: -BIG - 4n, authorId: 1 },
      ])

      right(await downgrade(w().target(v2), { version: 1, force: true })())
      await inLine(v1)
      right(await upgrade(w().target(v2))())
      await inLine(v2)
    })

    it('writes inspectdb source with the comments, the bigint default and the key without a constraint', async () => {
      const source = modelSource(await live())
      // a DEFAULT beyond 2^53, read from the catalog digit for digit
      await w().db.executor.run(
        'CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT -9007199254740997)',
        [],
      )
      expect(modelSource(await introspect(w().db, { tables: ['counter'] }))).toContain(
        'n: fields.bigint({ default: -9007199254740997n }),',
      )
      expect(source).toContain(
        'author: fields.foreignKey("Author", { relatedName: "book_by_author", null: true, dbConstraint: false }), // no FOREIGN KEY in the database: guessed from its name',
      )
      if (keeps) {
        expect(source).toContain('description: "It\'s ranked"')
        expect(source).toContain('meta: { description: "Books" }')
      } else expect(source).not.toContain('description')
    })

    it('adds and drops a FOREIGN KEY with dbConstraint, a composite index and a unique, with no drift', async () => {
      right(await makeMigration(w().target(v3))())
      right(await upgrade(w().target(v3))())
      expect(right(await check(w().target(v3))())).toMatchObject({ ok: true, missing: [], drift: [] })
      await inLine(v3)
      expect(right(await makeMigration(w().target(v3))())).toEqual({ noChanges: true })
      const book = (await live()).models.find((m) => m.table === 'book')!
      expect(book.fields.author).toMatchObject({ kind: 'foreignKey', target: 'Author' })
      expect(book).toMatchObject({ indexes: [['title', 'rank']], uniqueTogether: [['author', 'title']] })
      // the key holds now: a book of no author is an IntegrityError
      expect(
        await runPromise(w().db)(create(v3.Book, { id: 2, title: 'Two', authorId: 99 })).catch((e: Error) => e.name),
      ).toBe('IntegrityError')

      right(await downgrade(w().target(v3), { version: 2 })())
      await inLine(v2)
      expect((await live()).models.find((m) => m.table === 'book')!.fields.author_id).toMatchObject({ kind: 'int' })
    })

    it('reports a comment changed by hand as drift, where the database keeps comments', async () => {
      expect(right(await check(w().target(v3))())).toMatchObject({ ok: true, drift: [] })
      const c = w().db.executor.dialect.comments
      const byHand =
        c.statement?.('book', undefined, 'By hand') ?? (c.table ? `ALTER TABLE book${c.table('By hand')}` : undefined)
      if (byHand !== undefined) await w().db.executor.run(byHand, [])
      expect(right(await check(w().target(v3))()).drift).toEqual(
        keeps ? ['table book has COMMENT "By hand", expected COMMENT "Books"'] : [],
      )
    })
  })
}
