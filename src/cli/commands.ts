/**
 * The commands, aerich's: each declares its options and help, and its action is a thin layer
 * over the programmatic API of `src/migrate` (load the config, open the connections, call the
 * engine once per app, print, close).
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { mkdirSync } from 'fs'
import { relative, resolve } from 'path'
import { Config, Terrapin, connectionUrl, init } from '../integrations/tortoise'
import { sql } from '../plan/raw'
import { redact } from '../run/connect'
import { run } from '../run/run'
import * as migrate from '../migrate'
import { OptionSpec, Values, flag, list, str } from './args'
import { DEFAULT_LOCATION, appModels, loadConfig, readSettings, writeSettings } from './config'
import { Io } from './io'
import { CliFailure, describe, failed, usage } from './report'

/** What an action gets: the parsed options (global ones included) and the outside world. */
export interface Context {
  readonly values: Values
  readonly io: Io
}

export interface Command {
  readonly name: string
  /** One line for `terrapin --help`. */
  readonly summary: string
  /** More lines for `terrapin <command> --help`. */
  readonly details?: ReadonlyArray<string>
  readonly options: ReadonlyArray<OptionSpec>
  /** Throws or rejects with a `CliFailure` (or anything, which becomes exit code 1). */
  readonly run: (ctx: Context) => Promise<void> | void
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: ReadonlyArray<OptionSpec> = [
  {
    name: 'config',
    short: 't',
    value: 'MODULE',
    help: 'the config module (.ts or .js) whose default export is { connections, apps }; default: package.json "terrapin.config"',
  },
  {
    name: 'location',
    value: 'DIR',
    help: `the migrations folder; default: package.json "terrapin.location", else ${DEFAULT_LOCATION}`,
  },
  {
    name: 'app',
    value: 'NAME',
    help: "only this app (default: every app of the config; downgrade: 'models' or the only app)",
  },
  { name: 'verbose', help: 'print the stack trace of an error' },
  { name: 'help', short: 'h', help: 'show this help' },
]

// ------------------------------------------------------------------------------------------
// set-up shared by the commands
// ------------------------------------------------------------------------------------------

interface Project {
  readonly configSpec: string
  readonly config: Config
  readonly location: string
}

/** The config module and migrations folder: from the options, else from package.json. */
const project = (ctx: Context): Project => {
  const settings = readSettings(ctx.io.cwd)
  if (E.isLeft(settings)) throw new CliFailure(settings.left)
  const configSpec = str(ctx.values, 'config') ?? settings.right.config
  if (!configSpec)
    throw new CliFailure(
      failed('no config: run terrapin init -t <module> to record it in package.json, or pass -t <module>'),
    )
  const config = loadConfig(configSpec, ctx.io.cwd)
  if (E.isLeft(config)) throw new CliFailure(config.left)
  return {
    configSpec,
    config: config.right,
    location: resolve(ctx.io.cwd, str(ctx.values, 'location') ?? settings.right.location ?? DEFAULT_LOCATION),
  }
}

const appsOf = (config: Config): ReadonlyArray<string> => Object.keys('apps' in config ? config.apps : config.modules)

/** The apps a command works on: `--app`, else all of them (or, with `single`, 'models' or the only app). */
const chooseApps = (ctx: Context, config: Config, single: boolean): ReadonlyArray<string> => {
  const all = appsOf(config)
  const wanted = str(ctx.values, 'app')
  if (wanted !== undefined) {
    if (!all.includes(wanted)) throw new CliFailure(usage(`unknown app ${wanted}: the config has ${all.join(', ')}`))
    return [wanted]
  }
  if (!single || all.length === 1) return all
  if (all.includes('models')) return ['models']
  throw new CliFailure(usage(`the config has several apps (${all.join(', ')}): choose one with --app`))
}

/** The name and URL (password hidden) of the connection an app uses. */
const connectionOf = (config: Config, app: string): { readonly name: string; readonly url: string } => {
  if (!('apps' in config)) return { name: 'default', url: redact(config.dbUrl ?? config.db_url ?? '') }
  const a = config.apps[app]
  const name = a?.defaultConnection ?? a?.default_connection ?? 'default'
  const c = config.connections[name]
  let url: string
  try {
    url = c === undefined ? '' : connectionUrl(c)
  } catch {
    url = typeof c === 'object' ? c.engine : ''
  }
  return { name, url: redact(url) }
}

/**
 * Opens the connections (never creating tables: that is what migrations are for) and checks
 * that the apps' databases answer, so an unreachable server is one clear line before any work;
 * runs `f`; closes them.
 */
const withOrm = async <A>(p: Project, apps: ReadonlyArray<string>, f: (orm: Terrapin) => Promise<A>): Promise<A> => {
  const config = { ...p.config, generateSchemas: false, generate_schemas: false }
  const orm = await init(config)()
  if (E.isLeft(orm)) throw new CliFailure(describe(orm.left, `config ${p.configSpec}`))
  try {
    const checked = new Set<string>()
    for (const app of apps) {
      const c = connectionOf(p.config, app)
      if (checked.has(c.name)) continue
      checked.add(c.name)
      const r = await run(orm.right.dbFor(app))(sql`SELECT 1`)()
      if (E.isLeft(r))
        throw new CliFailure(
          failed(
            `app ${app}: cannot reach the database ${c.url}: ${r.left.message.split('\n')[0]} (check that the server runs and the URL in ${p.configSpec})`,
            r.left,
          ),
        )
    }
    return await f(orm.right)
  } finally {
    await orm.right.close()
  }
}

const targetOf = (p: Project, orm: Terrapin, app: string): migrate.MigrationTarget => ({
  db: orm.dbFor(app),
  app,
  models: appModels(orm.models(app)),
  location: p.location,
})

/**
 * A question the engine may ask, answered at the terminal. Without one, the refusal names the
 * flag that answers it, and `must` reports that refusal whatever the engine made of it.
 */
interface Asker {
  readonly ask: migrate.Ask
  refused?: unknown
}

const asker = (ctx: Context, flagHint: string): Asker => {
  const self: Asker = {
    ask: (q) =>
      ctx.io.ask(q, flagHint).catch((e: unknown) => {
        self.refused = e
        throw e
      }),
  }
  return self
}

/** The value of an engine call, or its error as the one line to print. */
const must = async <A>(te: TE.TaskEither<unknown, A>, app: string, asked?: Asker): Promise<A> => {
  let r: E.Either<unknown, A>
  try {
    r = await te()
  } catch (e) {
    throw new CliFailure(describe(asked?.refused ?? e, `app ${app}`))
  }
  if (E.isLeft(r)) throw new CliFailure(describe(asked?.refused ?? r.left, `app ${app}`))
  return r.right
}

/** Prints upgrade/downgrade progress: a line per migration as it starts, one per statement with its time. */
const progress = (ctx: Context, app: string, verb: string) => {
  let current: number | undefined
  return (e: migrate.ProgressEvent): void => {
    if (current !== e.version) {
      current = e.version
      ctx.io.out(`app ${app}: ${verb} ${e.version}_${e.name}`)
    }
    if (e.kind === 'statement') ctx.io.out(`  ${sqlLine(e.sql ?? '')}  (${e.ms} ms)`)
    else {
      ctx.io.out(`  done in ${e.ms} ms`)
      current = undefined
    }
  }
}

/** A path as the user would type it, relative to where they are. */
const shown = (ctx: Context, path: string): string => {
  const rel = relative(ctx.io.cwd, path)
  return rel.startsWith('..') || rel === '' ? path : `./${rel}`
}

const sqlLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim()

/** A dry run's statements as a script one could run by hand, under a comment naming the app. */
const printSql = (ctx: Context, app: string, sql: ReadonlyArray<string> = []): void => {
  ctx.io.out(sql.length ? `-- app ${app}` : `-- app ${app}: nothing to run`)
  for (const s of sql) ctx.io.out(/;\s*$|^\s*--/.test(s) ? s : `${s};`)
}

// ------------------------------------------------------------------------------------------
// the commands
// ------------------------------------------------------------------------------------------

const initCommand: Command = {
  name: 'init',
  summary: 'record the config module and the migrations folder in package.json',
  details: [
    'Checks that the module loads and exports { connections, apps }, records it in package.json',
    'as "terrapin": { "config": MODULE, "location": DIR }, and creates the migrations folder.',
  ],
  options: [],
  run: (ctx) => {
    const configSpec = str(ctx.values, 'config')
    if (!configSpec) throw new CliFailure(usage('init needs the config module: terrapin init -t ./src/db.ts'))
    const config = loadConfig(configSpec, ctx.io.cwd)
    if (E.isLeft(config)) throw new CliFailure(config.left)
    const location = str(ctx.values, 'location') ?? DEFAULT_LOCATION
    const written = writeSettings(ctx.io.cwd, { config: configSpec, location })
    if (E.isLeft(written)) throw new CliFailure(written.left)
    mkdirSync(resolve(ctx.io.cwd, location), { recursive: true })
    ctx.io.out(`recorded in package.json: "terrapin": { "config": "${configSpec}", "location": "${location}" }`)
    ctx.io.out(`apps: ${appsOf(config.right).join(', ')}; next: terrapin init-db`)
  },
}

const initDbCommand: Command = {
  name: 'init-db',
  summary: "create the app's tables, write the first migration and record it as applied",
  details: ['Refuses when the tables already exist.'],
  options: [],
  run: async (ctx) => {
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    await withOrm(p, apps, async (orm) => {
      for (const app of apps) {
        const r = await must(migrate.initDb(targetOf(p, orm, app)), app)
        ctx.io.out(
          `app ${app}: created the tables, wrote ${shown(ctx, r.file)} and recorded version ${r.version} as applied`,
        )
      }
    })
  },
}

/** `table.old:new` renames a column, `old:new` a table. */
const parseRename = (s: string): migrate.Rename => {
  const r = migrate.parseRename(s)
  if (!r) throw new CliFailure(usage(`--rename ${s}: expected table.old:new (a column) or old:new (a table)`))
  return r
}

const migrateCommand: Command = {
  name: 'migrate',
  summary: 'write a migration with the changes of the models since the last one',
  details: [
    'Diffs the models against the model state recorded with the last migration and writes',
    '<location>/<app>/<n>_<yyyymmddHHMMSS>_<name>.ts with upgrade and downgrade statements.',
    'A likely rename is asked about (or given with --rename); without a terminal it is an error.',
  ],
  options: [
    { name: 'name', value: 'NAME', help: "the migration's name (default: update)" },
    { name: 'empty', help: 'write an empty migration to fill in by hand' },
    {
      name: 'rename',
      value: 'TABLE.OLD:NEW',
      repeat: true,
      help: 'a column (table.old:new) or table (old:new) was renamed; repeatable',
    },
  ],
  run: async (ctx) => {
    const name = str(ctx.values, 'name')
    if (name !== undefined && !/^[A-Za-z0-9_]+$/.test(name))
      throw new CliFailure(usage(`--name ${name}: use letters, digits and _ only`))
    const renames = list(ctx.values, 'rename').map(parseRename)
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    await withOrm(p, apps, async (orm) => {
      for (const app of apps) {
        const a = asker(ctx, 'pass --rename table.old:new (or old:new for a table) to say what was renamed')
        const r = await must(
          migrate.makeMigration(targetOf(p, orm, app), { name, empty: flag(ctx.values, 'empty'), renames, ask: a.ask }),
          app,
          a,
        )
        if ('noChanges' in r) ctx.io.out(`app ${app}: no changes, nothing to migrate`)
        else
          ctx.io.out(
            `app ${app}: wrote ${shown(ctx, r.file)} (version ${r.version}, ${r.operations} operation${r.operations === 1 ? '' : 's'})`,
          )
      }
    })
  },
}

const upgradeCommand: Command = {
  name: 'upgrade',
  summary: 'apply the pending migrations, in order',
  details: [
    'Prints each migration and statement as it runs, with its time. On SQLite and PostgreSQL each',
    'migration runs in one transaction; MySQL/MariaDB commit DDL at once, so a failure names the',
    'statement that failed and what was already applied.',
  ],
  options: [
    { name: 'dry-run', help: 'print the SQL without running it' },
    { name: 'json', help: 'print a machine-readable report (for CI) instead of the progress lines' },
    { name: 'force', help: 'apply even a migration that would lose data (drop a table with rows, narrow a column…)' },
    { name: 'fake', help: 'record the migrations as applied without running them' },
  ],
  run: async (ctx) => {
    const json = flag(ctx.values, 'json')
    const dryRun = flag(ctx.values, 'dry-run')
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    const report: Array<{ app: string } & migrate.UpgradeResult> = []
    try {
      await withOrm(p, apps, async (orm) => {
        for (const app of apps) {
          const fake = flag(ctx.values, 'fake')
          const onProgress = json || dryRun || fake ? undefined : progress(ctx, app, 'applying')
          const r = await must(
            migrate.upgrade(targetOf(p, orm, app), { dryRun, force: flag(ctx.values, 'force'), fake, onProgress }),
            app,
          )
          report.push({ app, ...r })
          for (const c of r.changed)
            ctx.io.err(
              `terrapin: warning: app ${app}: ${shown(ctx, c.file)} changed after version ${c.version} was applied`,
            )
          if (json) continue
          if (dryRun) printSql(ctx, app, r.sql)
          else if (r.applied.length === 0) ctx.io.out(`app ${app}: up to date, nothing to upgrade`)
          else if (fake)
            for (const m of r.applied)
              ctx.io.out(`app ${app}: recorded ${m.version}_${m.name} as applied, without running it (--fake)`)
          else ctx.io.out(`app ${app}: applied ${r.applied.length} migration${r.applied.length === 1 ? '' : 's'}`)
        }
      })
    } catch (e) {
      if (json) ctx.io.out(JSON.stringify({ ok: false, dryRun, apps: report, error: errorJson(e) }, jsonValue, 2))
      throw e
    }
    if (json) ctx.io.out(JSON.stringify({ ok: true, dryRun, apps: report }, jsonValue, 2))
  },
}

/** An error in the --json report: its line, and the failed statement and what was applied before it, when known. */
const errorJson = (e: unknown): Record<string, unknown> => {
  const err = describe(e)
  const m = err.cause as Partial<migrate.MigrationError> | undefined
  return { message: err.message, reason: m?.reason, failed: m?.failed, applied: m?.applied }
}

const jsonValue = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? String(v) : v)

