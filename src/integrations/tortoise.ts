/**
 * Tortoise's start-up and shut-down: `init(config)` with tortoise's config shape,
 * `closeConnections()`, and `runAsync(main)` which always closes the connections.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, TerrapinFailure, configurationError, isTerrapinError } from '../errors'
import { AnyModel, Model } from '../model/model'
import { ConnectOptions, closeAll, connect } from '../run/connect'
import { Db } from '../run/statement'
import { generateSchemas } from '../schema/ddl'

/** A connection: a URL, or tortoise's `{ engine, credentials }` form. */
export type ConnectionConfig =
  | string
  | {
      readonly engine: string
      readonly credentials: {
        readonly host?: string
        readonly port?: number | string
        readonly user?: string
        readonly password?: string
        readonly database?: string
        /** SQLite: the database file. */
        readonly file_path?: string
        readonly filePath?: string
        readonly minsize?: number
        readonly maxsize?: number
        /** Pool size (tortoise's `maxsize` is read as the same). */
        readonly pool?: number
        /** Milliseconds to wait for a connection before `ConnectionError`. */
        readonly connectTimeout?: number
        /** Milliseconds an unused pooled connection stays open. */
        readonly idleTimeout?: number
        /** Milliseconds a statement may run on the server (not on SQLite). */
        readonly statementTimeout?: number
      }
    }

/** One app of `init`'s configuration: its models and the name of its `defaultConnection`. */
export interface AppConfig {
  readonly models: ReadonlyArray<AnyModel> | Readonly<Record<string, unknown>>
  readonly defaultConnection?: string
  /** tortoise's spelling. */
  readonly default_connection?: string
}

/** tortoise's `config=` form: named connections and apps. */
export interface FullConfig {
  readonly connections: Readonly<Record<string, ConnectionConfig>>
  readonly apps: Readonly<Record<string, AppConfig>>
  /** Create the tables at start-up (`safe`: only those missing). */
  readonly generateSchemas?: boolean
  /** tortoise's spelling. */
  readonly generate_schemas?: boolean
  readonly options?: ConnectOptions
}

/** tortoise's short form, `init(db_url=…, modules={'models': [...]})`: one connection, `default`. */
export interface UrlConfig {
  readonly dbUrl?: string
  readonly db_url?: string
  readonly modules: Readonly<Record<string, AppConfig['models']>>
  readonly generateSchemas?: boolean
  readonly generate_schemas?: boolean
  readonly options?: ConnectOptions
}

/** `init`'s configuration: tortoise's shape (`connections`, `apps`) or one `dbUrl` with `modules` (as `Tortoise.init(db_url=…, modules=…)`). */
export type Config = FullConfig | UrlConfig

/** The short form as the full one. */
const fullConfig = (c: Config): FullConfig => {
  if ('connections' in c) return c
  const url = c.dbUrl ?? c.db_url
  if (url === undefined)
    throw new TerrapinFailure(configurationError('init needs connections and apps, or db_url and modules'))
  const apps = Object.fromEntries(
    Object.entries(c.modules).map(([name, models]) => [name, { models, defaultConnection: 'default' }]),
  )
  return {
    connections: { default: url },
    apps,
    generateSchemas: c.generateSchemas ?? c.generate_schemas,
    options: c.options,
  }
}

/** What `init` gives: the databases by connection name (`db(name)`, `db()` the default one) and by app (`dbFor(app)`), the apps' models, and `close`. */
export interface Terrapin {
  /** A named connection (`default` when omitted). */
  readonly db: (name?: string) => Db
  /** The connection an app's models use. */
  readonly dbFor: (app: string) => Db
  /** The models of an app. */
  readonly models: (app: string) => ReadonlyArray<AnyModel>
  /** Closes every connection of this configuration. */
  readonly close: () => Promise<void>
}

const enc = encodeURIComponent

