/**
 * Migrations, as a programmatic API (the `terrapin` CLI is a thin layer over it): model state
 * snapshots, a pure diff into operations, per-dialect DDL, migration files per app and the
 * `terrapin_migrations` table of applied versions.
 *
 * On SQLite and PostgreSQL each migration (statements, data steps and its version row) commits
 * or rolls back as one. MySQL and MariaDB commit every DDL statement at once: the version row is
 * written first and counts the statements applied, so a failure names the statement that failed
 * and those already applied, and the next `upgrade` resumes after them.
 *
 * @example
 * const t = { db, app: 'models', models: [Author, Book], location: './migrations' }
 * await initDb(t)()                                  // 0_20261207015500_init.ts, applied
 * await makeMigration(t, { name: 'add_rating' })()   // 1_…_add_rating.ts
 * await upgrade(t)()                                 // applies 1
 * await downgrade(t, { force: true })()              // reverts 1
 */
import type { Rename } from './types'

export type * from './types'

// ------------------------------------------------------------------------------------------
// commands
// ------------------------------------------------------------------------------------------

export { initDb, makeMigration, upgrade, downgrade, history, heads, check, migrationError } from './commands'
export { diff, diffViews, inverse, invert, describe } from './diff'
export type { Operation, Change, Diff } from './diff'
export { modelState, modelsOf, viewsOf, EMPTY_STATE } from './state'
export type { SchemaState, ModelState, FieldState, ColumnView, TableView, Views } from './state'
export { renderSql, guardsOf } from './sql'
export type { Guard } from './sql'
export { listMigrations, loadMigration } from './files'
export type { MigrationStep, MigrationSteps, MigrationGuards, DataStep, MigrationFile } from './files'
export { loadModule } from './load'
export { introspect, schemaDifferences, modelName, modelSource, VERSIONS_TABLE } from './introspect'
export type { IntrospectOptions } from './introspect'

/** `table.old:new` (a column) or `old:new` (a table), as the CLI's `--rename`; undefined when malformed. */
export const parseRename = (s: string): Rename | undefined => {
  const m = /^(?:([^.:]+)\.)?([^.:]+):([^.:]+)$/.exec(s.trim())
  return m ? { ...(m[1] ? { table: m[1] } : {}), from: m[2], to: m[3] } : undefined
}
