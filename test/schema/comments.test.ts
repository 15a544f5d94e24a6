/**
 * `description` as a database comment: a field's on its column and `meta.description` on the
 * table, on PostgreSQL (COMMENT ON) and MariaDB/MySQL (COMMENT '…'), read back from each
 * catalog with quotes, backslashes and SQL-looking text kept as written. SQLite keeps no
 * comments: its DDL has none.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { connect, count, dialects, fields, generateSchemas, model, query, run, schema, schemaSql } from 'terrapin'
import { createIsolated } from '../support/databases'
import { right } from '../support/dialects'

const TRICKY = "Ann's \\ books'); DROP TABLE shelf; -- \\' é"

const { Shelf, Volume } = schema({
  Shelf: model('Shelf', {
    fields: { label: fields.char({ maxLength: 20, description: 'the label on the shelf' }) },
    meta: { description: TRICKY },
  }),
  Volume: model('Volume', {
    fields: {
      title: fields.text({ description: TRICKY }),
      shelf: fields.foreignKey('Shelf', { relatedName: 'volumes', description: "the volume's shelf" }),
    },
  }),
})

/** Each server's catalog, asked for the comment of a table (`column` undefined) or of a column. */
const CATALOG = {
  postgres: {
    table: `SELECT obj_description(to_regclass($1), 'pg_class')`,
    column: `SELECT col_description(to_regclass($1), (SELECT attnum FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2))`,
  },
  mysql: {
    table: 'SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    column:
      'SELECT COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
  },
} as const

describe.each(['postgres', 'mysql'] as const)('descriptions as comments [%s]', (dialect) => {
  it('writes the table and column comments, escaped, and reads them back from the catalog', async () => {
    const iso = await createIsolated(dialect, 'comments')
    const db = connect(iso.url)
    try {
      right(await generateSchemas(db, [Shelf, Volume])())
      // generateSchemas with safe: true runs again over the same tables
      right(await generateSchemas(db, [Shelf, Volume], { safe: true })())
      const ask = async (sql: string, params: ReadonlyArray<string>): Promise<unknown> =>
        (await db.executor.all(sql, [...params], false))[0][0]
      const c = CATALOG[dialect]
      expect(await ask(c.table, ['shelf'])).toBe(TRICKY)
      expect(await ask(c.column, ['shelf', 'label'])).toBe('the label on the shelf')
      expect(await ask(c.column, ['volume', 'title'])).toBe(TRICKY)
      expect(await ask(c.column, ['volume', 'shelf_id'])).toBe("the volume's shelf")
      // the text was a literal, not SQL: the table is still there
      expect(E.isRight(await pipe(query(Shelf), count, run(db))())).toBe(true)
    } finally {
      await db.executor.close()
      await iso.drop()
    }
  })
})

describe('descriptions on SQLite', () => {
  it('are no part of the DDL (SQLite keeps no comments)', () => {
    const sql = schemaSql(dialects.sqlite, [Shelf, Volume], false).join('\n')
    expect(sql).not.toMatch(/COMMENT|the label on the shelf/)
  })

  it('leave generateSchemas working as without them', async () => {
    const db = connect('sqlite://:memory:')
    try {
      right(await generateSchemas(db, [Shelf, Volume])())
      expect(right(await pipe(query(Volume), count, run(db))())).toBe(0)
    } finally {
      await db.executor.close()
    }
  })
})