/** tortoise's `{ engine, credentials }` as a URL. */
export const connectionUrl = (c: ConnectionConfig): string => {
  if (typeof c === 'string') return c
  const engine = c.engine.toLowerCase()
  const cr = c.credentials
  const scheme = engine.includes('sqlite')
    ? 'sqlite'
    : /postgres|asyncpg|psycopg/.test(engine)
      ? 'postgres'
      : /mysql|maria/.test(engine)
        ? 'mysql'
        : undefined
  if (!scheme) throw new TerrapinFailure(configurationError(`unknown engine ${c.engine}`))
  if (scheme === 'sqlite') return `sqlite://${cr.file_path ?? cr.filePath ?? cr.database ?? ':memory:'}`
  const auth = cr.user ? `${enc(cr.user)}${cr.password ? `:${enc(cr.password)}` : ''}@` : ''
  const query = new URLSearchParams()
  const pool = cr.pool ?? cr.maxsize
  if (pool !== undefined) query.set('pool', String(pool))
  if (cr.connectTimeout !== undefined) query.set('connectTimeout', String(cr.connectTimeout))
  if (cr.idleTimeout !== undefined) query.set('idleTimeout', String(cr.idleTimeout))
  if (cr.statementTimeout !== undefined) query.set('statementTimeout', String(cr.statementTimeout))
  const qs = query.toString()
  return `${scheme}://${auth}${cr.host ?? '127.0.0.1'}${cr.port ? `:${cr.port}` : ''}/${enc(cr.database ?? '')}${qs ? `?${qs}` : ''}`
}

const isModel = (u: unknown): u is Model => typeof u === 'object' && u !== null && (u as Model)._tag === 'Model'

const isModelList = (models: AppConfig['models']): models is ReadonlyArray<AnyModel> => Array.isArray(models)

const modelsOf = (app: AppConfig): ReadonlyArray<AnyModel> =>
  isModelList(app.models) ? app.models : Object.values(app.models).filter(isModel)

let current: Terrapin | undefined

/**
 * Opens the configured connections (and creates missing tables when `generateSchemas` is set).
 *
 * @example
 * ```ts
 * const orm = await init({
 *   connections: { default: 'sqlite://:memory:' },
 *   apps: { models: { models: [Author, Book], defaultConnection: 'default' } },
 *   generateSchemas: true,
 * })()
 * if (orm._tag === 'Right') console.log(await pipe(query(Book), count, runPromise(orm.right.db())))
 * //> 0
 * await closeConnections()
 * ```
 */
export const init =
  (given: Config): TE.TaskEither<TerrapinError, Terrapin> =>
  async () => {
    const dbs = new Map<string, Db>()
    try {
      const config = fullConfig(given)
      for (const [name, app] of Object.entries(config.apps)) {
        const conn = app.defaultConnection ?? app.default_connection ?? 'default'
        if (!(conn in config.connections))
          throw new TerrapinFailure(
            configurationError(`app ${name} uses the connection ${conn}, which is not configured`),
          )
      }
      for (const [name, c] of Object.entries(config.connections))
        dbs.set(name, connect(connectionUrl(c), config.options))
      const self: Terrapin = {
        db: (name = 'default') => {
          const db = dbs.get(name)
          if (!db) throw new TerrapinFailure(configurationError(`no connection named ${name}`))
          return db
        },
        dbFor: (app) =>
          self.db(config.apps[app]?.defaultConnection ?? config.apps[app]?.default_connection ?? 'default'),
        models: (app) => modelsOf(config.apps[app] ?? { models: [] }),
        close: async () => {
          await Promise.all([...dbs.values()].map((d) => d.executor.close()))
          if (current === self) current = undefined
        },
      }
      if (config.generateSchemas ?? config.generate_schemas)
        for (const app of Object.keys(config.apps)) {
          const r = await generateSchemas(self.dbFor(app), self.models(app), { safe: true })()
          if (E.isLeft(r)) throw new TerrapinFailure(r.left)
        }
      current = self
      return E.right(self)
    } catch (e) {
      await Promise.all([...dbs.values()].map((d) => d.executor.close().catch(() => undefined)))
      if (e instanceof TerrapinFailure) return E.left(e.error)
      if (isTerrapinError(e)) return E.left(e)
      return E.left(configurationError(e instanceof Error ? e.message : String(e)))
    }
  }

/** Closes every connection opened by `init` or `connect`. */
export const closeConnections = async (): Promise<void> => {
  current = undefined
  await closeAll()
}

/**
 * Runs a program and always closes the connections afterwards, as tortoise's `run_async`.
 * Accepts an async function or a TaskEither; resolves with its result (a Left is returned as is).
 */
export const runAsync = async <A>(main: () => Promise<A>): Promise<A> => {
  try {
    return await main()
  } finally {
    await closeConnections()
  }
}
