/**
 * `terrapin check` as a subprocess on each dialect: exit 0 when the models match the migrations
 * and the database the applied ones; exit 1, listing every difference, when a migration is
 * missing or the database was altered by hand; pending migrations listed, not a failure.
 */
import { connect } from '../../src'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { Project, Result, configModule, makeProject } from './project'

const models = (extra: string): string =>
  [
    `import { fields, model, schema } from 'terrapin'`,
    ``,
    `export const { Author, Book } = schema({`,
    `  Author: model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 40 })${extra} } }),`,
    `  Book: model('Book', {`,
    `    fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 100 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },`,
    `    meta: { indexes: [['title', 'author']] },`,
    `  }),`,
    `})`,
    ``,
  ].join('\n')

const done = (r: Result): Result => {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
  return r
}

for (const dialect of DIALECTS) {
  describe(`terrapin check on ${dialect}`, () => {
    let iso: IsolatedDatabase
    let p: Project
    let url: string

    beforeAll(async () => {
      p = makeProject(`check-${dialect}`)
      iso = await createIsolated(dialect, 'cli_check')
      url = dialect === 'sqlite' ? `sqlite://${p.dir}/db.sqlite3` : iso.url
      p.write('models.ts', models(''))
      p.write('db.ts', configModule(url))
    })
    afterAll(async () => {
      await iso?.drop()
      p?.remove()
    })

    it('passes on a fresh project, fails on a missing migration, lists a pending one, fails on drift', async () => {
      done(await p.terrapin('init', '-t', './db.ts'))
      done(await p.terrapin('init-db'))
      expect(done(await p.terrapin('check')).stdout).toBe(
        'app models: the models match the migrations, and the database the applied ones\n',
      )

      // a field added to the models, no migration for it
      p.write('models.ts', models(', bio: fields.text({ null: true })'))
      const missing = await p.terrapin('check')
      expect(missing).toEqual({
        code: 1,
        stdout: 'app models: not in a migration: add column author.bio\n',
        stderr: 'terrapin: app models: 1 change not in a migration (run terrapin migrate)\n',
      })

      // written, not applied: pending, and the database still matches the applied migrations
      done(await p.terrapin('migrate', '--name', 'bio'))
      expect(done(await p.terrapin('check')).stdout).toMatch(
        /^app models: pending: 1_bio\napp models: the models match/,
      )
      done(await p.terrapin('upgrade'))
      done(await p.terrapin('check'))

      // altered by hand: a column added, an index dropped
      const db = connect(url)
      try {
        const q = db.executor.dialect.quote
        await db.executor.run(`ALTER TABLE ${q('author')} ADD COLUMN ${q('nick')} INTEGER`, [])
        await db.executor.run(
          `DROP INDEX ${q('idx_book_title_author_id')}${dialect === 'mysql' ? ` ON ${q('book')}` : ''}`,
          [],
        )
      } finally {
        await db.executor.close()
      }
      const drift = await p.terrapin('check')
      expect(drift.code).toBe(1)
      expect(drift.stdout.trimEnd().split('\n').sort()).toEqual([
        'app models: drift: column author.nick is not in the models',
        'app models: drift: index book (title, author_id) is missing',
      ])
      expect(drift.stderr).toBe('terrapin: app models: 2 differences of the database from its migrations\n')
      const json = await p.terrapin('check', '--json')
      expect(json.code).toBe(1)
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        apps: [{ app: 'models', ok: false, missing: [], pending: [] }],
      })
    })
  })
}
