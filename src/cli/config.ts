/**
 * Where the command line finds its configuration, as aerich does: `terrapin init -t <module>`
 * records the module and the migrations folder in package.json under `"terrapin"`
 * (`{ "config": "./src/db.ts", "location": "./migrations" }`); every command also takes `-t` and
 * `--location` directly, which win over package.json. The module's default export (or its export
 * `config`) is the object `init()` takes.
 */
import * as E from 'fp-ts/Either'
import { existsSync, readFileSync, writeFileSync } from 'fs'
import { join, resolve } from 'path'
import { AnyModel } from '../model/model'
import { Config } from '../integrations/tortoise'
import { loadModule } from '../migrate/load'
import { CliError, failed } from './report'

/** The key of package.json that holds terrapin's settings. */
export const SETTINGS_KEY = 'terrapin'

/** The migrations folder when none is configured, as aerich's. */
export const DEFAULT_LOCATION = './migrations'

/** What `terrapin init` records. */
export interface Settings {
  /** The config module, relative to the project root (`./src/db.ts`); `#name` picks an export. */
  readonly config: string
  /** The migrations root; each app's files go in `<location>/<app>/`. */
  readonly location: string
}

const pkgPath = (cwd: string): string => join(cwd, 'package.json')

const readPackage = (cwd: string): E.Either<CliError, Record<string, unknown> | undefined> => {
  const path = pkgPath(cwd)
  if (!existsSync(path)) return E.right(undefined)
  try {
    const pkg: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg))
      return E.left(failed(`${path} does not hold a JSON object: fix it, or pass -t <module>`))
    return E.right(pkg as Record<string, unknown>)
  } catch (e) {
    return E.left(
      failed(
        `${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}): fix it, or pass -t <module>`,
        e,
      ),
    )
  }
}

/** The settings recorded in `cwd`'s package.json, if any. */
export const readSettings = (cwd: string): E.Either<CliError, Partial<Settings>> => {
  const pkg = readPackage(cwd)
  if (E.isLeft(pkg)) return pkg
  const s = pkg.right?.[SETTINGS_KEY]
  if (s === undefined) return E.right({})
  if (typeof s !== 'object' || s === null)
    return E.left(failed(`"${SETTINGS_KEY}" in package.json must be an object: run terrapin init -t <module> again`))
  const { config, location } = s as Record<string, unknown>
  if (config !== undefined && typeof config !== 'string')
    return E.left(
      failed(`"${SETTINGS_KEY}.config" in package.json must be a path: run terrapin init -t <module> again`),
    )
  if (location !== undefined && typeof location !== 'string')
    return E.left(
      failed(`"${SETTINGS_KEY}.location" in package.json must be a path: run terrapin init -t <module> again`),
    )
  return E.right({ config, location })
}

/**
 * Records the settings in `cwd`'s package.json, keeping everything else (and its indentation).
 * Fails when there is no package.json: the project root is where it lives.
 */
export const writeSettings = (cwd: string, settings: Settings): E.Either<CliError, string> => {
  const pkg = readPackage(cwd)
  if (E.isLeft(pkg)) return pkg
  if (!pkg.right)
    return E.left(
      failed(`no package.json in ${cwd}: run terrapin init in your project's root (or create one with npm init)`),
    )
  const text = readFileSync(pkgPath(cwd), 'utf8')
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  '
  const next = {
    ...pkg.right,
    [SETTINGS_KEY]: { ...(pkg.right[SETTINGS_KEY] as object), config: settings.config, location: settings.location },
  }
  writeFileSync(pkgPath(cwd), JSON.stringify(next, null, indent) + '\n')
  return E.right(pkgPath(cwd))
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isModel = (u: unknown): u is AnyModel => isObject(u) && u._tag === 'Model'

/** The models an app lists: an array, or a module's exports (its non-model exports ignored, as tortoise does). */
export const appModels = (models: unknown): ReadonlyArray<AnyModel> =>
  Array.isArray(models) ? models.filter(isModel) : isObject(models) ? Object.values(models).filter(isModel) : []

/** Why `u` is not the object `init()` takes, or undefined when it is. */
export const configProblem = (u: unknown): string | undefined => {
  if (!isObject(u))
    return 'it exports no config object (export default { connections, apps }, or export const config = …)'
  if (!('connections' in u)) {
    if ('modules' in u && (typeof u.db_url === 'string' || typeof u.dbUrl === 'string'))
      return isObject(u.modules) ? undefined : 'modules must map each app to its models'
    return 'the config has no connections (it needs { connections: { default: "sqlite://db.sqlite3" }, apps: { models: { models: [...] } } })'
  }
  if (!isObject(u.connections) || Object.keys(u.connections).length === 0)
    return 'connections must name at least one connection'
  for (const [name, c] of Object.entries(u.connections))
    if (typeof c !== 'string' && !(isObject(c) && typeof c.engine === 'string' && isObject(c.credentials)))
      return `connections.${name} must be a URL or { engine, credentials }`
  if (!isObject(u.apps) || Object.keys(u.apps).length === 0)
    return 'the config has no apps (apps: { models: { models: [...], defaultConnection: "default" } })'
  for (const [name, app] of Object.entries(u.apps)) {
    if (!isObject(app) || !('models' in app)) return `apps.${name} must have models: [...]`
    if (appModels(app.models).length === 0)
      return `apps.${name}.models holds no models (give it an array of models, or a module that exports them)`
  }
  return undefined
}

/**
 * Loads the config module: `path` relative to `cwd`, `path#name` for a named export; otherwise
 * the default export, else the export `config`, else the module itself (a CommonJS
 * `module.exports = { connections, apps }`).
 */
export const loadConfig = (spec: string, cwd: string): E.Either<CliError, Config> => {
  const hash = spec.lastIndexOf('#')
  const [path, name] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined]
  const abs = resolve(cwd, path)
  if (!existsSync(abs))
    return E.left(
      failed(`config module ${path} not found: pass -t <module> with the path of the module that exports your config`),
    )
  let mod: Record<string, unknown>
  try {
    mod = loadModule(abs)
  } catch (e) {
    return E.left(
      failed(`cannot load the config module ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e),
    )
  }
  let config: unknown
  if (name !== undefined) {
    if (!(name in mod)) return E.left(failed(`invalid config in ${path}: it has no export ${name}`))
    config = mod[name]
  } else {
    config = mod.default ?? mod.config ?? mod
    // A CommonJS module compiled from `export default` seen through interop: `{ default: { default: … } }`.
    if (isObject(config) && !('connections' in config) && isObject(config.default)) config = config.default
  }
  const problem = configProblem(config)
  if (problem) return E.left(failed(`invalid config in ${spec}: ${problem}`))
  return E.right(config as Config)
}