const downgradeCommand: Command = {
  name: 'downgrade',
  summary: 'revert migrations: the last one, or back to just before VERSION',
  details: ['Asks before dropping anything unless --yes; without a terminal the question is an error.'],
  options: [
    {
      name: 'version',
      short: 'v',
      value: 'VERSION',
      help: 'revert every migration from VERSION on (default: the last one)',
    },
    { name: 'delete', short: 'd', help: "delete the reverted migrations' files" },
    { name: 'yes', help: 'do not ask before dropping' },
    { name: 'force', help: 'revert even when it would lose data (drop a table with rows, a column with values…)' },
    { name: 'dry-run', help: 'print the SQL without running it' },
  ],
  run: async (ctx) => {
    const v = str(ctx.values, 'version')
    if (v !== undefined && !/^\d+$/.test(v))
      throw new CliFailure(
        usage(`-v ${v}: a version is the number a migration's file name starts with (see terrapin history)`),
      )
    const dryRun = flag(ctx.values, 'dry-run')
    const p = project(ctx)
    const [app] = chooseApps(ctx, p.config, true)
    await withOrm(p, [app], async (orm) => {
      const a = asker(ctx, 'pass --yes to confirm')
      const r = await must(
        migrate.downgrade(targetOf(p, orm, app), {
          version: v === undefined ? undefined : Number(v),
          deleteFiles: flag(ctx.values, 'delete'),
          force: flag(ctx.values, 'force'),
          ask: flag(ctx.values, 'yes') ? () => Promise.resolve(true) : a.ask,
          dryRun,
          onProgress: dryRun ? undefined : progress(ctx, app, 'reverting'),
        }),
        app,
        a,
      )
      if (dryRun) printSql(ctx, app, r.sql)
      else if (r.reverted.length === 0) ctx.io.out(`app ${app}: nothing to revert`)
      else ctx.io.out(`app ${app}: reverted ${r.reverted.map((m) => `${m.version}_${m.name}`).join(', ')}`)
      for (const f of r.deleted) ctx.io.out(`app ${app}: deleted ${shown(ctx, f)}`)
    })
  },
}

