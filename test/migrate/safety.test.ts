/**
 * What migrations refuse and how they fail, on every dialect: drops and narrowings that would
 * lose values (unless forced), a migration whose third statement fails (nothing changed where
 * DDL is transactional; on MySQL the statements applied are named and the next upgrade resumes),
 * likely renames, hand-edited files (data steps, checksums), dry runs and downgrade options.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  AnyModel,
  Db,
  Fields,
  bulkCreate,
  connect,
  fields,
  model,
  orderBy,
  query,
  runPromise,
  schema,
  update,
  values,
  where,
} from 'terrapin'
import {
  MigrationFailure,
  MigrationTarget,
  downgrade,
  heads,
  history,
  initDb,
  makeMigration,
  upgrade,
} from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const left = (r: E.Either<MigrationFailure, unknown>): MigrationFailure => {
  if (E.isRight(r)) throw new Error(`expected a refusal, got ${JSON.stringify(r.right)}`)
  return r.left
}

const item = () =>
  schema({ Item: model('Item', { fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }) })

for (const dialect of DIALECTS) {
  describe(`migration safety [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    let root: string
    let n = 0
    /** A fresh app (its own tables and folder) in the suite's database. */
    const app = (models: ReadonlyArray<AnyModel>, name: string): MigrationTarget => ({
      db,
      app: name,
      models,
      location: root,
    })
    const q = (s: string): string => db.executor.dialect.quote(s)

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'migsafe')
      db = connect(iso.url)
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-migsafe-'))
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
      fs.rmSync(root, { recursive: true, force: true })
    })

    /** Each test has its own table, named apart from the others'. */
    const fresh = async <const X extends Fields = Record<never, never>>(extra: X = {} as X) => {
      n++
      const table = `item${n}`
      const M = schema({
        Item: model('Item', {
          table,
          fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }), ...extra } as const,
        }),
      })
      const t = app([M.Item], `app${n}`)
      right(await initDb(t)())
      return { t, table, M }
    }

    it('refuses to drop a column that holds values, naming it and the rows, and drops it with force', async () => {
      const { t, table, M } = await fresh({ note: fields.text({ null: true }) })
      await runPromise(db)(
        bulkCreate(M.Item, [
          { label: 'a', note: 'x' },
          { label: 'b', note: 'y' },
          { label: 'c', note: null },
        ]),
      )
      const without = schema({
        Item: model('Item', { table, fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) } }),
      })
      right(await makeMigration({ ...t, models: [without.Item] })())
      const e = left(await upgrade(t)())
      expect(e).toMatchObject({ _tag: 'MigrationError', reason: 'dataLoss' })
      expect(e.message).toContain(`drops column ${table}.note`)
      expect(e.message).toContain('(2 rows)')
      expect(right(await heads(t)()).length).toBe(1)
      right(await upgrade(t, { force: true })())
      expect(await runPromise(db)(pipe(query(without.Item), orderBy('id'), values('label')))).toEqual([
        { label: 'a' },
        { label: 'b' },
        { label: 'c' },
      ])
    })

    it('refuses narrowing: a shorter maxLength, a smaller integer, NOT NULL over NULLs', async () => {
      const { t, table, M } = await fresh({ size: fields.bigint({ null: true }) })
      await runPromise(db)(
        bulkCreate(M.Item, [
          { label: 'x'.repeat(15), size: 5n },
          { label: 'short', size: 2n ** 40n },
          { label: 'z', size: null },
        ]),
      )
      const narrow = schema({
        Item: model('Item', {
          table,
          fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 10 }), size: fields.int() },
        }),
      })
      right(await makeMigration({ ...t, models: [narrow.Item] })())
      const e = left(await upgrade(t)())
      expect(e).toMatchObject({ reason: 'dataLoss' })
      // every problem named at once, with its count of rows
      expect(e.message).toContain(`shortens ${table}.label to 10 characters, and longer values are stored (1 row)`)
      expect(e.message).toContain(`narrows ${table}.size to int, and larger values are stored (1 row)`)
      expect(e.message).toContain(`makes ${table}.size NOT NULL, and it holds NULLs (1 row)`)
      await db.executor.run(`UPDATE ${q(table)} SET ${q('label')} = 'fits' WHERE ${q('id')} = 1`, [])
      await db.executor.run(`UPDATE ${q(table)} SET ${q('size')} = 7 WHERE ${q('id')} = 2`, [])
      const nulls = left(await upgrade(t)())
      expect(nulls.message).not.toContain('shortens')
      expect(nulls.message).toContain(`makes ${table}.size NOT NULL`)
      await db.executor.run(`UPDATE ${q(table)} SET ${q('size')} = 0 WHERE ${q('size')} IS NULL`, [])
      right(await upgrade(t)())
      expect(await runPromise(db)(pipe(query(narrow.Item), orderBy('id'), values('label', 'size')))).toEqual([
        { label: 'fits', size: 5 },
        { label: 'short', size: 7 },
        { label: 'z', size: 0 },
      ])
    })

    it('a migration whose third statement fails changes nothing where DDL is transactional, and says what was applied on MySQL', async () => {
      const { t, table, M } = await fresh()
      await runPromise(db)(bulkCreate(M.Item, [{ label: 'a' }, { label: 'b' }]))
      const made = right(await makeMigration(t, { name: 'broken', empty: true })())
      if (!('file' in made)) throw new Error('no file')
      const text = fs.readFileSync(made.file, 'utf8')
      const steps = [
        `CREATE TABLE ${q(`${table}_extra`)} (${q('id')} INTEGER NOT NULL PRIMARY KEY)`,
        `UPDATE ${q(table)} SET ${q('label')} = 'changed'`,
        `INSERT INTO ${q('no_such_table')} VALUES (1)`,
        `UPDATE ${q(table)} SET ${q('label')} = 'later'`,
      ]
      fs.writeFileSync(
        made.file,
        text.replace(
          /export const upgrade: MigrationSteps = \{\n {2}(\w+): \[\]/,
          (_, d) => `export const upgrade: MigrationSteps = {\n  ${d}: ${JSON.stringify(steps)}`,
        ),
      )
      const e = left(await upgrade(t)())
      expect(e).toMatchObject({ _tag: 'MigrationError', reason: 'statementFailed', failed: steps[2] })
      expect(e.message).toContain('statement 3 of 4 failed')
      const labels = await runPromise(db)(pipe(query(M.Item), orderBy('id'), values('label')))
      const hist = right(await history(t)())
      if (db.executor.dialect.transactionalDdl) {
        expect(e.message).toContain('nothing was applied')
        expect(labels).toEqual([{ label: 'a' }, { label: 'b' }])
        expect(
          await db.executor.all(`SELECT 1 FROM ${q(`${table}_extra`)}`, [], false).then(
            () => 'exists',
            () => 'missing',
          ),
        ).toBe('missing')
        expect(hist.map((h) => h.version)).toEqual([0])
      } else {
        expect(e).toMatchObject({ applied: steps.slice(0, 2) })
        expect(e.message).toContain('statements 1-2 were applied')
        expect(labels).toEqual([{ label: 'changed' }, { label: 'changed' }])
        expect(hist.map((h) => [h.version, h.progress])).toEqual([
          [0, null],
          [1, 2],
        ])
        // fixed by hand: the next upgrade resumes at statement 3
        fs.writeFileSync(
          made.file,
          fs.readFileSync(made.file, 'utf8').replace(steps[2], `UPDATE ${q(table)} SET ${q('label')} = 'third'`),
        )
        right(await upgrade(t)())
        expect(await runPromise(db)(pipe(query(M.Item), orderBy('id'), values('label')))).toEqual([
          { label: 'later' },
          { label: 'later' },
        ])
        expect(right(await history(t)()).map((h) => [h.version, h.progress])).toEqual([
          [0, null],
          [1, null],
        ])
      }
    })

    it('asks about a likely rename, refuses without anyone to ask, and keeps the values when it is one', async () => {
      const { t, table, M } = await fresh({ old: fields.int({ null: true }) })
      await runPromise(db)(
        bulkCreate(M.Item, [
          { label: 'a', old: 1 },
          { label: 'b', old: 2 },
        ]),
      )
      const renamed = schema({
        Item: model('Item', {
          table,
          fields: {
            id: fields.int({ pk: true }),
            label: fields.char({ maxLength: 20 }),
            fresh: fields.int({ null: true }),
          },
        }),
      })
      const t2 = { ...t, models: [renamed.Item] }
      const e = left(await makeMigration(t2)())
      expect(e).toMatchObject({ reason: 'ambiguousRename' })
      expect(e.message).toContain(`--rename ${table}.old:fresh`)
      const asked: string[] = []
      right(await makeMigration(t2, { ask: (question) => Promise.resolve((asked.push(question), true)) })())
      expect(asked).toEqual([expect.stringContaining(`column ${table}.old renamed to ${table}.fresh`)])
      right(await upgrade(t2)())
      expect(await runPromise(db)(pipe(query(renamed.Item), orderBy('id'), values('fresh')))).toEqual([
        { fresh: 1 },
        { fresh: 2 },
      ])
    })

    it('asks about each pairing when two columns are dropped and one added, and renames the one answered yes', async () => {
      const { t, table, M } = await fresh({
        first: fields.char({ maxLength: 20, null: true }),
        last: fields.char({ maxLength: 20, null: true }),
      })
      await runPromise(db)(
        bulkCreate(M.Item, [
          { label: 'a', first: null, last: 'Ames' },
          { label: 'b', first: null, last: 'Bell' },
        ]),
      )
      const merged = schema({
        Item: model('Item', {
          table,
          fields: {
            id: fields.int({ pk: true }),
            label: fields.char({ maxLength: 20 }),
            surname: fields.char({ maxLength: 30, null: true }),
          },
        }),
      })
      const t2 = { ...t, models: [merged.Item] }
      // without anyone to ask it refuses (naming the first pairing), never a silent drop + add
      expect(left(await makeMigration(t2)())).toMatchObject({ reason: 'ambiguousRename' })
      const asked: string[] = []
      right(
        await makeMigration(t2, {
          ask: (question) => Promise.resolve((asked.push(question), question.includes(`${table}.last renamed`))),
        })(),
      )
      expect(asked).toEqual([
        expect.stringContaining(`column ${table}.first renamed to ${table}.surname`),
        expect.stringContaining(`column ${table}.last renamed`),
      ])
      right(await upgrade(t2)())
      expect(await runPromise(db)(pipe(query(merged.Item), orderBy('id'), values('label', 'surname')))).toEqual([
        { label: 'a', surname: 'Ames' },
        { label: 'b', surname: 'Bell' },
      ])
      // and back: the column renamed and narrowed again under its earlier name, values kept
      right(await downgrade(t2, { force: true })())
      expect(await runPromise(db)(pipe(query(M.Item), orderBy('id'), values('label', 'first', 'last')))).toEqual([
        { label: 'a', first: null, last: 'Ames' },
        { label: 'b', first: null, last: 'Bell' },
      ])
    })

    it('runs data steps in the migration, reports a changed file, dry-runs, and downgrades to a version deleting the files', async () => {
      const { t, table, M } = await fresh()
      await runPromise(db)(bulkCreate(M.Item, [{ label: 'a' }, { label: 'b' }]))
      const v2 = schema({
        Item: model('Item', {
          table,
          fields: {
            id: fields.int({ pk: true }),
            label: fields.char({ maxLength: 20 }),
            score: fields.int({ null: true }),
          },
        }),
      })
      const t2 = { ...t, models: [v2.Item] }
      const made = right(await makeMigration(t2, { name: 'score' })())
      if (!('file' in made)) throw new Error('no file')
      // a backfill written as a terrapin plan, run in the same transaction
      const src = path.resolve(__dirname, '../../src/index.ts')
      const text = fs
        .readFileSync(made.file, 'utf8')
        .replace(
          "import type { MigrationGuards, MigrationSteps } from 'terrapin'",
          `import type { MigrationGuards, MigrationSteps } from 'terrapin'\nimport { fields, model, query, run, update, where } from ${JSON.stringify(src)}\n\nconst Item = model('Item', { table: ${JSON.stringify(table)}, fields: { id: fields.int({ pk: true }), score: fields.int({ null: true }) } })`,
        )
        .replace(
          /(export const upgrade: MigrationSteps = \{\n {2}\w+: \[\n(?: {4}.*\n)+)/,
          `$1    (db) => run(db)(update({ score: 10 })(where({ score: null })(query(Item)))),\n`,
        )
      expect(text).toContain('update({ score: 10 })(')
      fs.writeFileSync(made.file, text)
      const dry = right(await upgrade(t2, { dryRun: true })())
      expect(dry.applied).toEqual([])
      expect(dry.sql).toEqual([expect.stringContaining('ADD COLUMN'), '-- data step 2'])
      right(await upgrade(t2)())
      expect(await runPromise(db)(pipe(query(v2.Item), orderBy('id'), values('score')))).toEqual([
        { score: 10 },
        { score: 10 },
      ])

      fs.appendFileSync(made.file, '\n// edited after it was applied\n')
      expect(right(await history(t2)()).map((h) => h.changed)).toEqual([false, true])
      expect(right(await upgrade(t2)()).changed.map((c) => c.version)).toEqual([1])

      expect(left(await downgrade(t2, { version: 7 })())).toMatchObject({ reason: 'unknownVersion' })
      const questions: string[] = []
      expect(
        left(await downgrade(t2, { version: 1, ask: (s) => Promise.resolve((questions.push(s), false)) })()),
      ).toMatchObject({ reason: 'cancelled' })
      expect(questions[0]).toContain(`drops column ${table}.score`)
      const down = right(await downgrade(t2, { version: 1, deleteFiles: true, force: true })())
      expect(down.deleted).toEqual([made.file])
      expect(fs.existsSync(made.file)).toBe(false)
      expect(right(await history(t)()).map((h) => h.version)).toEqual([0])
      expect(await runPromise(db)(pipe(query(M.Item), orderBy('id'), values('label')))).toEqual([
        { label: 'a' },
        { label: 'b' },
      ])
    })

    it('refuses a NOT NULL column without a default on a table with rows; adds a one-to-one key and a defaulted column', async () => {
      const { t, table, M } = await fresh()
      await runPromise(db)(bulkCreate(M.Item, [{ label: 'a' }, { label: 'b' }]))
      const owner = model('Owner', { table: `${table}_owner`, fields: { id: fields.int({ pk: true }) } })
      const strict = schema({
        Owner: owner,
        Item: model('Item', {
          table,
          fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }), rank: fields.int() },
        }),
      })
      const made = right(await makeMigration({ ...t, models: Object.values(strict) })())
      const e = left(await upgrade(t)())
      expect(e.message).toContain(
        `adds column ${table}.rank NOT NULL without a default to a table with rows: give it a default or null: true (2 rows)`,
      )
      if ('file' in made) fs.unlinkSync(made.file)
      const kind = schema({
        Owner: owner,
        Item: model('Item', {
          table,
          fields: {
            id: fields.int({ pk: true }),
            label: fields.char({ maxLength: 20 }),
            rank: fields.int({ default: 1 }),
            owner: fields.oneToOne('Owner', { relatedName: 'item', null: true }),
          },
        }),
      })
      const tk = { ...t, models: Object.values(kind) }
      right(await makeMigration(tk)())
      right(await upgrade(tk)())
      await runPromise(db)(bulkCreate(kind.Owner, [{ id: 1 }]))
      await runPromise(db)(pipe(query(kind.Item), where({ label: 'a' }), update({ ownerId: 1 })))
      expect(await runPromise(db)(pipe(query(kind.Item), orderBy('id'), values('label', 'rank', 'ownerId')))).toEqual([
        { label: 'a', rank: 1, ownerId: 1 },
        { label: 'b', rank: 1, ownerId: null },
      ])
      // one-to-one: a second item of the same owner is refused
      const twice = await runPromise(db)(pipe(query(kind.Item), where({ label: 'b' }), update({ ownerId: 1 }))).then(
        E.right,
        E.left,
      )
      expect(E.isLeft(twice) && (twice.left as { _tag: string })._tag).toBe('IntegrityError')
      right(await downgrade(tk, { force: true })())
      expect(await runPromise(db)(pipe(query(M.Item), orderBy('id'), values('label')))).toEqual([
        { label: 'a' },
        { label: 'b' },
      ])
    })

    it('a foreign key added over values without a target fails and changes nothing (SQLite: PRAGMA foreign_key_check before the commit)', async () => {
      n++
      const table = `item${n}`
      const plain = schema({
        Owner: model('Owner', { table: `owner${n}`, fields: { id: fields.int({ pk: true }) } }),
        Item: model('Item', {
          table,
          fields: { id: fields.int({ pk: true }), ownerId: fields.int({ source: 'owner_id' }) },
        }),
      })
      const t = app(Object.values(plain), `app${n}`)
      right(await initDb(t)())
      await runPromise(db)(bulkCreate(plain.Owner, [{ id: 1 }]))
      await runPromise(db)(bulkCreate(plain.Item, [{ ownerId: 1 }, { ownerId: 99 }]))
      const keyed = schema({
        Owner: plain.Owner,
        Item: model('Item', {
          table,
          fields: { id: fields.int({ pk: true }), owner: fields.foreignKey('Owner', { relatedName: 'items' }) },
        }),
      })
      const tk = { ...t, models: Object.values(keyed) }
      right(await makeMigration(tk)())
      const e = left(await upgrade(tk)())
      expect(e).toMatchObject({ _tag: 'MigrationError', reason: 'statementFailed' })
      const guard = db.executor.dialect.migrationGuard
      if (guard) {
        expect(e.message).toContain(`1 row(s) break a foreign key (first in table ${table})`)
        // foreign keys are enforced again once the migration is over
        expect(await db.executor.all('PRAGMA foreign_keys', [], false)).toEqual([[1]])
      }
      expect(right(await history(tk)()).map((h) => h.version)).toEqual(
        db.executor.dialect.transactionalDdl ? [0] : [0, 1],
      )
      // the rows and the table as they were: a row pointing nowhere can still be written
      await runPromise(db)(bulkCreate(plain.Item, [{ ownerId: 98 }]))
      expect(await runPromise(db)(pipe(query(plain.Item), orderBy('id'), values('ownerId')))).toEqual([
        { ownerId: 1 },
        { ownerId: 99 },
        { ownerId: 98 },
      ])
    })

    it('says what to do when there is nothing to work on', async () => {
      const t = app([item().Item], 'nothing')
      expect(left(await upgrade(t)())).toMatchObject({ reason: 'noMigrations' })
      expect(left(await makeMigration(t)())).toMatchObject({ reason: 'notInitialised' })
      expect(left(await downgrade(t)())).toMatchObject({ reason: 'notInitialised' })
    })

    it('a migration file that does not load, or lacks its steps, is a badFile error naming it', async () => {
      const t = app([item().Item], 'badfiles')
      fs.mkdirSync(path.join(root, 'badfiles'), { recursive: true })
      const file = path.join(root, 'badfiles', '0_20260101000000_init.ts')
      fs.writeFileSync(file, 'export const upgrade = {')
      const broken = left(await upgrade(t)())
      expect(broken).toMatchObject({ _tag: 'MigrationError', reason: 'badFile' })
      expect(broken.message).toContain('0_20260101000000_init.ts')
      fs.writeFileSync(
        file,
        `export const upgrade = { oracle: [] }\nexport const downgrade = {}\nexport const state = { models: [] }\n`,
      )
      const steps = left(await upgrade(t)())
      expect(steps.message).toContain(`0_20260101000000_init.ts has no upgrade steps for ${db.executor.dialect.name}`)
      expect(right(await heads(t)()).map((h) => h.version)).toEqual([0])
    })
  })
}
