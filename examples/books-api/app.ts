/**
 * The books API: CRUD for authors and books over terrapin/fastify. Lists take filters from the
 * query string (each a typed lookup; an unknown key is a 400), paging, ordering, and carry their
 * relations; bodies and replies are checked and written by the models' JSON Schemas, which
 * @fastify/swagger turns into the OpenAPI document served at /docs.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { FastifyInstance } from 'fastify'
import { pipe } from 'fp-ts/function'
import {
  JsonSchema,
  OrderKey,
  count,
  create,
  fromJson,
  get,
  jsonSchema,
  limit,
  offset,
  orderBy,
  prefetch,
  query,
  remove,
  runPromise,
  update,
  where,
} from 'terrapin'
import terrapin, { transactional } from 'terrapin/fastify'
import { Author, Book, models } from './models'

export interface AppOptions {
  /** The database: `sqlite://books.sqlite3` (the default), `postgres://…`, `mysql://…`. */
  readonly url?: string
  readonly logger?: boolean
}

/** The query-string schema of a list: each allowed `field__lookup`, typed as the field (a year an integer, isnull a boolean). */
const filterSchema = (
  read: JsonSchema,
  allowed: Readonly<Record<string, ReadonlyArray<string>>>,
): Record<string, unknown> => {
  const properties = read.properties as Record<string, Record<string, unknown>>
  return Object.fromEntries(
    Object.entries(allowed).flatMap(([field, lookups]) =>
      lookups.map((lookup) => {
        const { nullable: _nullable, enum: _enum, ...value } = properties[field]
        const schema = lookup === 'isnull' ? { type: 'boolean' } : lookup === 'year' ? { type: 'integer' } : value
        return [lookup === 'exact' ? field : `${field}__${lookup}`, schema]
      }),
    ),
  )
}

/** Paging and ordering, shared by the lists: `?limit=20&offset=40&ordering=-rating,title`. */
const listSchema = (filters: Record<string, unknown>, orderable: ReadonlyArray<string>) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filters,
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    ordering: { type: 'string', pattern: `^-?(${orderable.join('|')})(,-?(${orderable.join('|')}))*$` },
  },
})

interface Paging {
  readonly limit: number
  readonly offset: number
  readonly ordering?: string
}

const idParams = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }

const page = (items: JsonSchema) => ({
  type: 'object',
  properties: {
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    items: { type: 'array', items },
  },
  required: ['total', 'limit', 'offset', 'items'],
})

/** The lookups a book list takes from its query string (where() checks each key and value type). */
interface BookFilters {
  readonly title__contains?: string
  readonly title__icontains?: string
  readonly rating__gte?: number
  readonly rating__lte?: number
  readonly rating__isnull?: boolean
  readonly authorId?: number
  readonly author__name?: string
  readonly published__year?: number
}
interface AuthorFilters {
  readonly name?: string
  readonly name__icontains?: string
  readonly name__startswith?: string
}

const bookRead = jsonSchema(Book, { mode: 'read' })
const authorRead = jsonSchema(Author, { mode: 'read' })
const bookList = listSchema(
  filterSchema(bookRead, {
    title: ['contains', 'icontains'],
    rating: ['gte', 'lte', 'isnull'],
    authorId: ['exact'],
    published: ['year'],
  }),
  ['id', 'title', 'rating', 'published', 'author__name'],
)
// a lookup across the relation: typed as the author's name
Object.assign(bookList.properties, { author__name: (authorRead.properties as Record<string, unknown>).name })
const authorList = listSchema(filterSchema(authorRead, { name: ['exact', 'icontains', 'startswith'] }), ['id', 'name'])

/**
 * Splits `?ordering=` into orderBy's keys, the primary key last (a page needs a unique order).
 * The query-string schema let through only the names of `orderable` (orderBy checks them again).
 */
const orderingOf = <K extends string>(ordering: string | undefined): ReadonlyArray<K> =>
  [...(ordering ? ordering.split(',') : []), 'id'] as unknown as ReadonlyArray<K>

