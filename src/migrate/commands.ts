/**
 * The migration commands (aerich's): init-db, migrate, upgrade, downgrade, history, heads. Each
 * migration runs in one transaction where DDL is transactional (SQLite, PostgreSQL: statements,
 * data steps and the version row commit together or not at all); on MySQL/MariaDB, which commit
 * each DDL statement, the version row records how many statements were applied, so a failure
 * says exactly what was and the next upgrade resumes after it.
 */
import * as fs from 'fs'
import * as path from 'path'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { Dialect } from '../compile/dialect'
import { TerrapinError, TerrapinFailure, isTerrapinError } from '../errors'
import { fields } from '../model/fields'
import { model } from '../model/model'
import { orderBy, query, where } from '../plan/query'
import { create, remove, update } from '../plan/write'
import { runPromise } from '../run/run'
import { Db } from '../run/statement'
import { inTransaction } from '../run/transaction'
import { generateSchemas } from '../schema/ddl'
import { describe, diffViews, inverse } from './diff'
import { introspect, schemaDifferences } from './introspect'
import {
  LoadedMigration,
  MigrationFile,
  MigrationStep,
  checksumOf,
  listMigrations,
  loadMigration,
  migrationText,
  stamp,
} from './files'
import type {
  Applied,
  ChangedFile,
  CheckResult,
  DowngradeOptions,
  DowngradeResult,
  Head,
  HistoryEntry,
  MakeOptions,
  Made,
  MigrationError,
  MigrationFailure,
  MigrationReason,
  MigrationTarget,
  Rename,
  UpgradeOptions,
  UpgradeResult,
} from './types'
import { guardsOf, renderSql } from './sql'
import { EMPTY_STATE, SchemaState, modelState, viewsOf } from './state'

// ------------------------------------------------------------------------------------------
// the versions table
// ------------------------------------------------------------------------------------------

/** The applied versions, per app. `progress` counts the statements applied of a migration not finished (MySQL), else NULL. */
const Version = model('TerrapinMigration', {
  table: 'terrapin_migrations',
  fields: {
    id: fields.int({ pk: true }),
    app: fields.char({ maxLength: 100 }),
    version: fields.int(),
    name: fields.char({ maxLength: 255 }),
    appliedAt: fields.datetime({ source: 'applied_at' }),
    state: fields.text(),
    checksum: fields.char({ maxLength: 64 }),
    progress: fields.int({ null: true }),
  },
  meta: { uniqueTogether: [['app', 'version']] },
})

type VersionRow = {
  readonly id: number
  readonly version: number
  readonly name: string
  readonly appliedAt: Date
  readonly checksum: string
  readonly progress: number | null
  /** The model state after the migration, as JSON. */
  readonly state: string
}

/** A refusal carried through async code as a throw, returned as the Left. */
class Refusal extends Error {
  constructor(readonly error: MigrationError) {
    super(error.message)
  }
}

/** A migration error value. */
export const migrationError = (
  reason: MigrationReason,
  message: string,
  extra: Partial<Omit<MigrationError, '_tag' | 'reason' | 'message'>> = {},
): MigrationError => Object.freeze({ _tag: 'MigrationError', reason, message, ...extra })

const refuse = (
  reason: MigrationReason,
  message: string,
  extra: Partial<Omit<MigrationError, '_tag' | 'reason' | 'message'>> = {},
): never => {
  throw new Refusal(migrationError(reason, message, extra))
}

/** An async command as a TaskEither: refusals, typed errors and bad files as Lefts. */
const command =
  <A>(f: () => Promise<A>): TE.TaskEither<MigrationFailure, A> =>
  async () => {
    try {
      return { _tag: 'Right', right: await f() }
    } catch (e) {
      if (e instanceof Refusal) return { _tag: 'Left', left: e.error }
      if (e instanceof TerrapinFailure) return { _tag: 'Left', left: e.error }
      if (isTerrapinError(e)) return { _tag: 'Left', left: e }
      return { _tag: 'Left', left: migrationError('badFile', e instanceof Error ? e.message : String(e)) }
    }
  }

const folder = (t: MigrationTarget): string => path.join(t.location, t.app)

const dialectOf = async (db: Db): Promise<Dialect> => {
  if (db.executor.ready) await db.executor.ready
  return db.executor.dialect
}

