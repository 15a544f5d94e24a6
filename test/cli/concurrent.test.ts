/**
 * Two `terrapin upgrade` processes started at once against one database, on each dialect: each
 * pending migration is applied exactly once (PostgreSQL's advisory lock, MySQL's GET_LOCK,
 * SQLite's write lock with the version read again inside the migration's transaction). The
 * migration holds a data step that waits, so that the second process asks while the first
 * one runs it.
 */
import { connect } from '../../src'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'
import { Project, configModule, makeProject } from './project'

const models = (extra: string): string =>
  [
    `import { fields, model, schema } from 'terrapin'`,
    ``,
    `export const { Item } = schema({`,
    `  Item: model('Item', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 40 })${extra} } }),`,
    `})`,
    ``,
  ].join('\n')

for (const dialect of DIALECTS) {
  describe(`two upgrades at once on ${dialect}`, () => {
    let iso: IsolatedDatabase
    let p: Project
    let url: string

    beforeAll(async () => {
      p = makeProject(`concurrent-${dialect}`)
      iso = await createIsolated(dialect, 'cli_concurrent')
      url = dialect === 'sqlite' ? `sqlite://${p.dir}/db.sqlite3` : iso.url
      p.write('models.ts', models(''))
      p.write('db.ts', configModule(url))
    })
    afterAll(async () => {
      await iso?.drop()
      p?.remove()
    })

    it('apply each migration once: one process applies it, the other waits and finds it applied', async () => {
      expect((await p.terrapin('init', '-t', './db.ts')).code).toBe(0)
      expect((await p.terrapin('init-db')).code).toBe(0)
      p.write('models.ts', models(', note: fields.text({ null: true })'))
      expect((await p.terrapin('migrate', '--name', 'note')).code).toBe(0)
      const file = `migrations/models/${p.files('migrations/models')[1]}`
      // a data step that waits first: the other process reads the versions while this one runs
      const slow = p
        .read(file)
        .replace(
          /(export const upgrade: MigrationSteps = \{\n\s+\w+: \[)/,
          '$1\n    () => new Promise((done) => setTimeout(done, 2500)),',
        )
      expect(slow).not.toBe(p.read(file))
      p.write(file, slow)

      const [a, b] = await Promise.all([p.terrapin('upgrade'), p.terrapin('upgrade')])
      expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', ''])
      const outs = [a.stdout, b.stdout]
      expect(outs.filter((o) => /applied 1 migration/.test(o))).toHaveLength(1)
      expect(outs.filter((o) => /up to date, nothing to upgrade/.test(o))).toHaveLength(1)

      const db = connect(url)
      try {
        const q = db.executor.dialect.quote
        const rows = await db.executor.all(
          `SELECT ${q('version')} FROM ${q('terrapin_migrations')} ORDER BY ${q('version')}`,
          [],
          false,
        )
        expect(rows.map((r) => Number(r[0]))).toEqual([0, 1])
        await db.executor.run(`INSERT INTO ${q('item')} (${q('label')}, ${q('note')}) VALUES ('a', 'b')`, [])
      } finally {
        await db.executor.close()
      }
    })
  })
}