const historyCommand: Command = {
  name: 'history',
  summary: 'list the applied migrations',
  details: ['A migration whose file changed after it was applied is marked "changed".'],
  options: [{ name: 'json', help: 'print JSON' }],
  run: async (ctx) => {
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    const all: Array<{ app: string; applied: ReadonlyArray<unknown> }> = []
    await withOrm(p, apps, async (orm) => {
      for (const app of apps) {
        const rows = await must(migrate.history(targetOf(p, orm, app)), app)
        all.push({ app, applied: rows })
        if (flag(ctx.values, 'json')) continue
        if (rows.length === 0) ctx.io.out(`app ${app}: no migration applied`)
        for (const m of rows)
          ctx.io.out(
            `app ${app}: ${m.version}_${m.name}  applied ${m.appliedAt.toISOString()}${m.file === undefined ? '  file missing' : m.changed ? '  file changed since it was applied' : ''}`,
          )
      }
    })
    if (flag(ctx.values, 'json')) ctx.io.out(JSON.stringify(all, jsonValue, 2))
  },
}

const headsCommand: Command = {
  name: 'heads',
  summary: 'list the pending migrations (written, not applied)',
  options: [{ name: 'json', help: 'print JSON' }],
  run: async (ctx) => {
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    const all: Array<{ app: string; pending: ReadonlyArray<unknown> }> = []
    await withOrm(p, apps, async (orm) => {
      for (const app of apps) {
        const rows = await must(migrate.heads(targetOf(p, orm, app)), app)
        all.push({ app, pending: rows })
        if (flag(ctx.values, 'json')) continue
        if (rows.length === 0) ctx.io.out(`app ${app}: no pending migration`)
        for (const m of rows) ctx.io.out(`app ${app}: ${m.version}_${m.name}  ${shown(ctx, m.file)}`)
      }
    })
    if (flag(ctx.values, 'json')) ctx.io.out(JSON.stringify(all, jsonValue, 2))
  },
}

