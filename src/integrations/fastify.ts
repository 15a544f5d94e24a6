/**
 * `terrapin/fastify`, tortoise's `register_tortoise` for Fastify: a plugin that opens the
 * connections when it is registered (creating the tables or applying the pending migrations if
 * asked), decorates `app.db`, answers terrapin's typed errors with HTTP statuses, lets replies
 * carry `bigint`s, and closes the connections when the app closes; and `transactional`, a
 * handler whose work commits when it answers 2xx and rolls back otherwise.
 *
 * Imported from its own entry point, so that `terrapin` itself never loads Fastify.
 */
import { STATUS_CODES } from 'http'
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteGenericInterface,
  RouteOptions,
} from 'fastify'
import fp from 'fastify-plugin'
import * as E from 'fp-ts/Either'
import { TerrapinError, TerrapinFailure, isRetryable, isTerrapinError } from '../errors'
import { AnyModel } from '../model/model'
import { upgrade } from '../migrate'
import { ConnectOptions } from '../run/connect'
import { Db } from '../run/statement'
import { TransactionOptions, inTransaction } from '../run/transaction'
import { Config, Terrapin, init } from './tortoise'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** One database and its models: `{ url: 'sqlite://db.sqlite3', models: [Author, Book] }`. */
export interface UrlModels {
  readonly url: string
  readonly models: ReadonlyArray<AnyModel>
  readonly options?: ConnectOptions
}

/** An HTTP answer to an error: status, JSON body, headers. */
export interface HttpAnswer {
  readonly statusCode: number
  readonly body: Readonly<Record<string, unknown>>
  readonly headers?: Readonly<Record<string, string>>
}

export interface TerrapinPluginOptions {
  /** What `init()` takes, or `{ url, models }` for one database. */
  readonly config: Config | UrlModels
  /** Create the tables that do not exist yet (`generateSchemas(db, models, { safe: true })`) at start. */
  readonly generateSchemas?: boolean
  /** Apply every app's pending migrations at start (`upgrade`); the folder defaults to `./migrations`. */
  readonly migrate?: boolean | { readonly location?: string }
  /** Answer errors as {@link httpAnswer} does (default `true`); `false` leaves the app's own error handler. */
  readonly errorHandler?: boolean
  /** Tried first for every terrapin error; `undefined` falls back to {@link httpAnswer}. */
  readonly answer?: (error: TerrapinError, request: FastifyRequest) => HttpAnswer | undefined
  /** Seconds in `Retry-After` of a 503 (default 1). */
  readonly retryAfter?: number
  /**
   * Serialize `bigint`s as strings in the replies of routes registered after the plugin that have
   * no response schema (default `true`; with one, fast-json-stringify writes them by the schema).
   */
  readonly bigintJson?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The default connection terrapin opened (`app.terrapin.db(name)` for another). */
    db: Db
    /** What `init()` gave: every connection and app. */
    terrapin: Terrapin
  }
}

// ------------------------------------------------------------------------------------------
// errors as HTTP answers
// ------------------------------------------------------------------------------------------

const INTEGRITY_MESSAGES: Readonly<Record<string, string>> = {
  unique: 'a unique constraint was violated',
  foreignKey: 'a foreign key constraint was violated',
  notNull: 'a value may not be null',
  check: 'a check constraint was violated',
}

