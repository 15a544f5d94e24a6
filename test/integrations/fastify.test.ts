/**
 * The Fastify plugin (`terrapin/fastify`) on every dialect: it connects when registered
 * (creating tables or migrating), decorates `app.db`, answers typed errors with HTTP statuses,
 * serializes bigints, runs a transactional handler's work in one transaction that commits only on
 * 2xx, and closes its connections with the app. Requests go through `app.inject`.
 */
import { execFileSync } from 'child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join, resolve } from 'path'
import Fastify, { FastifyInstance } from 'fastify'
import { pipe } from 'fp-ts/function'
import {
  ConnectOptions,
  count,
  create,
  fields,
  fromJson,
  get,
  initDb,
  jsonSchema,
  model,
  query,
  queryError,
  runPromise,
  schema,
  sql,
  TerrapinFailure,
  where,
} from 'terrapin'
import terrapin, { httpAnswer, transactional } from 'terrapin/fastify'
import { DIALECTS, createIsolated, IsolatedDatabase } from '../support/databases'

const { Writer, Essay } = schema({
  Writer: model('Writer', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 20, unique: true }),
    },
  }),
  Essay: model('Essay', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 40 }),
      words: fields.bigint({ default: 0n }),
      writer: fields.foreignKey('Writer', { relatedName: 'essays' }),
    },
  }),
})

const models = [Writer, Essay]

type Body = Record<string, unknown>

const json = (r: { body: string }): Body => JSON.parse(r.body) as Body

/** An app with the plugin and the routes the suite asks. */
const makeApp = async (url: string, extra: Record<string, unknown> = {}): Promise<FastifyInstance> => {
  const app = Fastify({ logger: false })
  await app.register(terrapin, { config: { url, models }, generateSchemas: true, ...extra })
  app.post('/writers', async (req, reply) => {
    const w = await runPromise(app.db)(create(Writer, fromJson(Writer, req.body)))
    return reply.code(201).send(w)
  })
  app.get<{ Params: { id: string } }>('/writers/:id', async (req) =>
    runPromise(app.db)(pipe(query(Writer), where({ id: Number(req.params.id) }), get)),
  )
  app.post('/essays', { schema: { body: jsonSchema(Essay, { mode: 'create' }) } }, async (req) =>
    runPromise(app.db)(create(Essay, fromJson(Essay, req.body))),
  )
  app.get<{ Params: { id: string } }>(
    '/essays/:id',
    { schema: { response: { 200: jsonSchema(Essay, { mode: 'read' }) } } },
    // written by the schema (fast-json-stringify): what it does not name is left out
    async (req) => ({
      ...(await runPromise(app.db)(pipe(query(Essay), where({ id: Number(req.params.id) }), get))),
      secret: 'not in the schema',
    }),
  )
  app.get<{ Params: { id: string } }>('/essays/:id/plain', async (req) =>
    runPromise(app.db)(pipe(query(Essay), where({ id: Number(req.params.id) }), get)),
  )
  app.post('/null-title', async () => {
    // a NULL past terrapin's own checks, for the database to refuse
    await runPromise(app.db)(sql`INSERT INTO essay (title, words, writer_id) VALUES (${null}, 0, 1)`)
    return {}
  })
  app.get('/crash', () => {
    throw new Error('secret internals: password=hunter2')
  })
  app.get('/busy', () => {
    throw new TerrapinFailure(queryError('deadlock detected', { code: '40P01', retryable: true }))
  })
  app.post<{ Body: { names: string[]; status?: number; fail?: boolean } }>(
    '/writers/batch',
    transactional<{ Body: { names: string[]; status?: number; fail?: boolean } }>(async (req, reply) => {
      for (const name of req.body.names) await runPromise(app.db)(create(Writer, { name }))
      if (req.body.fail) throw new Error('handler failed after its writes')
      void reply.code(req.body.status ?? 201)
      return { created: req.body.names.length }
    }),
  )
  app.post<{ Body: { names: string[] } }>(
    '/writers/batch-tx',
    transactional<{ Body: { names: string[] } }>(async (req, _reply, tx) => {
      for (const name of req.body.names) await runPromise(tx)(create(Writer, { name }))
      return { created: req.body.names.length }
    }),
  )
  await app.ready()
  return app
}

const writers = async (app: FastifyInstance): Promise<number> => runPromise(app.db)(pipe(query(Writer), count))