const checkCommand: Command = {
  name: 'check',
  summary: 'exit 1 when a migration is missing or the database drifted from the applied ones (for CI)',
  details: [
    'Lists every change of the models not in a migration (run terrapin migrate), and every',
    'difference of the live schema (introspected) from the state of the last applied migration:',
    'a table, column, index or key altered by hand. Pending migrations are listed, not a failure.',
  ],
  options: [{ name: 'json', help: 'print a machine-readable report' }],
  run: async (ctx) => {
    const json = flag(ctx.values, 'json')
    const p = project(ctx)
    const apps = chooseApps(ctx, p.config, false)
    const report: Array<{ app: string } & migrate.CheckResult> = []
    await withOrm(p, apps, async (orm) => {
      for (const app of apps) {
        const r = await must(migrate.check(targetOf(p, orm, app)), app)
        report.push({ app, ...r })
        if (json) continue
        for (const m of r.missing) ctx.io.out(`app ${app}: not in a migration: ${m}`)
        for (const m of r.drift) ctx.io.out(`app ${app}: drift: ${m}`)
        for (const h of r.pending) ctx.io.out(`app ${app}: pending: ${h.version}_${h.name}`)
        if (r.ok) ctx.io.out(`app ${app}: the models match the migrations, and the database the applied ones`)
      }
    })
    if (json) ctx.io.out(JSON.stringify({ ok: report.every((r) => r.ok), apps: report }, jsonValue, 2))
    const bad = report.filter((r) => !r.ok)
    if (bad.length)
      throw new CliFailure(
        failed(
          bad
            .map(
              (r) =>
                `app ${r.app}: ${[
                  ...(r.missing.length
                    ? [
                        `${r.missing.length} change${r.missing.length === 1 ? '' : 's'} not in a migration (run terrapin migrate)`,
                      ]
                    : []),
                  ...(r.drift.length
                    ? [
                        `${r.drift.length} difference${r.drift.length === 1 ? '' : 's'} of the database from its migrations`,
                      ]
                    : []),
                ].join(', ')}`,
            )
            .join('; '),
        ),
      )
  },
}