const ensureVersions = async (db: Db): Promise<void> => {
  const r = await generateSchemas(db, [Version], { safe: true })()
  if (r._tag === 'Left') throw new TerrapinFailure(r.left)
}

const appliedRows = async (t: MigrationTarget): Promise<ReadonlyArray<VersionRow>> => {
  await ensureVersions(t.db)
  return await runPromise(t.db)(pipe(query(Version), where({ app: t.app }), orderBy('version')))
}

const countOf = async (db: Db, sql: string): Promise<number> => {
  const rows = await db.executor.all(sql, [], false)
  return Number(rows[0]?.[0] ?? 0)
}

const errorText = (e: unknown): string => (e instanceof Error || isTerrapinError(e) ? e.message : String(e))
const causeOf = (e: unknown): TerrapinError | undefined =>
  e instanceof TerrapinFailure ? e.error : isTerrapinError(e) ? e : undefined

/** Runs a data step: a TaskEither's Left or a rejection fails it. */
const runData = async (step: Exclude<MigrationStep, string>, db: Db): Promise<void> => {
  const r = step(db)
  const out: unknown = typeof r === 'function' ? await r() : await r
  if (typeof out === 'object' && out !== null && (out as { _tag?: unknown })._tag === 'Left') {
    const left = (out as { left: unknown }).left
    throw isTerrapinError(left)
      ? new TerrapinFailure(left)
      : new Error(String((left as { message?: unknown })?.message ?? left))
  }
}

const label = (step: MigrationStep, i: number): string => (typeof step === 'string' ? step : `-- data step ${i + 1}`)

// ------------------------------------------------------------------------------------------
// the migration lock
// ------------------------------------------------------------------------------------------

/**
 * Runs `work` while this process holds the app's migration lock (PostgreSQL: an advisory lock,
 * MySQL: GET_LOCK), so that two upgrades started at once apply each migration once: the second
 * waits, then finds it applied. The lock is taken in a transaction of its own, held open on one
 * connection of the pool while `work` runs on the others; `work` is started outside that
 * transaction's async context, so that none of its statements joins it. Where the dialect has
 * no lock statement (SQLite), each migration's transaction holds the database's write lock and
 * reads again whether its version was applied meanwhile.
 */
const withLock = async <A>(t: MigrationTarget, work: () => Promise<A>): Promise<A> => {
  const d = await dialectOf(t.db)
  const lock = d.migrationLock
  if (!lock) return await work()
  // the lock's transaction holds a connection for as long as the migrations run on others
  if ((t.db.executor.poolSize ?? 2) < 2)
    refuse(
      'poolTooSmall',
      `app ${t.app}: migrations on this database need a pool of at least 2 connections (one holds the migration lock); connect with pool: 2 or more`,
    )
  const key = `terrapin_migrate:${t.app}`
  let held = (): void => undefined
  let finish = (): void => undefined
  const locked = new Promise<void>((r) => (held = r))
  const finished = new Promise<void>((r) => (finish = r))
  const holder = inTransaction(t.db, async (tx) => {
    const [[got]] = await tx.executor.all(lock.acquire(key), [], false)
    if (Number(got) !== 1)
      refuse(
        'locked',
        `another upgrade or downgrade of app ${t.app} is running (waited for its lock): try again when it is done`,
      )
    held()
    try {
      await finished
    } finally {
      if (lock.release) await tx.executor.all(lock.release(key), [], false)
    }
  })
  await Promise.race([locked, holder])
  try {
    return await work()
  } finally {
    finish()
    await holder
  }
}

// ------------------------------------------------------------------------------------------
// running one migration
// ------------------------------------------------------------------------------------------

interface RunOptions {
  readonly force?: boolean
  readonly onProgress?: UpgradeOptions['onProgress']
  /** Statements already applied (a MySQL migration that failed half-way). */
  readonly from?: number
}

/** One migration being applied or reverted, as its steps see it. */
interface Running {
  readonly t: MigrationTarget
  readonly m: LoadedMigration
  readonly up: boolean
  readonly d: Dialect
  readonly steps: ReadonlyArray<MigrationStep>
  /** The migration, for messages. */
  readonly what: string
  readonly o: RunOptions
}

