/**
 * The migration API's types: a target (an app's models, database and folder), the commands'
 * options and results, renames, questions, progress and errors.
 */
import { TerrapinError } from '../errors'
import { AnyModel } from '../model/model'
import { Db } from '../run/statement'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** One app's models, its database and the folder its migrations live in (`<location>/<app>/`). */
export interface MigrationTarget {
  readonly db: Db
  /** The app's name, as aerich's (`models`): migrations and versions are per app. */
  readonly app: string
  readonly models: ReadonlyArray<AnyModel>
  /** The migrations root folder. */
  readonly location: string
}

/** Why a migration command refused or failed. */
export type MigrationReason =
  /** `initDb` on a database that has the app's tables or versions. */
  | 'alreadyInitialised'
  /** A command that needs `initDb` first. */
  | 'notInitialised'
  /** The app's migrations folder is missing. */
  | 'noMigrations'
  /** `downgrade` to a version that was never applied. */
  | 'unknownVersion'
  /** Dropping or narrowing would lose stored values (without `force`). */
  | 'dataLoss'
  /** A migration file that cannot be loaded or lacks statements for the dialect. */
  | 'badFile'
  /** A statement of a migration failed (see `failed` and `applied`). */
  | 'statementFailed'
  /** The user answered no. */
  | 'cancelled'
  /** A column dropped and one added with the same type, with no rename given and no one to ask. */
  | 'ambiguousRename'
  /** Another upgrade or downgrade of the app held the migration lock for longer than the wait. */
  | 'locked'
  /** A pool of one connection: the migration lock holds it, and the migration would wait for it forever. */
  | 'poolTooSmall'

/** A refusal or failure of a migration command: one line that says what to do. */
export interface MigrationError {
  readonly _tag: 'MigrationError'
  readonly reason: MigrationReason
  readonly message: string
  /** The statement that failed. */
  readonly failed?: string
  /** Statements already applied (committed) when a statement failed on a database without transactional DDL. */
  readonly applied?: ReadonlyArray<string>
  /** The database's error behind it. */
  readonly cause?: TerrapinError
}

/** Why a migration command failed: a database error or a `MigrationError` of the engine. */
export type MigrationFailure = TerrapinError | MigrationError

/**
 * A rename the diff must not read as drop + add: a column (`table` set; the CLI's
 * `--rename table.old:new`) or a table (`table` absent; `--rename old:new`). Names are the
 * database's (table and column names).
 */
export interface Rename {
  readonly table?: string
  readonly from: string
  readonly to: string
}

/** Answers a yes/no question (the CLI asks the user). Without one, the API never assumes yes. */
export type Ask = (question: string) => Promise<boolean>

/** Reported as each statement and each migration finishes. */
export interface ProgressEvent {
  readonly kind: 'migration' | 'statement'
  readonly version: number
  readonly name: string
  /** The statement (a data step shows as `-- data step n`). */
  readonly sql?: string
  readonly ms: number
}

/** Options of `makeMigration` (`terrapin migrate`). */
export interface MakeOptions {
  /** The migration's name (default `update`, `init` for the first). */
  readonly name?: string
  /** Write a migration with no operations, for data steps by hand. */
  readonly empty?: boolean
  readonly renames?: ReadonlyArray<Rename>
  /** Asked about likely renames (a column dropped and one added with the same type). */
  readonly ask?: Ask
}

/** The migration file `makeMigration` wrote: its path, version, name and number of operations. */
export interface Made {
  readonly file: string
  readonly version: number
  readonly name: string
  readonly operations: number
}

/** Options of `upgrade` (`terrapin upgrade`). */
export interface UpgradeOptions {
  /** Returns the statements in `sql` and applies nothing. */
  readonly dryRun?: boolean
  /** Applies even where values would be lost. */
  readonly force?: boolean
  /** Records the versions as applied without running them. */
  readonly fake?: boolean
  /** Called as each migration starts and each statement ends. */
  readonly onProgress?: (event: ProgressEvent) => void
}

/** A migration applied (or reverted): its version, name, number of statements and time taken. */
export interface Applied {
  readonly version: number
  readonly name: string
  readonly statements: number
  readonly ms: number
}

/** A migration file whose checksum differs from the one recorded when it was applied. */
export interface ChangedFile {
  readonly version: number
  readonly name: string
  readonly file: string
}

/**
 * What `upgrade` did: the migrations applied, the statements of a dry run, the files changed since
 * they were applied.
 */
export interface UpgradeResult {
  readonly applied: ReadonlyArray<Applied>
  /** With `dryRun`: every statement that would run, in order. */
  readonly sql?: ReadonlyArray<string>
  readonly changed: ReadonlyArray<ChangedFile>
}

/** Options of `downgrade` (`terrapin downgrade`). */
export interface DowngradeOptions {
  /** Reverts to just before this version (default: the last applied one). */
  readonly version?: number
  /** Deletes the reverted migration files. */
  readonly deleteFiles?: boolean
  readonly force?: boolean
  /** Asked before a downgrade that drops a table or column; without one, it goes ahead. */
  readonly ask?: Ask
  readonly dryRun?: boolean
  /** Called as each migration starts and each statement ends. */
  readonly onProgress?: (event: ProgressEvent) => void
}

/** What `downgrade` did: the migrations reverted, the statements of a dry run, the files deleted. */
export interface DowngradeResult {
  readonly reverted: ReadonlyArray<Applied>
  readonly sql?: ReadonlyArray<string>
  readonly deleted: ReadonlyArray<string>
}

/** One applied migration, as `history` lists it. */
export interface HistoryEntry {
  readonly version: number
  readonly name: string
  readonly appliedAt: Date
  /** The file is missing (undefined) or its checksum differs from the one recorded. */
  readonly file?: string
  readonly changed: boolean
  /** Statements applied of a migration that failed half-way (MySQL), else null. */
  readonly progress: number | null
}

/** A migration file not applied yet, as `heads` lists it. */
export interface Head {
  readonly version: number
  readonly name: string
  readonly file: string
}

/** What `check` found: the models against the migrations, the database against the applied ones. */
export interface CheckResult {
  /** No migration is missing and the database has not drifted. */
  readonly ok: boolean
  /** The changes of the models not in any migration (run `migrate`), one line each. */
  readonly missing: ReadonlyArray<string>
  /** The differences of the live schema from the state of the last applied migration, one line each. */
  readonly drift: ReadonlyArray<string>
  /** Migrations written and not applied (not a failure). */
  readonly pending: ReadonlyArray<Head>
}
