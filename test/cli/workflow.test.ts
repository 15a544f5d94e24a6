/**
 * aerich's workflow through the `terrapin` command, run as a subprocess on each dialect:
 * init → init-db → change the models (rows in the tables) → migrate → upgrade → downgrade →
 * upgrade, checking the live schema against the models and the rows' values at every step, and
 * the refusals met on the way (no migrations yet, nothing to migrate, a question without a
 * terminal, an unknown version).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  AnyModel,
  bulkCreate,
  connect,
  create,
  fields,
  model,
  orderBy,
  query,
  related,
  remove,
  run,
  schema,
  values,
  where,
} from '../../src'
import { Db } from '../../src/run/statement'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { Project, Result, configModule, makeProject } from './project'

// The models before and after, as source: written to the project's models.ts, and evaluated
// here to read and write the database between the commands.
const V1 = `{
  Author: model('Author', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 20 }), active: fields.boolean({ default: true }), note: fields.text({ null: true }) },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      pages: fields.smallint(),
      price: fields.decimal({ maxDigits: 6, decimalPlaces: 2 }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'CASCADE' }),
    },
  }),
  Publisher: model('Publisher', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 40 }) } }),
  Legacy: model('Legacy', { fields: { id: fields.int({ pk: true }), code: fields.char({ maxLength: 10 }) } }),
}`

// Every kind of change the CLI passes to the engine: a column widened, a default changed, a
// column added with an index, a column renamed, a type widened and made nullable, decimal
// digits, a column and a table dropped (empty), a foreign key's onDelete, a composite unique and
// index, a many-to-many through table, a table renamed, a table created.
const V2 = `{
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 60 }),
      active: fields.boolean({ default: false }),
      email: fields.char({ maxLength: 100, null: true, index: true }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100 }),
      pages: fields.int({ null: true }),
      price: fields.decimal({ maxDigits: 10, decimalPlaces: 2 }),
      author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'RESTRICT' }),
      tags: fields.manyToMany('Tag', { relatedName: 'books' }),
    },
    // led by the foreign key's column: MariaDB's key adopts this index, which the downgrade drops
    meta: { uniqueTogether: [['author', 'name']], indexes: [['pages', 'price']] },
  }),
  Publisher: model('Publisher', { table: 'press', fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 40 }) } }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 30, unique: true }) } }),
}`

const names = (src: string): string => [...src.matchAll(/^ {2}(\w+): model\(/gm)].map((m) => m[1]).join(', ')
const modelsFile = (src: string): string =>
  `import { fields, model, schema } from 'terrapin'\n\nexport const { ${names(src)} } = schema(${src})\n`
/** The models of a source, built here as the project's models.ts builds them. */
const evaluate = (src: string): Readonly<Record<string, AnyModel>> => {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one source for the project's file and this process's models, so they cannot drift
  const build = new Function('fields', 'model', 'schema', `return schema(${src})`) as (
    f: typeof fields,
    m: typeof model,
    s: typeof schema,
  ) => Record<string, AnyModel>
  return build(fields, model, schema)
}
const v1 = evaluate(V1)
const v2 = evaluate(V2)

const ok = async <A>(te: () => Promise<E.Either<unknown, A>>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left, (k, v: unknown) => (k === 'cause' ? undefined : v)))
  return r.right
}

/** Runs `f` on a connection of its own, closed afterwards (the subprocesses need the database to themselves on SQLite). */
const withDb = async <A>(url: string, f: (db: Db) => Promise<A>): Promise<A> => {
  const db = connect(url)
  try {
    return await f(db)
  } finally {
    await db.executor.close()
  }
}

/** Exit code `code`, one line on stderr matching `line`. */
const failsWith = (r: Result, code: number, line: RegExp): void => {
  const lines = r.stderr.trimEnd().split('\n')
  expect({ code: r.code, lines }).toEqual({ code, lines: [expect.stringMatching(line)] })
}

const done = (r: Result): Result => {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
  return r
}

/** A filter on the models evaluated from source, whose keys the compiler cannot know. */
const whereAny =
  (f: Readonly<Record<string, unknown>>) =>
  <P>(plan: P): P =>
    where(f as never)(plan as never) as P