const answer = (statusCode: number, extra: Record<string, unknown>, headers?: Record<string, string>): HttpAnswer => ({
  statusCode,
  body: { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', ...extra },
  ...(headers ? { headers } : {}),
})

/** The terrapin error an exception carries (`runPromise` rejects with a `TerrapinFailure`), if any. */
export const terrapinErrorOf = (e: unknown): TerrapinError | undefined =>
  e instanceof TerrapinFailure ? e.error : isTerrapinError(e) ? e : undefined

/**
 * register_tortoise's exception handlers: `ValidationError` 400 with each field's problem
 * (`issues`), `DoesNotExist` 404, `IntegrityError` 409 with its `kind` (`unique`, `foreignKey`,
 * `notNull`, `check`) and the constraint or column where the database names it,
 * `ConnectionError` and every retryable error 503 with `Retry-After`, anything else 500 without
 * its message (logged instead).
 */
export const httpAnswer = (e: TerrapinError, retryAfter = 1): HttpAnswer => {
  const code = e._tag
  if (e._tag === 'ValidationError') return answer(400, { code, message: e.message, issues: e.issues })
  if (e._tag === 'DoesNotExist') return answer(404, { code, message: e.message })
  if (e._tag === 'IntegrityError')
    return answer(409, {
      code,
      kind: e.kind,
      message: INTEGRITY_MESSAGES[e.kind],
      ...(e.constraint !== undefined ? { constraint: e.constraint } : {}),
      ...(e.column !== undefined ? { column: e.column } : {}),
    })
  if (e._tag === 'ConnectionError' || isRetryable(e))
    return answer(
      503,
      { code, message: 'the database is unavailable; try again' },
      { 'retry-after': String(retryAfter) },
    )
  return answer(500, { message: 'Internal Server Error' })
}

/** Where an ajv error points: `title`, `author.name`, `[2]` (the missing or extra property included). */
const fieldOf = (v: { instancePath?: string; params?: Record<string, unknown> }): string => {
  const path = (v.instancePath ?? '')
    .split('/')
    .filter((s) => s !== '')
    .join('.')
  const extra = v.params?.missingProperty ?? v.params?.additionalProperty
  return typeof extra === 'string' ? (path ? `${path}.${extra}` : extra) : path
}

/** Fastify's schema validation error as a `ValidationError` answer: one issue per problem. */
const validationAnswer = (e: FastifyError): HttpAnswer => {
  const issues = (e.validation ?? []).map((v) => ({
    field: fieldOf(v),
    message: v.params?.additionalProperty !== undefined ? 'is not a known field' : (v.message ?? 'is invalid'),
  }))
  return answer(400, { code: 'ValidationError', in: e.validationContext, message: e.message, issues })
}

const send = (reply: FastifyReply, a: HttpAnswer): FastifyReply => {
  if (a.headers) void reply.headers(a.headers)
  return reply.code(a.statusCode).send(a.body)
}

/** The error handler the plugin installs: typed errors mapped, Fastify's 4xx kept, the rest 500. */
const errorHandler =
  (options: TerrapinPluginOptions) =>
  (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const te = terrapinErrorOf(error)
    if (te) {
      const a = options.answer?.(te, request) ?? httpAnswer(te, options.retryAfter)
      if (a.statusCode >= 500) request.log.error({ err: error }, te.message)
      return send(reply, a)
    }
    const fe = error as Partial<FastifyError> | undefined
    if (fe?.validation) return send(reply, validationAnswer(fe as FastifyError))
    const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500
    if (status >= 400 && status < 500)
      return send(reply, answer(status, { ...(fe?.code ? { code: fe.code } : {}), message: fe?.message ?? '' }))
    request.log.error({ err: error }, 'unhandled error')
    return send(reply, answer(500, { message: 'Internal Server Error' }))
  }

// ------------------------------------------------------------------------------------------
// the plugin
// ------------------------------------------------------------------------------------------

const fullConfigOf = (c: Config | UrlModels): Config =>
  'url' in c && 'models' in c
    ? { connections: { default: c.url }, apps: { models: { models: c.models } }, options: c.options }
    : c

/** JSON.stringify, with bigints as strings; the replacer only when a bigint made the plain call throw. */
const stringify = (payload: unknown): string => {
  try {
    return JSON.stringify(payload)
  } catch (e) {
    if (!(e instanceof TypeError)) throw e
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  }
}

/** Tells a reply to use {@link stringify} (Fastify's serializer would throw on a bigint). */
const bigintReply = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
  void reply.serializer(stringify)
  return payload
}

/**
 * Gives a route without a response schema the serializer that writes bigints. (A route with one
 * keeps fast-json-stringify, which writes them by the schema; `setReplySerializer` would replace
 * it on every route.)
 */
const withBigints = (route: RouteOptions): void => {
  if (route.schema?.response !== undefined) return
  const own = route.preSerialization
  route.preSerialization = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), bigintReply]
}