const bookRoutes = (app: FastifyInstance): void => {
  const db = app.db
  app.get<{ Querystring: BookFilters & Paging }>(
    '/books',
    {
      schema: {
        tags: ['books'],
        querystring: bookList,
        response: { 200: page(jsonSchema(Book, { mode: 'read', relations: ['author'] })) },
      },
    },
    async (req) => {
      const { limit: n, offset: skip, ordering, ...filters } = req.query
      const matching = pipe(query(Book), where(filters))
      const [total, items] = await Promise.all([
        runPromise(db)(pipe(matching, count)),
        runPromise(db)(
          pipe(
            matching,
            orderBy(...orderingOf<OrderKey<typeof Book>>(ordering)),
            offset(skip),
            limit(n),
            prefetch('author'),
          ),
        ),
      ])
      return { total, limit: n, offset: skip, items }
    },
  )
  app.get<{ Params: { id: number } }>(
    '/books/:id',
    { schema: { tags: ['books'], params: idParams, response: { 200: bookRead } } },
    async (req) => runPromise(db)(pipe(query(Book), where({ id: req.params.id }), get)),
  )
  app.post(
    '/books',
    { schema: { tags: ['books'], body: jsonSchema(Book, { mode: 'create' }), response: { 201: bookRead } } },
    transactional(async (req, reply) => {
      const book = await runPromise(db)(create(Book, fromJson(Book, req.body)))
      void reply.code(201)
      return book
    }),
  )
  app.patch<{ Params: { id: number } }>(
    '/books/:id',
    {
      schema: {
        tags: ['books'],
        params: idParams,
        body: jsonSchema(Book, { mode: 'update' }),
        response: { 200: bookRead },
      },
    },
    transactional<{ Params: { id: number } }>(async (req) => {
      const one = pipe(query(Book), where({ id: req.params.id }))
      await runPromise(db)(pipe(one, get))
      await runPromise(db)(pipe(one, update(fromJson(Book, req.body, 'update'))))
      return runPromise(db)(pipe(one, get))
    }),
  )
  app.delete<{ Params: { id: number } }>(
    '/books/:id',
    { schema: { tags: ['books'], params: idParams } },
    async (req, reply) => {
      const n = await runPromise(db)(pipe(query(Book), where({ id: req.params.id }), remove))
      return n === 0
        ? reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such book' })
        : reply.code(204).send()
    },
  )
}

const authorRoutes = (app: FastifyInstance): void => {
  const db = app.db
  const withBooks = jsonSchema(Author, { mode: 'read', relations: ['books'] })
  app.get<{ Querystring: AuthorFilters & Paging }>(
    '/authors',
    { schema: { tags: ['authors'], querystring: authorList, response: { 200: page(authorRead) } } },
    async (req) => {
      const { limit: n, offset: skip, ordering, ...filters } = req.query
      const matching = pipe(query(Author), where(filters))
      const [total, items] = await Promise.all([
        runPromise(db)(pipe(matching, count)),
        runPromise(db)(
          pipe(matching, orderBy(...orderingOf<OrderKey<typeof Author>>(ordering)), offset(skip), limit(n)),
        ),
      ])
      return { total, limit: n, offset: skip, items }
    },
  )
  app.get<{ Params: { id: number } }>(
    '/authors/:id',
    { schema: { tags: ['authors'], params: idParams, response: { 200: withBooks } } },
    async (req) => runPromise(db)(pipe(query(Author), where({ id: req.params.id }), prefetch('books'), get)),
  )
  app.post(
    '/authors',
    { schema: { tags: ['authors'], body: jsonSchema(Author, { mode: 'create' }), response: { 201: authorRead } } },
    transactional(async (req, reply) => {
      const author = await runPromise(db)(create(Author, fromJson(Author, req.body)))
      void reply.code(201)
      return author
    }),
  )
  app.patch<{ Params: { id: number } }>(
    '/authors/:id',
    {
      schema: {
        tags: ['authors'],
        params: idParams,
        body: jsonSchema(Author, { mode: 'update' }),
        response: { 200: authorRead },
      },
    },
    transactional<{ Params: { id: number } }>(async (req) => {
      const one = pipe(query(Author), where({ id: req.params.id }))
      await runPromise(db)(pipe(one, get))
      await runPromise(db)(pipe(one, update(fromJson(Author, req.body, 'update'))))
      return runPromise(db)(pipe(one, get))
    }),
  )
  app.delete<{ Params: { id: number } }>(
    '/authors/:id',
    { schema: { tags: ['authors'], params: idParams } },
    async (req, reply) => {
      // the author's books go with it (the foreign key cascades)
      const n = await runPromise(db)(pipe(query(Author), where({ id: req.params.id }), remove))
      return n === 0
        ? reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such author' })
        : reply.code(204).send()
    },
  )
}

/** The app, ready to listen or to be injected into; its connections close with it. */
export const buildApp = async (options: AppOptions = {}): Promise<FastifyInstance> => {
  // additional properties are refused, not dropped: an unknown query key or body field is a 400
  const app = Fastify({ logger: options.logger ?? false, ajv: { customOptions: { removeAdditional: false } } })
  await app.register(swagger, { openapi: { info: { title: 'Books API', version: '1.0.0' } } })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(terrapin, {
    config: { url: options.url ?? 'sqlite://books.sqlite3', models },
    generateSchemas: true,
  })
  bookRoutes(app)
  authorRoutes(app)
  await app.ready()
  return app
}