type Row = Readonly<Record<string, unknown>>

/** Inserts rows into a model evaluated from source (its row type unknown to the compiler). */
const insert = (db: Db, m: AnyModel, data: ReadonlyArray<Row>): Promise<ReadonlyArray<Row>> =>
  ok(pipe(bulkCreate(m, data as never), run(db)) as () => Promise<E.Either<unknown, ReadonlyArray<Row>>>)

/** Inserts one row, the outcome as is. */
const tryCreate = (db: Db, m: AnyModel, row: Row): Promise<E.Either<{ readonly _tag: string }, unknown>> =>
  pipe(create(m, row as never), run(db))()

/** The rows of a model, some fields, in id order. */
const rows = (db: Db, m: AnyModel, ...fields: string[]): Promise<unknown> =>
  ok(pipe(query(m), orderBy('id'), values(...(fields as never[])), run(db)) as never)

const BOOKS_V1 = [
  { title: 'One', pages: 100, price: '12.50' },
  { title: 'Two', pages: 200, price: '7.25' },
  { title: 'Three', pages: 300, price: '9999.99' },
]
const BOOKS_V2 = BOOKS_V1.map(({ title, ...rest }) => ({ name: title, ...rest }))

for (const dialect of DIALECTS) {
  describe(`terrapin on ${dialect}`, () => {
    let iso: IsolatedDatabase
    let p: Project
    let url: string
    const sqliteOnly = dialect === 'sqlite'

    beforeAll(async () => {
      p = makeProject(`wf-${dialect}`)
      iso = await createIsolated(dialect, 'cli_workflow')
      url = dialect === 'sqlite' ? `sqlite://${p.dir}/db.sqlite3` : iso.url
      p.write('models.ts', modelsFile(V1))
      p.write('db.ts', configModule(url))
    })
    afterAll(async () => {
      await iso?.drop()
      p?.remove()
    })

    it('init, init-db, nothing to migrate', async () => {
      done(await p.terrapin('init', '-t', './db.ts'))
      // The refusals that do not depend on the dialect run on SQLite only, to keep the suite short.
      if (sqliteOnly)
        failsWith(
          await p.terrapin('upgrade'),
          1,
          /^terrapin: app models: no migrations folder \/.*\/migrations\/models: run init-db first$/,
        )
      const first = done(await p.terrapin('init-db'))
      expect(first.stdout).toMatch(
        /^app models: created the tables, wrote \.\/migrations\/models\/0_\d{14}_init\.ts and recorded version 0 as applied$/m,
      )
      expect(p.files('migrations/models')).toEqual([expect.stringMatching(/^0_\d{14}_init\.ts$/)])
      if (sqliteOnly)
        failsWith(await p.terrapin('init-db'), 1, /^terrapin: app models already has migrations in \/.*: run upgrade$/)
      expect(done(await p.terrapin('migrate')).stdout).toBe('app models: no changes, nothing to migrate\n')
      expect(p.files('migrations/models')).toHaveLength(1)
    })

    it('migrate: a likely rename is a question, an error without a terminal; --rename answers it (a table rename too)', async () => {
      await withDb(url, async (db) => {
        const [a, b] = await insert(db, v1.Author, [{ name: 'Ann' }, { name: 'Bob' }])
        const authors = [a.id, b.id, a.id]
        await insert(
          db,
          v1.Book,
          BOOKS_V1.map((book, i) => ({ ...book, authorId: authors[i] })),
        )
        await insert(db, v1.Publisher, [{ name: 'Acme' }])
      })
      p.write('models.ts', modelsFile(V2))
      failsWith(
        await p.terrapin('migrate', '--name', 'v2', '--rename', 'publisher:press'),
        1,
        /^terrapin: app models: Was (column )?book\.title renamed to book\.name\? \(no: drop .*\): no terminal to ask; pass --rename table\.old:new/,
      )
      expect(p.files('migrations/models')).toHaveLength(1)
      const made = done(
        await p.terrapin('migrate', '--name', 'v2', '--rename', 'book.title:name', '--rename', 'publisher:press'),
      )
      expect(made.stdout).toMatch(
        /^app models: wrote \.\/migrations\/models\/1_\d{14}_v2\.ts \(version 1, \d+ operations\)$/m,
      )
      if (sqliteOnly)
        expect(done(await p.terrapin('heads')).stdout).toMatch(
          /^app models: 1_v2 {2}\.\/migrations\/models\/1_\d{14}_v2\.ts$/m,
        )
    })

    it('upgrade: --dry-run prints the SQL and applies nothing; then each migration and statement with its time; the schema is v2, values kept', async () => {
      const dry = done(await p.terrapin('upgrade', '--dry-run'))
      expect(dry.stdout).toMatch(/^-- app models\n/)
      expect(dry.stdout).toMatch(/CREATE TABLE "tag"|CREATE TABLE `tag`/)
      await withDb(url, async (db) =>
        expect(await rows(db, v1.Book, 'title')).toEqual(BOOKS_V1.map(({ title }) => ({ title }))),
      )
      const up = done(await p.terrapin('upgrade'))
      expect(up.stdout).toMatch(/^app models: applying 1_v2$/m)
      expect(up.stdout).toMatch(/^ {2}\S.* \(\d+ ms\)$/m)
      expect(up.stdout).toMatch(/^ {2}done in \d+ ms$/m)
      expect(up.stdout).toMatch(/^app models: applied 1 migration$/m)
      await withDb(url, async (db) => {
        expect(await rows(db, v2.Book, 'name', 'pages', 'price')).toEqual(BOOKS_V2)
        expect(await rows(db, v2.Author, 'name', 'active')).toEqual([
          { name: 'Ann', active: true },
          { name: 'Bob', active: true },
        ])
        expect(await rows(db, v2.Publisher, 'name')).toEqual([{ name: 'Acme' }])
        // v2's columns take v2's values: 60 characters, no pages, ten digits, an email, a tag on a book.
        const [ann] = (await rows(db, v2.Author, 'id')) as Array<{ id: number }>
        await insert(db, v2.Author, [{ name: 'x'.repeat(60), email: 'x@example.com', active: false }])
        await insert(db, v2.Book, [{ name: 'Four', pages: null, price: '12345678.90', authorId: ann.id }])
        const [tag] = await insert(db, v2.Tag, [{ label: 'sf' }])
        const [one] = (await rows(db, v2.Book, 'id')) as Array<{ id: number }>
        await ok(pipe(related(v2.Book, one as never, 'tags' as never).add(tag as never), run(db)))
        expect(
          await ok(pipe(query(v2.Book), whereAny({ tags__label: 'sf' }), values('name' as never), run(db))),
        ).toEqual([{ name: 'One' }])
        // The composite unique holds; the foreign key now restricts.
        const dup = await tryCreate(db, v2.Book, { name: 'One', pages: 1, price: '1.00', authorId: ann.id })
        expect(E.isLeft(dup) && dup.left._tag).toBe('IntegrityError')
        const del = await pipe(query(v2.Author), whereAny({ id: ann.id }), remove, run(db))()
        expect(E.isLeft(del) && del.left._tag).toBe('IntegrityError')
        await ok(pipe(query(v2.Book), whereAny({ name: 'Four' }), remove, run(db)))
      })
      if (sqliteOnly)
        expect(done(await p.terrapin('history')).stdout).toMatch(
          /^app models: 0_init {2}applied \d{4}-\d\d-\d\dT.*\napp models: 1_v2 {2}applied /m,
        )
      if (sqliteOnly)
        expect(done(await p.terrapin('upgrade')).stdout).toBe('app models: up to date, nothing to upgrade\n')
    })

    it('downgrade: a drop is a question (--yes answers it), an unknown version an error; values back as they were', async () => {
      // The author whose name only fits v2's width goes first: narrowing over it must fail, even with --force.
      await withDb(url, (db) => ok(pipe(query(v2.Author), whereAny({ name: 'x'.repeat(60) }), remove, run(db))))
      if (sqliteOnly)
        failsWith(
          await p.terrapin('downgrade', '-v', '7'),
          1,
          /^terrapin: version 7 of app models is not applied \(applied: 0, 1\): see history$/,
        )
      failsWith(
        await p.terrapin('downgrade', '--force'),
        1,
        /^terrapin: app models: The downgrade .*drops.*: no terminal to ask; pass --yes to confirm$/,
      )
      if (sqliteOnly) {
        // At a terminal the question is asked; "n" cancels, and nothing is reverted.
        const no = await p.terrapinTty('n\n', 'downgrade', '--force')
        expect(no.code).toBe(1)
        expect(no.stdout).toMatch(/drops .*\[y\/N\]/)
        expect(done(await p.terrapin('heads')).stdout).toBe('app models: no pending migration\n')
      }
      const down = done(await p.terrapin('downgrade', '--yes', '--force'))
      expect(down.stdout).toMatch(/^app models: reverting 1_v2$/m)
      expect(down.stdout).toMatch(/^app models: reverted 1_v2$/m)
      p.write('models.ts', modelsFile(V1))
      await withDb(url, async (db) => {
        expect(await rows(db, v1.Book, 'title', 'pages', 'price')).toEqual(BOOKS_V1)
        expect(await rows(db, v1.Publisher, 'name')).toEqual([{ name: 'Acme' }])
        expect(await rows(db, v1.Legacy, 'code')).toEqual([])
        expect(await rows(db, v1.Author, 'name', 'note')).toEqual([
          { name: 'Ann', note: null },
          { name: 'Bob', note: null },
        ])
      })
      if (sqliteOnly) expect(done(await p.terrapin('heads')).stdout).toMatch(/^app models: 1_v2 /m)
    })

    it('upgrade again with --json: a machine-readable report; the values intact', async () => {
      p.write('models.ts', modelsFile(V2))
      const up = done(await p.terrapin('upgrade', '--json'))
      expect(JSON.parse(up.stdout) as unknown).toMatchObject({
        ok: true,
        dryRun: false,
        apps: [
          {
            app: 'models',
            applied: [
              { version: 1, name: 'v2', statements: expect.any(Number) as unknown, ms: expect.any(Number) as unknown },
            ],
            changed: [],
          },
        ],
      })
      await withDb(url, async (db) => expect(await rows(db, v2.Book, 'name', 'pages', 'price')).toEqual(BOOKS_V2))
      if (sqliteOnly)
        expect(done(await p.terrapin('migrate')).stdout).toBe('app models: no changes, nothing to migrate\n')
    })

    if (sqliteOnly)
      it('downgrade -d deletes the file; a rename answered at a terminal; upgrade --fake records without running', async () => {
        const down = done(await p.terrapin('downgrade', '--yes', '--force', '-d'))
        expect(down.stdout).toMatch(/^app models: deleted \.\/migrations\/models\/1_\d{14}_v2\.ts$/m)
        expect(p.files('migrations/models')).toEqual([expect.stringMatching(/^0_/)])
        const made = await p.terrapinTty('y\n', 'migrate', '--name', 'again', '--rename', 'publisher:press')
        expect(made.stdout).toMatch(/renamed to book\.name\?.*\[y\/N\]/)
        expect(made.stdout).toMatch(/app models: wrote \.\/migrations\/models\/1_\d{14}_again\.ts/)
        expect(made.code).toBe(0)
        expect(p.read(`migrations/models/${p.files('migrations/models')[1]}`)).toMatch(
          /rename column book\.title to name/,
        )
        const fake = done(await p.terrapin('upgrade', '--fake'))
        expect(fake.stdout).toMatch(/^app models: recorded 1_again as applied, without running it \(--fake\)$/m)
        expect(fake.stdout).not.toMatch(/ALTER|CREATE/)
        // Recorded, not run: the table still has v1's columns.
        await withDb(url, async (db) => expect(await rows(db, v1.Book, 'title', 'pages', 'price')).toEqual(BOOKS_V1))
        expect(done(await p.terrapin('history')).stdout).toMatch(/^app models: 1_again {2}applied /m)
      })
  })
}