/** Applies (`up`) or reverts one migration and records it, atomically where DDL is transactional. */
const runOne = async (
  t: MigrationTarget,
  m: LoadedMigration,
  up: boolean,
  o: RunOptions,
): Promise<Applied | undefined> => {
  const d = await dialectOf(t.db)
  const r: Running = {
    t,
    m,
    up,
    d,
    o,
    steps: up ? m.upgrade : m.downgrade,
    what: `migration ${m.version} (${m.name})${up ? '' : ' downgrade'}`,
  }
  const started = Date.now()
  if (d.transactionalDdl) {
    if (!(await runAtomically(r))) return undefined
  } else {
    if (!o.force) await refuseDataLoss(r, t.db)
    await runResumably(r)
  }
  const ms = Date.now() - started
  o.onProgress?.({ kind: 'migration', version: m.version, name: m.name, ms })
  return { version: m.version, name: m.name, statements: r.steps.length, ms }
}

/** Refuses a migration whose guards find values it would lose. */
const refuseDataLoss = async ({ m, up, what }: Running, on: Db): Promise<void> => {
  const lost: string[] = []
  for (const g of (up ? m.guards.upgrade : m.guards.downgrade) ?? []) {
    const n = await countOf(on, g.sql)
    if (n > 0) lost.push(`${g.message} (${n} row${n === 1 ? '' : 's'})`)
  }
  if (lost.length)
    refuse('dataLoss', `${what} would lose values: it ${lost.join('; it ')}; run with --force to go ahead`)
}

/** Runs step `i`; a failure says what was applied. */
const runStep = async ({ m, d, steps, what, o }: Running, tx: Db, s: MigrationStep, i: number): Promise<void> => {
  const at = Date.now()
  try {
    if (typeof s === 'string') await tx.executor.run(s, [])
    else await runData(s, tx)
  } catch (e) {
    const applied = d.transactionalDdl ? [] : steps.slice(0, i).map(label)
    const done = d.transactionalDdl
      ? 'nothing was applied (rolled back)'
      : applied.length
        ? `statements 1-${i} were applied and committed (${d.name} commits DDL at once): the next upgrade resumes at statement ${i + 1}`
        : 'nothing was applied'
    refuse('statementFailed', `${what}: statement ${i + 1} of ${steps.length} failed: ${errorText(e)}; ${done}`, {
      failed: label(s, i),
      applied,
      ...(causeOf(e) ? { cause: causeOf(e) } : {}),
    })
  }
  o.onProgress?.({ kind: 'statement', version: m.version, name: m.name, sql: label(s, i), ms: Date.now() - at })
}

/** Records the migration as applied (with `progress`: statements applied so far), or removes its row when reverted. */
const record = async (
  { t, m, up }: Pick<Running, 't' | 'm' | 'up'>,
  tx: Db,
  progress: number | null,
): Promise<void> => {
  const mine = pipe(query(Version), where({ app: t.app, version: m.version }))
  await runPromise(tx)(remove(mine))
  if (up)
    await runPromise(tx)(
      create(Version, {
        app: t.app,
        version: m.version,
        name: m.name,
        appliedAt: new Date(),
        state: JSON.stringify(m.state),
        checksum: m.checksum,
        progress,
      }),
    )
}

/**
 * Every step and the record in one transaction, inside the dialect's migration guard; false when
 * another upgrade applied (or reverted) the migration since the versions were read.
 */
const runAtomically = async (r: Running): Promise<boolean> => {
  const { t, m, up } = r
  const db = t.db
  const guard = r.d.migrationGuard
  if (guard) await db.executor.run(guard.before, [])
  try {
    return await inTransaction(db, async (tx) => {
      // this transaction holds the write lock (SQLite) or the migration lock (PostgreSQL) now, so
      // what it reads of the versions is what the migration finds
      const mine = await runPromise(tx)(pipe(query(Version), where({ app: t.app, version: m.version })))
      if (up ? mine.some((v) => v.progress === null) : mine.length === 0) return false
      if (!r.o.force) await refuseDataLoss(r, tx)
      for (let i = 0; i < r.steps.length; i++) await runStep(r, tx, r.steps[i], i)
      if (guard) {
        const problems = await tx.executor.all(guard.check, [], false)
        if (problems.length)
          refuse(
            'statementFailed',
            `${r.what}: ${problems.length} row(s) break a foreign key (first in table ${String(problems[0][0])}); nothing was applied (rolled back)`,
          )
      }
      await record(r, tx, null)
      return true
    })
  } finally {
    if (guard) await db.executor.run(guard.after, [])
  }
}

