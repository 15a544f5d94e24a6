/**
 * aerich's workflow through the `terrapin` command, run as a subprocess on each dialect:
 * init → init-db → change the models (rows in the tables) → migrate → upgrade → downgrade →
 * upgrade, checking the live schema against the models and the rows' values at every step, and
 * the refusals met on the way (no migrations yet, nothing to migrate, a question without a
 * terminal, an unknown version).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { AnyModel, bulkCreate, connect, create, fields, model, orderBy, query, remove, run, schema, values, where } from '../../src'
import { Db } from '../../src/run/statement'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { Project, Result, configModule, makeProject } from './project'

const V1 = `import { fields, model, schema } from 'terrapin'

export const { Author, Book } = schema({
  Author: model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 20 }) } }),
  Book: model('Book', {
    fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 100 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },
  }),
})
`

// A new table, a new nullable column, a widened column, a renamed column.
const V2 = `import { fields, model, schema } from 'terrapin'

export const { Author, Book, Tag } = schema({
  Author: model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 60 }), email: fields.char({ maxLength: 100, null: true }) } }),
  Book: model('Book', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 100 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },
  }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 30, unique: true }) } }),
})
`

// The same models in this process, to read and write the database between the commands.
const v1 = schema({
  Author: model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 20 }) } }),
  Book: model('Book', {
    fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 100 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },
  }),
})
const v2 = schema({
  Author: model('Author', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 60 }), email: fields.char({ maxLength: 100, null: true }) },
  }),
  Book: model('Book', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 100 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },
  }),
  Tag: model('Tag', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 30, unique: true }) } }),
})

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

const titles = (db: Db, m: AnyModel, field: string) => ok(pipe(query(m), orderBy('id'), values(field as never), run(db)) as never) as Promise<unknown>

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
      p.write('models.ts', V1)
      p.write('db.ts', configModule(url))
    })
    afterAll(async () => {
      await iso?.drop()
      p?.remove()
    })

    it('init, init-db, nothing to migrate', async () => {
      done(await p.terrapin('init', '-t', './db.ts'))
      // The refusals that do not depend on the dialect run on SQLite only, to keep the suite short.
      if (sqliteOnly) failsWith(await p.terrapin('upgrade'), 1, /^terrapin: app models: no migrations folder \/.*\/migrations\/models: run init-db first$/)
      const first = done(await p.terrapin('init-db'))
      expect(first.stdout).toMatch(/^app models: created the tables, wrote \.\/migrations\/models\/0_\d{14}_init\.ts and recorded version 0 as applied$/m)
      expect(p.files('migrations/models')).toEqual([expect.stringMatching(/^0_\d{14}_init\.ts$/)])
      if (sqliteOnly) failsWith(await p.terrapin('init-db'), 1, /^terrapin: app models already has migrations in \/.*: run upgrade$/)
      expect(done(await p.terrapin('migrate')).stdout).toBe('app models: no changes, nothing to migrate\n')
      expect(p.files('migrations/models')).toHaveLength(1)
    })

    it('migrate: a likely rename is a question, an error without a terminal; --rename answers it', async () => {
      await withDb(url, async (db) => {
        const [a, b] = await ok(pipe(bulkCreate(v1.Author, [{ name: 'Ann' }, { name: 'Bob' }]), run(db)))
        await ok(
          pipe(
            bulkCreate(v1.Book, [
              { title: 'One', authorId: a.id },
              { title: 'Two', authorId: b.id },
              { title: 'Three', authorId: a.id },
            ]),
            run(db),
          ),
        )
      })
      p.write('models.ts', V2)
      failsWith(await p.terrapin('migrate', '--name', 'v2'), 1, /^terrapin: app models: .*no terminal to ask; pass --rename table\.old:new/)
      expect(p.files('migrations/models')).toHaveLength(1)
      const made = done(await p.terrapin('migrate', '--name', 'v2', '--rename', 'book.title:name'))
      expect(made.stdout).toMatch(/^app models: wrote \.\/migrations\/models\/1_\d{14}_v2\.ts \(version 1, \d+ operations\)$/m)
      const heads = done(await p.terrapin('heads'))
      expect(heads.stdout).toMatch(/^app models: 1_v2 {2}\.\/migrations\/models\/1_\d{14}_v2\.ts$/m)
    })

    it('upgrade: --dry-run prints the SQL and applies nothing; then each migration and statement with its time; values kept', async () => {
      const dry = done(await p.terrapin('upgrade', '--dry-run'))
      expect(dry.stdout).toMatch(/CREATE TABLE/i)
      expect(dry.stdout).toMatch(/ALTER TABLE|INSERT INTO/i)
      const up = done(await p.terrapin('upgrade'))
      expect(up.stdout).toMatch(/^app models: applying 1_v2$/m)
      expect(up.stdout).toMatch(/^ {2}\S.* \(\d+ ms\)$/m)
      expect(up.stdout).toMatch(/^ {2}done in \d+ ms$/m)
      expect(up.stdout).toMatch(/^app models: applied 1 migration$/m)
      await withDb(url, async (db) => {
        // The live schema is v2's: the renamed column holds the old titles, the widened one takes 60 characters, the new ones are usable.
        expect(await titles(db, v2.Book, 'name')).toEqual([{ name: 'One' }, { name: 'Two' }, { name: 'Three' }])
        await ok(pipe(create(v2.Author, { name: 'x'.repeat(60), email: 'x@example.com' }), run(db)))
        await ok(pipe(create(v2.Tag, { label: 'sf' }), run(db)))
        expect(await titles(db, v2.Author, 'name')).toEqual([{ name: 'Ann' }, { name: 'Bob' }, { name: 'x'.repeat(60) }])
      })
      const history = done(await p.terrapin('history'))
      expect(history.stdout).toMatch(/^app models: 0_init {2}applied \d{4}-\d\d-\d\dT.*\napp models: 1_v2 {2}applied /m)
      if (sqliteOnly) expect(done(await p.terrapin('upgrade')).stdout).toBe('app models: up to date, nothing to upgrade\n')
    })

    it('downgrade: a drop is a question (--yes answers it), an unknown version an error; values back as they were', async () => {
      // The author whose name only fits v2's width goes first: narrowing over it must fail, even with --force.
      await withDb(url, (db) => ok(pipe(query(v2.Author), where({ name: 'x'.repeat(60) }), remove, run(db))))
      if (sqliteOnly)
        failsWith(await p.terrapin('downgrade', '-v', '7'), 1, /^terrapin: version 7 of app models is not applied \(applied: 0, 1\): see history$/)
      failsWith(await p.terrapin('downgrade', '--force'), 1, /^terrapin: app models: .*no terminal to ask; pass --yes to confirm$/)
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
      p.write('models.ts', V1)
      await withDb(url, async (db) => {
        expect(await titles(db, v1.Book, 'title')).toEqual([{ title: 'One' }, { title: 'Two' }, { title: 'Three' }])
      })
      if (sqliteOnly) expect(done(await p.terrapin('heads')).stdout).toMatch(/^app models: 1_v2 /m)
    })

    it('upgrade again with --json: a machine-readable report; the values intact', async () => {
      p.write('models.ts', V2)
      const up = done(await p.terrapin('upgrade', '--json'))
      const report = JSON.parse(up.stdout)
      expect(report).toMatchObject({
        ok: true,
        dryRun: false,
        apps: [{ app: 'models', applied: [{ version: 1, name: 'v2', statements: expect.any(Number), ms: expect.any(Number) }] }],
      })
      await withDb(url, async (db) => {
        expect(await titles(db, v2.Book, 'name')).toEqual([{ name: 'One' }, { name: 'Two' }, { name: 'Three' }])
      })
      expect(done(await p.terrapin('migrate')).stdout).toBe('app models: no changes, nothing to migrate\n')
    })

    if (sqliteOnly)
      it('downgrade -d deletes the file; a rename answered at a terminal; upgrade --fake records without running', async () => {
        const down = done(await p.terrapin('downgrade', '--yes', '--force', '-d'))
        expect(down.stdout).toMatch(/^app models: deleted \.\/migrations\/models\/1_\d{14}_v2\.ts$/m)
        expect(p.files('migrations/models')).toEqual([expect.stringMatching(/^0_/)])
        const made = await p.terrapinTty('y\n', 'migrate', '--name', 'again')
        expect(made.stdout).toMatch(/renamed to book\.name\?.*\[y\/N\]/)
        expect(made.stdout).toMatch(/app models: wrote \.\/migrations\/models\/1_\d{14}_again\.ts/)
        expect(made.code).toBe(0)
        expect(p.read(`migrations/models/${p.files('migrations/models')[1]}`)).toMatch(/RENAME COLUMN "title" TO "name"/)
        const fake = done(await p.terrapin('upgrade', '--fake'))
        expect(fake.stdout).toMatch(/^app models: recorded 1_again as applied, without running it \(--fake\)$/m)
        expect(fake.stdout).not.toMatch(/ALTER|CREATE/)
        // Recorded, not run: the table still has v1's columns.
        await withDb(url, async (db) => expect(await titles(db, v1.Book, 'title')).toEqual([{ title: 'One' }, { title: 'Two' }, { title: 'Three' }]))
        expect(done(await p.terrapin('history')).stdout).toMatch(/^app models: 1_again {2}applied /m)
      })
  })
}
