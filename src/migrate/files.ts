/**
 * Migration files: `<location>/<app>/<n>_<yyyymmddHHMMSS>_<name>.ts`, TypeScript modules meant
 * to be read and edited by hand. Each exports `upgrade` and `downgrade` (the steps for the
 * connection's dialect: a string is a statement, a function a data step), the `guards` that keep
 * them from losing values, and the `state` of the models after it.
 */
import { createHash } from 'crypto'
import * as fs from 'fs'
import * as path from 'path'
import { DialectName } from '../compile/dialect'
import { Db } from '../run/statement'
import { Operation, describe } from './diff'
import { loadModule } from './load'
import { Guard } from './sql'
import { SchemaState } from './state'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/**
 * A data step: terrapin plans (or raw statements) run on `db`, which is the migration's
 * transaction where the database has transactional DDL. A Left or a rejection fails the migration.
 *
 * @example
 * (db) => pipe(query(Book), where({ rating: null }), update({ rating: 0 }), run(db))
 */
export type DataStep = (db: Db) => PromiseLike<unknown> | (() => Promise<unknown>)

/** One step of a migration: an SQL statement, or a data step. */
export type MigrationStep = string | DataStep

/** A migration's steps, by dialect (or a function of the dialect's name). */
export type MigrationSteps =
  | Partial<Readonly<Record<DialectName, ReadonlyArray<MigrationStep>>>>
  | ((dialect: DialectName) => ReadonlyArray<MigrationStep>)

/** A migration file's checks run before its upgrade or downgrade (a step refused when data would be lost). */
export interface MigrationGuards {
  readonly upgrade?: ReadonlyArray<Guard>
  readonly downgrade?: ReadonlyArray<Guard>
}

/** A migration file found in the app's folder. */
export interface MigrationFile {
  readonly version: number
  readonly name: string
  readonly file: string
}

/** A migration file's module, as loaded. */
export interface LoadedMigration extends MigrationFile {
  readonly upgrade: ReadonlyArray<MigrationStep>
  readonly downgrade: ReadonlyArray<MigrationStep>
  readonly guards: MigrationGuards
  readonly state: SchemaState
  readonly checksum: string
}

const FILE = /^(\d+)_(\d{14})_(.+)\.ts$/

// ------------------------------------------------------------------------------------------
// files
// ------------------------------------------------------------------------------------------

/** The app's migration files in version order (none when the folder is missing). */
export const listMigrations = (dir: string): ReadonlyArray<MigrationFile> => {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .flatMap((f) => {
      const m = FILE.exec(f)
      return m ? [{ version: Number(m[1]), name: m[3], file: path.join(dir, f) }] : []
    })
    .sort((a, b) => a.version - b.version)
}

/** The SHA-256 of a file's text (line endings normalised, so a checkout on Windows matches). */
export const checksumOf = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).digest('hex')

const stepsFor = (steps: unknown, dialect: DialectName, what: string, file: string): ReadonlyArray<MigrationStep> => {
  const list =
    typeof steps === 'function'
      ? (steps as (d: DialectName) => unknown)(dialect)
      : (steps as Record<string, unknown> | undefined)?.[dialect]
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' || typeof s === 'function'))
    throw new TypeError(
      `${path.basename(file)} has no ${what} steps for ${dialect}: export ${what} = { ${dialect}: [ ... ] }`,
    )
  return list as ReadonlyArray<MigrationStep>
}

/** Loads a migration file for a dialect; throws a TypeError that names the file when it is not one. */
export const loadMigration = (f: MigrationFile, dialect: DialectName): LoadedMigration => {
  const mod = loadModule(f.file)
  const state = mod.state as SchemaState | undefined
  if (!state || !Array.isArray(state.models))
    throw new TypeError(`${path.basename(f.file)} exports no model state (export const state = { models: [...] })`)
  return {
    ...f,
    upgrade: stepsFor(mod.upgrade, dialect, 'upgrade', f.file),
    downgrade: stepsFor(mod.downgrade, dialect, 'downgrade', f.file),
    guards: (mod.guards as MigrationGuards | undefined) ?? {},
    state,
    checksum: checksumOf(f.file),
  }
}

/** `yyyymmddHHMMSS` in UTC. */
export const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14)

/** A JS string literal in single quotes (SQL keeps its double quotes and backticks readable). */
const str = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`

const list = (items: ReadonlyArray<string>, indent: string): string =>
  items.length ? `[\n${items.map((s) => `${indent}  ${s},`).join('\n')}\n${indent}]` : '[]'

const guardList = (gs: ReadonlyArray<Guard>): string =>
  list(
    gs.map((g) => `{ sql: ${str(g.sql)}, message: ${str(g.message)} }`),
    '  ',
  )

/** The text of a migration file. */
export const migrationText = (m: {
  readonly app: string
  readonly version: number
  readonly name: string
  readonly at: Date
  readonly dialect: DialectName
  readonly operations: ReadonlyArray<Operation>
  readonly upgrade: ReadonlyArray<string>
  readonly downgrade: ReadonlyArray<string>
  readonly guards: { readonly upgrade: ReadonlyArray<Guard>; readonly downgrade: ReadonlyArray<Guard> }
  readonly state: SchemaState
}): string =>
  [
    '/**',
    ` * Migration ${m.version} of app ${m.app}: ${m.name} (written by terrapin at ${m.at.toISOString()}).`,
    ' *',
    ...(m.operations.length ? m.operations.map((op) => ` *   ${describe(op)}`) : [' *   (no schema change)']),
    ' *',
    ` * \`upgrade\` and \`downgrade\` run in order on ${m.dialect}: a string is a statement, a function`,
    ' * `(db) => …` a data step (terrapin plans run with `run(db)`), in the same transaction where the',
    ' * database allows it. `guards` count the rows whose values a step would lose (more than none',
    ' * refuses it without --force). `state` is the models after this migration: the next diff starts there.',
    ' */',
    "import type { MigrationGuards, MigrationSteps } from 'terrapin'",
    '',
    `export const upgrade: MigrationSteps = {\n  ${m.dialect}: ${list(m.upgrade.map(str), '  ')},\n}`,
    '',
    `export const downgrade: MigrationSteps = {\n  ${m.dialect}: ${list(m.downgrade.map(str), '  ')},\n}`,
    '',
    `export const guards: MigrationGuards = {\n  upgrade: ${guardList(m.guards.upgrade)},\n  downgrade: ${guardList(m.guards.downgrade)},\n}`,
    '',
    `export const state = ${JSON.stringify(m.state, null, 2)}`,
    '',
  ].join('\n')