/** Each statement commits at once: the version row counts them as they go. */
const runResumably = async (r: Running): Promise<void> => {
  const { t, m, up, o, steps } = r
  const db = t.db
  const from = o.from ?? 0
  if (up) await record(r, db, from)
  for (let i = from; i < steps.length; i++) {
    await runStep(r, db, steps[i], i)
    if (up)
      await runPromise(db)(pipe(query(Version), where({ app: t.app, version: m.version }), update({ progress: i + 1 })))
  }
  await record(r, db, null)
}

// ------------------------------------------------------------------------------------------
// commands
// ------------------------------------------------------------------------------------------

const writeMigration = async (
  t: MigrationTarget,
  version: number,
  name: string,
  before: SchemaState,
  after: SchemaState,
  ops: ReturnType<typeof diffViews>['operations'],
): Promise<Made> => {
  const d = await dialectOf(t.db)
  const bv = viewsOf(before)
  const av = viewsOf(after)
  const down = inverse(ops)
  const at = new Date()
  const file = path.join(folder(t), `${version}_${stamp(at)}_${name.replace(/[^A-Za-z0-9_]+/g, '_')}.ts`)
  const text = migrationText({
    app: t.app,
    version,
    name,
    at,
    dialect: d.name,
    operations: ops,
    upgrade: renderSql(d, ops, bv, av),
    downgrade: renderSql(d, down, av, bv),
    guards: { upgrade: guardsOf(d, ops, bv, av), downgrade: guardsOf(d, down, av, bv) },
    state: after,
  })
  fs.mkdirSync(folder(t), { recursive: true })
  fs.writeFileSync(file, text)
  return { file, version, name, operations: ops.length }
}

const tableExists = async (db: Db, table: string): Promise<boolean> => {
  try {
    await db.executor.all(`SELECT 1 FROM ${db.executor.dialect.quote(table)} WHERE 1 = 0`, [], false)
    return true
  } catch {
    return false
  }
}

/** Creates the app's tables and the versions table, writes the first migration and records it applied; refuses when the tables exist. */
export const initDb = (
  t: MigrationTarget,
  options: { readonly name?: string } = {},
): TE.TaskEither<MigrationFailure, Made> =>
  command(async () => {
    if (listMigrations(folder(t)).length)
      refuse('alreadyInitialised', `app ${t.app} already has migrations in ${folder(t)}: run upgrade`)
    if ((await appliedRows(t)).length)
      refuse('alreadyInitialised', `app ${t.app} already has applied migrations in this database: run upgrade`)
    const state = modelState(t.models)
    const views = viewsOf(state)
    for (const table of [...views.tables.keys(), ...views.throughs.keys()])
      if (await tableExists(t.db, table))
        refuse(
          'alreadyInitialised',
          `table ${table} already exists: init-db creates the app's tables in an empty database`,
        )
    const made = await writeMigration(
      t,
      0,
      options.name ?? 'init',
      EMPTY_STATE,
      state,
      diffViews(viewsOf(EMPTY_STATE), views).operations,
    )
    const d = await dialectOf(t.db)
    await runOne(t, loadMigration({ version: made.version, name: made.name, file: made.file }, d.name), true, {})
    return made
  })

