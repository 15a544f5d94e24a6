/**
 * The migration lock holds a pooled connection while the migrations run on others (PostgreSQL,
 * MySQL/MariaDB): on a pool of one connection that would wait forever, so upgrade and downgrade
 * refuse at once with what to do. SQLite, one connection and no separate lock, migrates as usual.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { Db, connect, fields, model, schema } from 'terrapin'
import { MigrationTarget, downgrade, initDb, upgrade } from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

const { Crate } = schema({ Crate: model('Crate', { fields: { id: fields.int({ pk: true }), tag: fields.text() } }) })

for (const dialect of DIALECTS) {
  describe(`migrations on a pool of one connection [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    let dir: string
    let target: MigrationTarget

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'migpool')
      db = connect(iso.url, { pool: 1 })
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-migpool-'))
      target = { db, app: 'models', models: [Crate], location: dir }
      const made = await initDb(target)()
      if (E.isLeft(made)) throw new Error(made.left.message)
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it(
      dialect === 'sqlite'
        ? 'upgrade and downgrade run (SQLite has one connection and takes its lock in the transaction)'
        : 'upgrade and downgrade refuse at once, saying the pool needs two connections',
      async () => {
        const up = await upgrade(target)()
        const down = await downgrade(target, { force: true })()
        if (dialect === 'sqlite') {
          expect(E.isRight(up)).toBe(true)
          expect(E.isRight(down)).toBe(true)
        } else
          for (const r of [up, down])
            expect(r).toMatchObject({
              _tag: 'Left',
              left: {
                _tag: 'MigrationError',
                reason: 'poolTooSmall',
                message: expect.stringMatching(/pool: 2/) as unknown,
              },
            })
      },
      10_000,
    )
  })
}