/** Applies the pending migrations of every app of the config. */
const migrateAll = async (orm: Terrapin, config: Config, location: string): Promise<void> => {
  const apps = 'apps' in config ? Object.keys(config.apps) : Object.keys(config.modules)
  for (const app of apps) {
    const done = await upgrade({ db: orm.dbFor(app), app, models: orm.models(app), location })()
    if (E.isLeft(done)) throw new Error(`terrapin: migrating app ${app}: ${done.left.message}`)
  }
}

const plugin: FastifyPluginAsync<TerrapinPluginOptions> = async (app: FastifyInstance, options) => {
  const config = fullConfigOf(options.config)
  const given = options.generateSchemas === undefined ? config : { ...config, generateSchemas: options.generateSchemas }
  const opened = await init(given)()
  if (E.isLeft(opened)) throw new TerrapinFailure(opened.left)
  const orm = opened.right
  try {
    if (options.migrate) {
      const location = typeof options.migrate === 'object' ? options.migrate.location : undefined
      await migrateAll(orm, config, location ?? 'migrations')
    }
  } catch (e) {
    await orm.close()
    throw e
  }
  app.decorate('terrapin', orm)
  app.decorate('db', orm.db())
  app.addHook('onClose', async () => orm.close())
  if (options.errorHandler !== false) app.setErrorHandler(errorHandler(options))
  if (options.bigintJson !== false) app.addHook('onRoute', withBigints)
}

/**
 * The plugin: `app.register(terrapin, { config })`, with `config` what `init()` takes or
 * `{ url, models }`. Registered, it has opened the connections (and created the tables with
 * `generateSchemas: true`, or applied the pending migrations with `migrate: true`); `app.db` is
 * the default connection, closed with the app.
 *
 * @example
 * const app = Fastify()
 * await app.register(terrapin, { config: { url: 'sqlite://db.sqlite3', models: [Author, Book] }, generateSchemas: true })
 * app.get('/books/:id', async (req) => runPromise(app.db)(pipe(query(Book), where({ id: Number(req.params.id) }), get)))
 * // GET /books/99 → 404 { statusCode: 404, error: 'Not Found', code: 'DoesNotExist', message: 'Book matching query does not exist' }
 */
export const terrapin = fp(plugin, { name: 'terrapin', fastify: '5.x' })

export default terrapin

// ------------------------------------------------------------------------------------------
// a transaction per request
// ------------------------------------------------------------------------------------------

/** What ended a transactional handler's work without committing it: an answer that is not 2xx. */
class NotCommitted extends Error {
  constructor(readonly payload: unknown) {
    super('not committed: the handler answered with a status other than 2xx')
  }
}

/**
 * A route handler whose work runs in one transaction of `app.db`: it commits when the handler
 * returns with a 2xx status and rolls back when it sets another status or throws (the error
 * then goes to the error handler). Plans run on `app.db` join the transaction (it is also the
 * third argument). Return the payload rather than calling `reply.send`: it is sent after COMMIT,
 * so a client never sees a 2xx for work that did not commit (a failed COMMIT answers as an error).
 *
 * @example
 * app.post('/authors', transactional(async (req, reply) => {
 *   const author = await runPromise(app.db)(create(Author, fromJson(Author, req.body)))
 *   void reply.code(201)
 *   return author            // BEGIN … INSERT … COMMIT, then 201
 * }))
 */
export const transactional =
  <RG extends RouteGenericInterface = RouteGenericInterface>(
    handler: (request: FastifyRequest<RG>, reply: FastifyReply<RG>, tx: Db) => Promise<unknown>,
    options?: TransactionOptions,
  ) =>
  async (request: FastifyRequest<RG>, reply: FastifyReply<RG>): Promise<unknown> => {
    try {
      const out = await inTransaction(
        request.server.db,
        async (tx) => {
          const payload = await handler(request, reply, tx)
          if (reply.statusCode < 200 || reply.statusCode > 299) throw new NotCommitted(payload)
          return payload
        },
        options,
      )
      // a handler that sent its answer itself: Fastify is told so by the reply
      return reply.sent ? reply : out
    } catch (e) {
      if (e instanceof NotCommitted) return reply.sent ? reply : e.payload
      throw e
    }
  }