/** Diffs the models against the state of the last migration and writes the next one; `noChanges` when there are none. */
export const makeMigration = (
  t: MigrationTarget,
  options: MakeOptions = {},
): TE.TaskEither<MigrationFailure, Made | { readonly noChanges: true }> =>
  command(async () => {
    const files = listMigrations(folder(t))
    if (!files.length) refuse('notInitialised', `no migrations for app ${t.app} in ${folder(t)}: run init-db first`)
    const d = await dialectOf(t.db)
    const last = loadMigration(files[files.length - 1], d.name)
    const after = modelState(t.models)
    const bv = viewsOf(last.state)
    const av = viewsOf(after)
    const renames: Rename[] = [...(options.renames ?? [])]
    const declined = new Set<string>()
    for (;;) {
      const { operations, likelyRenames } = diffViews(bv, av, renames)
      const open = likelyRenames.filter((r) => !declined.has(renameText(r)))
      if (!open.length) {
        if (!operations.length && !options.empty) return { noChanges: true as const }
        return await writeMigration(t, last.version + 1, options.name ?? 'update', last.state, after, operations)
      }
      const r = open[0]
      const [from, to, what] =
        r.table === undefined ? [r.from, r.to, 'table'] : [`${r.table}.${r.from}`, `${r.table}.${r.to}`, 'column']
      if (!options.ask)
        refuse(
          'ambiguousRename',
          `${what} ${from} was dropped and ${to} added alike: a rename? say so with --rename ${renameText(r)}, or answer the question interactively`,
        )
      if (await options.ask!(`Was ${what} ${from} renamed to ${to}? (no: drop ${from} and its values, add ${to})`))
        renames.push(r)
      else declined.add(renameText(r))
    }
  })

/** A rename as the CLI's `--rename` writes it. */
const renameText = (r: Rename): string => `${r.table === undefined ? '' : `${r.table}.`}${r.from}:${r.to}`

const changedOf = (files: ReadonlyArray<MigrationFile>, rows: ReadonlyArray<VersionRow>): ReadonlyArray<ChangedFile> =>
  rows.flatMap((r) => {
    const f = files.find((x) => x.version === r.version)
    return f && checksumOf(f.file) !== r.checksum ? [{ version: r.version, name: r.name, file: f.file }] : []
  })

/** Applies the pending migrations in order, each in one transaction where the database allows. */
export const upgrade = (
  t: MigrationTarget,
  options: UpgradeOptions = {},
): TE.TaskEither<MigrationFailure, UpgradeResult> =>
  command(async () => {
    if (!fs.existsSync(folder(t))) refuse('noMigrations', `no migrations folder ${folder(t)}: run init-db first`)
    return options.dryRun ? await upgradeLocked(t, options) : await withLock(t, () => upgradeLocked(t, options))
  })

const upgradeLocked = async (t: MigrationTarget, options: UpgradeOptions): Promise<UpgradeResult> => {
  const files = listMigrations(folder(t))
  const rows = await appliedRows(t)
  const d = await dialectOf(t.db)
  const done = new Map(rows.map((r) => [r.version, r]))
  const pending = files.filter((f) => done.get(f.version)?.progress !== null)
  const changed = changedOf(
    files,
    rows.filter((r) => r.progress === null),
  )
  if (options.dryRun) {
    const sql = pending.flatMap((f) => {
      const m = loadMigration(f, d.name)
      return m.upgrade.slice(done.get(f.version)?.progress ?? 0).map(label)
    })
    return { applied: [], sql, changed }
  }
  const applied: Applied[] = []
  for (const f of pending) {
    const m = loadMigration(f, d.name)
    if (options.fake) {
      await inTransaction(t.db, (tx) => record({ t, m, up: true }, tx, null))
      applied.push({ version: m.version, name: m.name, statements: 0, ms: 0 })
    } else {
      const one = await runOne(t, m, true, {
        force: options.force,
        onProgress: options.onProgress,
        from: done.get(f.version)?.progress ?? 0,
      })
      if (one) applied.push(one)
    }
  }
  return { applied, changed }
}

/** Reverts the applied migrations from the last one down to `version` (included). */
export const downgrade = (
  t: MigrationTarget,
  options: DowngradeOptions = {},
): TE.TaskEither<MigrationFailure, DowngradeResult> =>
  command(() => (options.dryRun ? downgradeLocked(t, options) : withLock(t, () => downgradeLocked(t, options))))

