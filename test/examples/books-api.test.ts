/**
 * The example API (examples/books-api) on every dialect, through `app.inject`: CRUD for authors
 * and books, list filters from the query string (unknown keys a 400), paging, ordering,
 * relations, errors as HTTP statuses, bigints as strings, and the OpenAPI document at /docs.
 */
import { FastifyInstance } from 'fastify'
import { buildApp } from '../../examples/books-api/app'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

type Json = Record<string, unknown>
const body = (r: { body: string }): Json => JSON.parse(r.body) as Json

describe.each(DIALECTS)('books-api example [%s]', (dialect) => {
  let iso: IsolatedDatabase
  let app: FastifyInstance
  const ids: Record<string, number> = {}

  beforeAll(async () => {
    iso = await createIsolated(dialect, 'books_api')
    app = await buildApp({ url: iso.url })
    for (const name of ['Frank Herbert', 'Ursula K. Le Guin']) {
      const r = await app.inject({ method: 'POST', url: '/authors', payload: { name } })
      expect(r.statusCode).toBe(201)
      ids[name] = body(r).id as number
    }
    const books = [
      {
        title: 'Dune',
        rating: 4.5,
        published: '1965-08-01',
        authorId: ids['Frank Herbert'],
        copiesSold: '20000000000',
      },
      { title: 'Dune Messiah', rating: 3.9, authorId: ids['Frank Herbert'] },
      { title: 'The Dispossessed', rating: 4.6, published: '1974-05-01', authorId: ids['Ursula K. Le Guin'] },
      { title: 'The Lathe of Heaven', authorId: ids['Ursula K. Le Guin'] },
    ]
    for (const b of books)
      expect((await app.inject({ method: 'POST', url: '/books', payload: b })).statusCode).toBe(201)
  })
  afterAll(async () => {
    await app?.close()
    await iso?.drop()
  })

  it('creates and reads a book, its bigint as a string', async () => {
    const made = await app.inject({
      method: 'POST',
      url: '/books',
      payload: { title: 'Big', authorId: ids['Frank Herbert'], copiesSold: '9223372036854775807' },
    })
    expect(made.statusCode).toBe(201)
    const id = body(made).id as number
    const got = await app.inject({ method: 'GET', url: `/books/${id}` })
    expect(body(got)).toMatchObject({ id, title: 'Big', rating: null, copiesSold: '9223372036854775807' })
    expect(typeof body(got).addedAt).toBe('string')
    expect((await app.inject({ method: 'DELETE', url: `/books/${id}` })).statusCode).toBe(204)
    expect((await app.inject({ method: 'DELETE', url: `/books/${id}` })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: `/books/${id}` })).statusCode).toBe(404)
  })

  it('lists with filters from the query string, paging and ordering, each book with its author', async () => {
    const r = await app.inject({ method: 'GET', url: '/books?title__contains=Dune&ordering=-rating&limit=1' })
    expect(r.statusCode).toBe(200)
    const page = body(r)
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 0 })
    expect(page.items).toEqual([
      expect.objectContaining({
        title: 'Dune',
        author: { id: ids['Frank Herbert'], name: 'Frank Herbert', bio: null },
      }),
    ])
    const next = body(
      await app.inject({ method: 'GET', url: '/books?title__contains=Dune&ordering=-rating&limit=1&offset=1' }),
    )
    expect((next.items as Json[]).map((b) => b.title)).toEqual(['Dune Messiah'])
    const across = body(
      await app.inject({ method: 'GET', url: '/books?author__name=Ursula%20K.%20Le%20Guin&rating__isnull=true' }),
    )
    expect((across.items as Json[]).map((b) => b.title)).toEqual(['The Lathe of Heaven'])
    const year = body(await app.inject({ method: 'GET', url: '/books?published__year=1974&rating__gte=4' }))
    expect((year.items as Json[]).map((b) => b.title)).toEqual(['The Dispossessed'])
    const byName = body(await app.inject({ method: 'GET', url: '/authors?name__icontains=le%20guin' }))
    expect((byName.items as Json[]).map((a) => a.name)).toEqual(['Ursula K. Le Guin'])
  })

  it('answers an unknown query key, a mistyped value or an unknown ordering with 400', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/books?titel=Dune' })
    expect(unknown.statusCode).toBe(400)
    expect(body(unknown)).toMatchObject({
      code: 'ValidationError',
      in: 'querystring',
      issues: [{ field: 'titel', message: 'is not a known field' }],
    })
    expect((await app.inject({ method: 'GET', url: '/books?rating__gte=high' })).statusCode).toBe(400)
    expect((await app.inject({ method: 'GET', url: '/books?ordering=-secret' })).statusCode).toBe(400)
    expect((await app.inject({ method: 'GET', url: '/books?limit=1000' })).statusCode).toBe(400)
    const body400 = await app.inject({ method: 'POST', url: '/books', payload: { title: 'X', authorId: 1, isbn: 'x' } })
    expect(body(body400)).toMatchObject({ code: 'ValidationError', in: 'body', issues: [{ field: 'isbn' }] })
  })

  it('reads an author with its books, updates and refuses as the errors say', async () => {
    const id = ids['Ursula K. Le Guin']
    const a = body(await app.inject({ method: 'GET', url: `/authors/${id}` }))
    expect((a.books as Json[]).map((b) => b.title).sort()).toEqual(['The Dispossessed', 'The Lathe of Heaven'])
    const patched = await app.inject({ method: 'PATCH', url: `/authors/${id}`, payload: { bio: 'Earthsea' } })
    expect(body(patched)).toMatchObject({ id, bio: 'Earthsea' })
    expect((await app.inject({ method: 'PATCH', url: '/authors/999999', payload: { bio: 'x' } })).statusCode).toBe(404)
    const dup = await app.inject({ method: 'POST', url: '/authors', payload: { name: 'Frank Herbert' } })
    expect(dup.statusCode).toBe(409)
    expect(body(dup)).toMatchObject({ kind: 'unique' })
    const orphan = await app.inject({ method: 'POST', url: '/books', payload: { title: 'Orphan', authorId: 999999 } })
    expect(orphan.statusCode).toBe(409)
    expect(body(orphan)).toMatchObject({ kind: 'foreignKey' })
  })

  it('serves the OpenAPI document made from the models at /docs', async () => {
    const doc = body(await app.inject({ method: 'GET', url: '/docs/json' }))
    expect(doc.openapi).toMatch(/^3\./)
    const paths = doc.paths as Record<string, Record<string, Json>>
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/books', '/books/{id}', '/authors', '/authors/{id}']))
    const create = paths['/books'].post.requestBody as { content: Record<string, { schema: Json }> }
    expect(create.content['application/json'].schema).toMatchObject({ required: ['title', 'authorId'] })
    const list = paths['/books'].get.parameters as Json[]
    expect(list.map((p) => p.name)).toEqual(
      expect.arrayContaining(['title__contains', 'rating__gte', 'limit', 'ordering']),
    )
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400)
  })
})