describe.each(DIALECTS)('terrapin/fastify [%s]', (dialect) => {
  let iso: IsolatedDatabase
  let app: FastifyInstance
  beforeAll(async () => {
    iso = await createIsolated(dialect, 'fastify')
    app = await makeApp(iso.url)
  })
  afterAll(async () => {
    await app?.close()
    await iso?.drop()
  })

  it('connects when registered, creates the tables and decorates app.db', async () => {
    const r = await app.inject({ method: 'POST', url: '/writers', payload: { name: 'Ann' } })
    expect(r.statusCode).toBe(201)
    expect(json(r)).toEqual({ id: expect.any(Number) as number, name: 'Ann' })
    expect(await writers(app)).toBeGreaterThanOrEqual(1)
  })

  it('answers a ValidationError with 400 and each field problem', async () => {
    const r = await app.inject({ method: 'POST', url: '/writers', payload: { name: 'x'.repeat(21), age: 3 } })
    expect(r.statusCode).toBe(400)
    const body = json(r)
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'ValidationError' })
    expect(body.issues).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'is 21 characters long, more than maxLength 20' },
        { field: 'age', message: "unknown field 'age' on Writer" },
      ]),
    )
  })

  it('answers a body refused by the JSON Schema with 400 and each field', async () => {
    const r = await app.inject({ method: 'POST', url: '/essays', payload: { title: 5, words: 'many' } })
    expect(r.statusCode).toBe(400)
    const body = json(r)
    expect(body).toMatchObject({ code: 'ValidationError', in: 'body' })
    expect((body.issues as Body[]).length).toBeGreaterThan(0)
  })

  it('answers DoesNotExist with 404', async () => {
    const r = await app.inject({ method: 'GET', url: '/writers/999999' })
    expect(r.statusCode).toBe(404)
    expect(json(r)).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'DoesNotExist',
      message: 'Writer matching query does not exist',
    })
  })

  it('answers IntegrityErrors with 409 and the constraint kind: unique, foreign key, not null', async () => {
    await app.inject({ method: 'POST', url: '/writers', payload: { name: 'Dup' } })
    const dup = await app.inject({ method: 'POST', url: '/writers', payload: { name: 'Dup' } })
    expect(dup.statusCode).toBe(409)
    expect(json(dup)).toMatchObject({ code: 'IntegrityError', kind: 'unique', error: 'Conflict' })
    const fk = await app.inject({ method: 'POST', url: '/essays', payload: { title: 'T', writerId: 999999 } })
    expect(fk.statusCode).toBe(409)
    expect(json(fk)).toMatchObject({ code: 'IntegrityError', kind: 'foreignKey' })
    const nn = await app.inject({ method: 'POST', url: '/null-title' })
    expect(nn.statusCode).toBe(409)
    expect(json(nn)).toMatchObject({ code: 'IntegrityError', kind: 'notNull' })
  })

  it('serializes bigint fields, with a response schema and without one', async () => {
    const w = json(await app.inject({ method: 'POST', url: '/writers', payload: { name: 'Big' } }))
    const big = '9223372036854775807'
    const made = await app.inject({
      method: 'POST',
      url: '/essays',
      payload: { title: 'Long', words: big, writerId: w.id },
    })
    expect(made.statusCode).toBe(200)
    expect(json(made)).toMatchObject({ title: 'Long', words: big })
    const id = json(made).id as number
    const viaSchema = await app.inject({ method: 'GET', url: `/essays/${id}` })
    expect(viaSchema.statusCode).toBe(200)
    expect(json(viaSchema)).toEqual({ id, title: 'Long', words: big, writerId: w.id })
    const plain = await app.inject({ method: 'GET', url: `/essays/${id}/plain` })
    expect(plain.statusCode).toBe(200)
    expect(json(plain)).toEqual({ id, title: 'Long', words: big, writerId: w.id })
  })

  it('answers anything else with 500 and no internals; retryable errors with 503 and Retry-After', async () => {
    const crash = await app.inject({ method: 'GET', url: '/crash' })
    expect(crash.statusCode).toBe(500)
    expect(crash.body).not.toContain('secret')
    expect(json(crash)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' })
    const busy = await app.inject({ method: 'GET', url: '/busy' })
    expect(busy.statusCode).toBe(503)
    expect(busy.headers['retry-after']).toBe('1')
    expect(busy.body).not.toContain('deadlock')
    const unknown = await app.inject({ method: 'GET', url: '/nowhere' })
    expect(unknown.statusCode).toBe(404)
  })

  it('commits a transactional handler that answers 2xx', async () => {
    const before = await writers(app)
    const r = await app.inject({ method: 'POST', url: '/writers/batch', payload: { names: ['c1', 'c2'] } })
    expect(r.statusCode).toBe(201)
    expect(await writers(app)).toBe(before + 2)
    const viaTx = await app.inject({ method: 'POST', url: '/writers/batch-tx', payload: { names: ['t1'] } })
    expect(viaTx.statusCode).toBe(200)
    expect(await writers(app)).toBe(before + 3)
  })

  it('rolls back a transactional handler that answers otherwise, throws, or whose statement failed', async () => {
    const before = await writers(app)
    const refused = await app.inject({ method: 'POST', url: '/writers/batch', payload: { names: ['r1'], status: 422 } })
    expect(refused.statusCode).toBe(422)
    expect(json(refused)).toEqual({ created: 1 })
    const threw = await app.inject({ method: 'POST', url: '/writers/batch', payload: { names: ['r2'], fail: true } })
    expect(threw.statusCode).toBe(500)
    // the second insert collides: the first, already made, is rolled back with it
    const dup = await app.inject({ method: 'POST', url: '/writers/batch', payload: { names: ['r3', 'r3'] } })
    expect(dup.statusCode).toBe(409)
    expect(await writers(app)).toBe(before)
  })

  it('lets the app override the answers', async () => {
    const custom = await makeApp(iso.url, {
      answer: (e: { _tag: string }) =>
        e._tag === 'IntegrityError' ? { statusCode: 422, body: { problem: 'taken' } } : undefined,
    })
    try {
      await custom.inject({ method: 'POST', url: '/writers', payload: { name: 'Twice' } })
      const r = await custom.inject({ method: 'POST', url: '/writers', payload: { name: 'Twice' } })
      expect(r.statusCode).toBe(422)
      expect(json(r)).toEqual({ problem: 'taken' })
      expect((await custom.inject({ method: 'GET', url: '/writers/999999' })).statusCode).toBe(404)
    } finally {
      await custom.close()
    }
  })

  it('closes its connections when the app closes', async () => {
    const other = await makeApp(iso.url)
    const db = other.db
    await other.close()
    await expect(runPromise(db)(pipe(query(Writer), count))).rejects.toMatchObject({ _tag: 'ConnectionError' })
  })

  it('applies the pending migrations at start with migrate: true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'terrapin-fastify-'))
    const scratch = await createIsolated(dialect, 'fastify_mig')
    try {
      // the migration files, written by init-db against another database of the same dialect
      const { connect, close } = await import('terrapin')
      const first = connect(scratch.url)
      const made = await initDb({ db: first, app: 'models', models, location: dir })()
      await close(first)
      expect(made._tag).toBe('Right')
      const fresh = await createIsolated(dialect, 'fastify_mig2')
      try {
        const migrated = Fastify()
        await migrated.register(terrapin, { config: { url: fresh.url, models }, migrate: { location: dir } })
        migrated.get('/n', async () => runPromise(migrated.db)(pipe(query(Writer), count)))
        const r = await migrated.inject({ method: 'GET', url: '/n' })
        expect(r.body).toBe('0')
        await migrated.close()
      } finally {
        await fresh.drop()
      }
    } finally {
      await scratch.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('terrapin/fastify without a database', () => {
  it('answers a ConnectionError with 503 and Retry-After', async () => {
    const options: ConnectOptions = { connectTimeoutMs: 2000 }
    const app = Fastify()
    await app.register(terrapin, {
      config: { url: 'postgres://nobody@127.0.0.1:1/none', models, options },
      retryAfter: 5,
    })
    app.get('/n', async () => runPromise(app.db)(pipe(query(Writer), count)))
    const r = await app.inject({ method: 'GET', url: '/n' })
    expect(r.statusCode).toBe(503)
    expect(r.headers['retry-after']).toBe('5')
    expect(JSON.parse(r.body)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'ConnectionError',
      message: 'the database is unavailable; try again',
    })
    await app.close()
  })

  it('fails to start, and opens nothing, when the config is wrong', async () => {
    const app = Fastify()
    await expect(app.register(terrapin, { config: { url: 'nosuch://x', models } })).rejects.toMatchObject({
      _tag: 'ConfigurationError',
    })
  })

  it('maps every error kind as register_tortoise does', () => {
    expect(httpAnswer({ _tag: 'MultipleObjectsReturned', model: 'W', message: 'm' }).statusCode).toBe(500)
    expect(httpAnswer({ _tag: 'TransactionError', message: 'x', retryable: true }).statusCode).toBe(503)
    expect(httpAnswer({ _tag: 'TransactionError', message: 'x', retryable: false }).statusCode).toBe(500)
    expect(httpAnswer({ _tag: 'DecodeError', model: 'W', field: 'f', message: 'x' }).body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    })
  })

  it('importing terrapin never loads fastify; importing terrapin/fastify does', () => {
    const loaded = (entry: string): string[] => {
      const dir = mkdtempSync(join(tmpdir(), 'terrapin-lazy-fastify-'))
      try {
        const file = join(dir, 'probe.ts')
        writeFileSync(
          file,
          `require(${JSON.stringify(resolve(__dirname, entry))})\n` +
            `const names = Object.keys(require.cache).map((k) => /node_modules[\\\\/](fastify|fastify-plugin)[\\\\/]/.exec(k)?.[1]).filter(Boolean)\n` +
            `console.log(JSON.stringify([...new Set(names)].sort()))\n`,
        )
        const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), file], { encoding: 'utf8' })
        return JSON.parse(out.trim().split('\n').pop()!) as string[]
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    expect(loaded('../../src/index.ts')).toEqual([])
    expect(loaded('../../src/integrations/fastify.ts')).toEqual(['fastify-plugin'])
  })
})