const downgradeLocked = async (t: MigrationTarget, options: DowngradeOptions): Promise<DowngradeResult> => {
  const files = listMigrations(folder(t))
  const rows = (await appliedRows(t)).filter((r) => r.progress === null)
  if (!rows.length) refuse('notInitialised', `app ${t.app} has no applied migration to downgrade`)
  const target = options.version ?? rows[rows.length - 1].version
  if (!rows.some((r) => r.version === target))
    refuse(
      'unknownVersion',
      `version ${target} of app ${t.app} is not applied (applied: ${rows.map((r) => r.version).join(', ')}): see history`,
    )
  const d = await dialectOf(t.db)
  const revert = rows.filter((r) => r.version >= target).reverse()
  const loaded = revert.map((r) => {
    const f = files.find((x) => x.version === r.version)
    if (!f)
      return refuse(
        'badFile',
        `the file of migration ${r.version} (${r.name}) is missing from ${folder(t)}: restore it to downgrade`,
      )
    return loadMigration(f, d.name)
  })
  if (options.dryRun) return { reverted: [], sql: loaded.flatMap((m) => m.downgrade.map(label)), deleted: [] }
  const drops = loaded.flatMap((m) =>
    (m.guards.downgrade ?? []).map((g) => `migration ${m.version}: ${g.message.replace(/, which .*$/, '')}`),
  )
  if (options.ask && drops.length && !(await options.ask(`The downgrade ${drops.join('; ')}. Go ahead?`)))
    refuse('cancelled', 'downgrade cancelled: nothing was changed')
  const reverted: Applied[] = []
  const deleted: string[] = []
  for (const m of loaded) {
    const one = await runOne(t, m, false, { force: options.force, onProgress: options.onProgress })
    if (one) reverted.push(one)
    if (options.deleteFiles) {
      fs.unlinkSync(m.file)
      deleted.push(m.file)
    }
  }
  return { reverted, deleted }
}

/** The applied migrations, oldest first. */
export const history = (t: MigrationTarget): TE.TaskEither<MigrationFailure, ReadonlyArray<HistoryEntry>> =>
  command(async () => {
    const files = listMigrations(folder(t))
    const rows = await appliedRows(t)
    const changed = new Set(changedOf(files, rows).map((c) => c.version))
    return rows.map((r) => {
      const f = files.find((x) => x.version === r.version)
      return {
        version: r.version,
        name: r.name,
        appliedAt: r.appliedAt,
        ...(f ? { file: f.file } : {}),
        changed: !f || changed.has(r.version),
        progress: r.progress,
      }
    })
  })

/** The migration files not applied yet (or applied in part), in order. */
export const heads = (t: MigrationTarget): TE.TaskEither<MigrationFailure, ReadonlyArray<Head>> =>
  command(async () => {
    if (!fs.existsSync(folder(t))) refuse('noMigrations', `no migrations folder ${folder(t)}: run init-db first`)
    const rows = await appliedRows(t)
    const done = new Set(rows.filter((r) => r.progress === null).map((r) => r.version))
    return listMigrations(folder(t)).filter((f) => !done.has(f.version))
  })

/**
 * What CI asks before a deploy: is a migration missing (the models differ from the state of the
 * last migration), and has the database drifted (its live schema, introspected, differs from the
 * state of the last applied migration, or a migration was applied in part)? Pending migrations
 * are listed, not counted as a failure: a database may be behind its files.
 */
export const check = (t: MigrationTarget): TE.TaskEither<MigrationFailure, CheckResult> =>
  command(async () => {
    if (!fs.existsSync(folder(t))) refuse('noMigrations', `no migrations folder ${folder(t)}: run init-db first`)
    const files = listMigrations(folder(t))
    if (!files.length) refuse('notInitialised', `no migrations for app ${t.app} in ${folder(t)}: run init-db first`)
    const d = await dialectOf(t.db)
    const last = loadMigration(files[files.length - 1], d.name)
    const models = viewsOf(modelState(t.models))
    const missing = diffViews(viewsOf(last.state), models).operations.map(describe)
    const rows = await appliedRows(t)
    const applied = rows.filter((r) => r.progress === null)
    const pending = files.filter((f) => !applied.some((r) => r.version === f.version))
    const drift = rows
      .filter((r) => r.progress !== null)
      .map((r) => `migration ${r.version} (${r.name}) is applied in part (${r.progress} statements)`)
    const state = applied.length ? (JSON.parse(applied[applied.length - 1].state) as SchemaState) : EMPTY_STATE
    const expected = viewsOf(state)
    // the app's tables only: other apps may share the database
    const tables = new Set([
      ...expected.tables.keys(),
      ...expected.throughs.keys(),
      ...models.tables.keys(),
      ...models.throughs.keys(),
    ])
    drift.push(...schemaDifferences(d, expected, await introspect(t.db, { tables: [...tables] })))
    return { ok: !missing.length && !drift.length, missing, drift, pending }
  })
