/**
 * A database's schema as comparable data, read from its catalog: each table's columns (name,
 * type, nullability), indexes and unique constraints (columns, uniqueness, name) and foreign keys
 * (columns, target, ON DELETE, name). Defaults are left out: a column added to a table with rows
 * keeps the DEFAULT that filled them, where terrapin writes defaults itself.
 */
import { Db } from 'terrapin'

export interface LiveTable {
  readonly columns: ReadonlyArray<string>
  readonly indexes: ReadonlyArray<string>
  readonly foreignKeys: ReadonlyArray<string>
}

const rows = async (db: Db, sql: string): Promise<ReadonlyArray<ReadonlyArray<unknown>>> =>
  db.executor.all(sql, [], false)

const sorted = (xs: string[]): string[] => xs.sort()

/** A catalog value as text (NULL as nothing). */
const txt = (x: unknown): string =>
  x === null || x === undefined
    ? ''
    : typeof x === 'string'
      ? x
      : typeof x === 'number' || typeof x === 'bigint'
        ? String(x)
        : JSON.stringify(x)

export const liveSchema = async (db: Db, tables: ReadonlyArray<string>): Promise<Record<string, LiveTable>> => {
  const out: Record<string, LiveTable> = {}
  const dialect = db.executor.dialect.name
  for (const t of tables) {
    if (dialect === 'sqlite') {
      const cols = await rows(db, `SELECT name, type, "notnull", pk FROM pragma_table_info('${t}')`)
      const idx = await rows(db, `SELECT name, "unique", origin FROM pragma_index_list('${t}')`)
      const indexes: string[] = []
      for (const [name, unique, origin] of idx) {
        const ic = await rows(db, `SELECT name FROM pragma_index_info('${txt(name)}') ORDER BY seqno`)
        // SQLite names the indexes of UNIQUE constraints itself (sqlite_autoindex_…)
        indexes.push(
          `${unique ? 'unique' : 'index'} (${ic.map((r) => txt(r[0])).join(', ')})${origin === 'c' ? ` ${txt(name)}` : ''}`,
        )
      }
      const fks = await rows(db, `SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list('${t}')`)
      out[t] = {
        columns: sorted(
          cols.map(([n, type, nn, pk]) => `${txt(n)} ${txt(type)}${nn ? ' NOT NULL' : ''}${pk ? ' PK' : ''}`),
        ),
        indexes: sorted(indexes),
        foreignKeys: sorted(
          fks.map(([from, table, to, del]) => `(${txt(from)}) -> ${txt(table)}(${txt(to)}) ON DELETE ${txt(del)}`),
        ),
      }
    } else if (dialect === 'postgres') {
      const cols = await rows(
        db,
        `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${t}'`,
      )
      const idx = await rows(
        db,
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '${t}'`,
      )
      const fks = await rows(
        db,
        `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid = '${t}'::regclass`,
      )
      out[t] = {
        columns: sorted(
          cols.map(
            ([n, type, len, p, scale, nullable, id]) =>
              `${txt(n)} ${txt(type)}(${txt(len)}${txt(p)},${txt(scale)})${nullable === 'NO' ? ' NOT NULL' : ''}${id === 'YES' ? ' IDENTITY' : ''}`,
          ),
        ),
        indexes: sorted(idx.map(([name, def]) => `${txt(name)}: ${txt(def)}`)),
        foreignKeys: sorted(fks.map(([name, def]) => `${txt(name)}: ${txt(def)}`)),
      }
    } else {
      const cols = await rows(
        db,
        `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${t}'`,
      )
      const idx = await rows(
        db,
        `SELECT INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${t}' GROUP BY INDEX_NAME, NON_UNIQUE`,
      )
      const fks = await rows(
        db,
        `SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '${t}'`,
      )
      out[t] = {
        columns: sorted(
          cols.map(([n, type, nullable, extra, coll]) =>
            `${txt(n)} ${txt(type)}${nullable === 'NO' ? ' NOT NULL' : ''} ${txt(extra)} ${txt(coll)}`.trim(),
          ),
        ),
        indexes: sorted(idx.map(([name, nu, c]) => `${txt(name)}: ${Number(nu) ? 'index' : 'unique'} (${txt(c)})`)),
        foreignKeys: sorted(fks.map(([name, table, del]) => `${txt(name)}: -> ${txt(table)} ON DELETE ${txt(del)}`)),
      }
    }
  }
  return out
}