const inspectdbCommand: Command = {
  name: 'inspectdb',
  summary: "print terrapin model definitions for an existing database's tables",
  details: [
    "Reads the tables of the app's database (--table: only those) and prints a models module,",
    'relations included, for an existing database: save it, point the config at it, then',
    '`terrapin init-db` on an empty database (or `upgrade --fake` on this one) to adopt it.',
    "(aerich's -t names the tables; here -t is the config, so tables are --table.)",
  ],
  options: [{ name: 'table', value: 'TABLE', repeat: true, help: 'only this table; repeatable' }],
  run: async (ctx) => {
    const p = project(ctx)
    const [app] = chooseApps(ctx, p.config, true)
    const tables = list(ctx.values, 'table')
    await withOrm(p, [app], async (orm) => {
      const state = await must(
        TE.tryCatch(
          () => migrate.introspect(orm.dbFor(app), tables.length ? { tables } : {}),
          (e) => e,
        ),
        app,
      )
      const found = new Set(state.models.map((m) => m.table))
      const unknown = tables.filter(
        (t) => !found.has(t) && !state.models.some((m) => Object.values(m.fields).some((f) => f.options.through === t)),
      )
      if (unknown.length) throw new CliFailure(failed(`app ${app}: no table ${unknown.join(', ')} in the database`))
      ctx.io.out(migrate.modelSource(state).trimEnd())
    })
  },
}

/** Every command, in the order `terrapin --help` lists them. */
export const COMMANDS: ReadonlyArray<Command> = [
  initCommand,
  initDbCommand,
  migrateCommand,
  upgradeCommand,
  downgradeCommand,
  historyCommand,
  headsCommand,
  checkCommand,
  inspectdbCommand,
]
