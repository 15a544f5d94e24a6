/**
 * `fulltext` through migrations: declaring it on a field that exists makes the dialect's
 * full-text index (PostgreSQL's GIN over `to_tsvector`, MariaDB's FULLTEXT, none on SQLite),
 * after which `__search` finds rows; a table with a full-text field keeps migrating its other
 * changes; the downgrade drops the index again. Every step leaves `check` clean.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { AnyModel, bulkCreate, fields, model, query, run, runPromise, schema, valuesFlat, where } from 'terrapin'
import {
  check,
  downgrade,
  initDb,
  introspect,
  makeMigration,
  modelState,
  schemaDifferences,
  upgrade,
} from '../../src/migrate'
import { DIALECTS } from '../support/databases'
import { migrationWorld } from './world'

const v1 = schema({
  Doc: model('Doc', { table: 'ft_doc', fields: { id: fields.int({ pk: true }), body: fields.text() } }),
})
const v2 = schema({
  Doc: model('Doc', {
    table: 'ft_doc',
    fields: { id: fields.int({ pk: true }), body: fields.text({ fulltext: true }) },
  }),
})
/** Another column added beside the full-text one. */
const v3 = schema({
  Doc: model('Doc', {
    table: 'ft_doc',
    fields: { id: fields.int({ pk: true }), body: fields.text({ fulltext: true }), views: fields.int({ default: 0 }) },
  }),
})

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** The full-text indexes the catalog holds on the table, by the dialect's own view. */
const fulltextIndexes: Record<string, string | undefined> = {
  postgres: "SELECT indexname FROM pg_indexes WHERE tablename = 'ft_doc' AND indexdef LIKE '%to_tsvector%'",
  mysql:
    "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ft_doc' AND INDEX_TYPE = 'FULLTEXT'",
  sqlite: undefined,
}

for (const dialect of DIALECTS) {
  describe(`fulltext through migrations [${dialect}]`, () => {
    const w = migrationWorld(dialect, 'ftmig')
    const indexes = async (): Promise<number> => {
      const sql = fulltextIndexes[dialect]
      return sql === undefined ? 0 : (await w().db.executor.all(sql, [], false)).length
    }
    const clean = async (models: Record<string, AnyModel>): Promise<void> => {
      expect(right(await check(w().target(models))())).toMatchObject({ ok: true, missing: [], drift: [] })
    }

    it('makes the index when fulltext is declared, drops it when it goes, and migrates the table on', async () => {
      right(await initDb(w().target(v1))())
      await runPromise(w().db)(
        bulkCreate(v1.Doc, [
          { id: 1, body: 'the quick brown fox' },
          { id: 2, body: 'a dog' },
        ]),
      )
      expect(await indexes()).toBe(0)

      right(await makeMigration(w().target(v2))())
      right(await upgrade(w().target(v2))())
      await clean(v2)
      expect(await indexes()).toBe(dialect === 'sqlite' ? 0 : 1)
      const found = await pipe(query(v2.Doc), where({ body__search: 'quick fox' }), valuesFlat('id'), run(w().db))()
      if (dialect === 'sqlite') expect(E.isLeft(found) && found.left._tag).toBe('ValidationError')
      else expect(found).toEqual(E.right([1]))

      right(await makeMigration(w().target(v3))())
      right(await upgrade(w().target(v3))())
      await clean(v3)
      expect(await indexes()).toBe(dialect === 'sqlite' ? 0 : 1)

      right(await downgrade(w().target(v3), { version: 1, force: true })())
      const live = await introspect(w().db, { tables: ['ft_doc'] })
      expect(schemaDifferences(w().db.executor.dialect, modelState(Object.values(v1)), live)).toEqual([])
      expect(await indexes()).toBe(0)
    })
  })
}
