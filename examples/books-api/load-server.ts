/**
 * One server of the load test (`load.ts` starts it): `terrapin` is the example app; `raw` the
 * same two routes, `GET /books/:id` and `POST /books` (in a transaction, as the example's), with
 * the raw driver and hand-written SQL, behind the same Fastify, JSON Schemas and serializer.
 * Both start from the same tables and rows, made with terrapin before the server listens.
 *
 *   tsx examples/books-api/load-server.ts terrapin|raw <url> <books>
 */
import Database from 'better-sqlite3'
import Fastify, { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { bulkCreate, close, connect, create, generateSchemas, jsonSchema, runPromise } from 'terrapin'
import { buildApp } from './app'
import { Author, Book, models } from './models'

const [kind, url, books] = process.argv.slice(2)

const seed = async (): Promise<void> => {
  const db = connect(url)
  await generateSchemas(db, models, { safe: true })()
  const author = await runPromise(db)(create(Author, { name: 'Frank Herbert' }))
  const rows = Array.from({ length: Number(books) }, (_, i) => ({ title: `Book ${i}`, rating: 4, authorId: author.id }))
  await runPromise(db)(bulkCreate(Book, rows))
  await close(db)
}

const COLUMNS = 'id, title, rating, published, "copiesSold", "addedAt", author_id AS "authorId"'

interface NewBook {
  readonly title: string
  readonly rating?: number | null
  readonly published?: string | null
  readonly copiesSold?: string
  readonly authorId: number
}

/** The raw routes over `read(id)` and `write(body)`, with the example's schemas. */
const rawApp = (read: (id: number) => unknown, write: (b: NewBook) => unknown): FastifyInstance => {
  const app = Fastify()
  const row = jsonSchema(Book, { mode: 'read' })
  const params = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }
  app.get<{ Params: { id: number } }>(
    '/books/:id',
    { schema: { params, response: { 200: row } } },
    async (req, reply) => {
      const found = await read(req.params.id)
      return found ?? reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such book' })
    },
  )
  app.post<{ Body: NewBook }>(
    '/books',
    { schema: { body: jsonSchema(Book, { mode: 'create' }), response: { 201: row } } },
    async (req, reply) => reply.code(201).send(await write(req.body)),
  )
  return app
}

const rawSqlite = (file: string): FastifyInstance => {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  const byId = db.prepare(`SELECT ${COLUMNS} FROM book WHERE id = ?`)
  const insert = db.prepare(
    `INSERT INTO book (title, rating, published, "copiesSold", "addedAt", author_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  )
  const write = db.transaction((b: NewBook) =>
    insert.get(
      b.title,
      b.rating ?? null,
      b.published ?? null,
      b.copiesSold ?? '0',
      new Date().toISOString().replace('T', ' ').replace('Z', ''),
      b.authorId,
    ),
  )
  const app = rawApp((id) => byId.get(id), write)
  app.addHook('onClose', () => db.close())
  return app
}

const rawPostgres = (pgUrl: string): FastifyInstance => {
  const sql = postgres(pgUrl, { max: 10 })
  const app = rawApp(
    async (id) =>
      (
        await sql`SELECT id, title, rating, published::text, "copiesSold", "addedAt", author_id AS "authorId" FROM book WHERE id = ${id}`
      )[0],
    async (b) =>
      sql.begin(
        async (tx) =>
          (
            await tx`INSERT INTO book (title, rating, published, "copiesSold", "addedAt", author_id)
              VALUES (${b.title}, ${b.rating ?? null}, ${b.published ?? null}, ${b.copiesSold ?? '0'}, now(), ${b.authorId})
              RETURNING id, title, rating, published::text, "copiesSold", "addedAt", author_id AS "authorId"`
          )[0],
      ),
  )
  app.addHook('onClose', async () => sql.end())
  return app
}

const main = async (): Promise<void> => {
  await seed()
  const app =
    kind === 'terrapin'
      ? await buildApp({ url })
      : url.startsWith('sqlite://')
        ? rawSqlite(url.slice('sqlite://'.length))
        : rawPostgres(url)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  console.log(`listening on ${typeof address === 'object' && address ? address.port : 0}`)
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
}

void main()
