/**
 * `meta.indexes` entries given a name (`{ fields, name }`): the index takes that name in
 * generateSchemas and in migrations on every dialect; renaming it, or naming an index that had a
 * generated name, is a migration (drop, then create); `describe` shows the name; a name the
 * databases would not keep as written, or one given twice, is a ConfigurationError at `model()`.
 */
import * as E from 'fp-ts/Either'
import { AnyModel, describe as describeModel, fields, model, schema } from 'terrapin'
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
import { DIALECTS, DialectName } from '../support/databases'
import { migrationWorld } from './world'

const book = (indexes: ReadonlyArray<ReadonlyArray<string> | { fields: ReadonlyArray<string>; name: string }>) =>
  schema({
    Book: model('Book', {
      table: 'ni_book',
      fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 50 }), rank: fields.int() },
      meta: { indexes },
    }),
  })

const v1 = book([['title', 'rank']])
const v2 = book([{ fields: ['title', 'rank'], name: 'book_by_title' }])
const v3 = book([
  { fields: ['title', 'rank'], name: 'book_title_rank' },
  { fields: ['rank'], name: 'book_rank' },
])

/** An index of one field, with its generated name (the database sees it as that column's index). */
const v4 = book([['rank']])

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** The names of the table's indexes, as the catalog has them (the primary key's aside). */
const INDEX_NAMES: Readonly<Record<DialectName, string>> = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ni_book' AND sql IS NOT NULL",
  postgres: "SELECT indexname FROM pg_indexes WHERE tablename = 'ni_book' AND indexname <> 'ni_book_pkey'",
  mysql:
    "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ni_book' AND INDEX_NAME <> 'PRIMARY'",
}

for (const dialect of DIALECTS) {
  describe(`named indexes through migrations [${dialect}]`, () => {
    const w = migrationWorld(dialect, 'nidx')
    const names = async (): Promise<ReadonlyArray<unknown>> =>
      (await w().db.executor.all(INDEX_NAMES[dialect], [], false)).map((r) => r[0]).sort()
    const inLine = async (models: Record<string, AnyModel>): Promise<void> => {
      expect(right(await check(w().target(models))())).toMatchObject({ ok: true, missing: [], drift: [] })
      const live = await introspect(w().db, { tables: ['ni_book'] })
      expect(schemaDifferences(w().db.executor.dialect, modelState(Object.values(models)), live)).toEqual([])
    }

    it('names, renames and adds indexes by migration (of one field too, with no drift), and downgrades to the generated name', async () => {
      right(await initDb(w().target(v1))())
      expect(await names()).toEqual(['idx_ni_book_title_rank'])
      right(await makeMigration(w().target(v2))())
      right(await upgrade(w().target(v2))())
      await inLine(v2)
      expect(await names()).toEqual(['book_by_title'])
      right(await makeMigration(w().target(v3))())
      right(await upgrade(w().target(v3))())
      await inLine(v3)
      expect(await names()).toEqual(['book_rank', 'book_title_rank'])
      expect(right(await makeMigration(w().target(v3))())).toEqual({ noChanges: true })
      right(await makeMigration(w().target(v4))())
      right(await upgrade(w().target(v4))())
      await inLine(v4)
      expect(await names()).toEqual(['idx_ni_book_rank'])
      right(await downgrade(w().target(v4), { version: 1 })())
      expect(await names()).toEqual(['idx_ni_book_title_rank'])
    })
  })
}

describe('named indexes in the model', () => {
  it('describe shows the given name, and the generated one otherwise', () => {
    expect(describeModel(v3.Book).constraints.map((c) => c.name)).toEqual(['book_title_rank', 'book_rank'])
    expect(describeModel(v1.Book).constraints.map((c) => c.name)).toEqual(['idx_ni_book_title_rank'])
  })

  it.each([
    ['', 'is not a non-empty string'],
    ['x'.repeat(64), 'is longer than 63 bytes'],
    ['é'.repeat(32), 'is longer than 63 bytes'],
    ['a\u0000b', 'holds a NUL character'],
  ])('the name %j is a ConfigurationError: %s', (name, says) => {
    expect(() => book([{ fields: ['title'], name }])).toThrow(says)
    try {
      book([{ fields: ['title'], name }])
    } catch (e) {
      expect((e as { error?: { _tag?: string } }).error?._tag).toBe('ConfigurationError')
    }
  })

  it('a name given to two indexes is a ConfigurationError', () => {
    expect(() =>
      book([
        { fields: ['title'], name: 'same' },
        { fields: ['rank'], name: 'same' },
      ]),
    ).toThrow('the index name "same" is given to two indexes')
  })
})
