/**
 * jsonSchema's output for each mode (pure: no database), and fromJson. The laws
 * (`laws/json-schema.test.ts`) check the schemas against rows and bodies; these pin their shape.
 */
import { fields, fromJson, jsonSchema, model, schema } from 'terrapin'

const { Author, Book } = schema({
  Author: model('Author', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50, description: 'full name' }) },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      rating: fields.float({ null: true }),
      copies: fields.bigint({ default: 0n }),
      price: fields.decimal({ maxDigits: 8, decimalPlaces: 2 }),
      status: fields.enum(['draft', 'out'] as const, { null: true }),
      addedAt: fields.datetime({ autoNowAdd: true }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})

describe('jsonSchema', () => {
  it('read: every stored field, all required, nullable ones marked, bigint and decimal as strings', () => {
    const s = jsonSchema(Book, { mode: 'read' }) as {
      properties: Record<string, Record<string, unknown>>
      required: string[]
    }
    expect(s.required).toEqual(['id', 'title', 'rating', 'copies', 'price', 'status', 'addedAt', 'authorId'])
    expect(s.properties.title).toEqual({ type: 'string', maxLength: 100 })
    expect(s.properties.rating).toEqual({ type: 'number', nullable: true })
    expect(s.properties.copies).toMatchObject({ type: 'string' })
    expect(s.properties.price).toEqual({ type: 'string', pattern: '^-?0*(0|[1-9]\\d{0,5})(\\.\\d{1,2})?$' })
    expect(s.properties.status).toEqual({ type: 'string', enum: ['draft', 'out', null], nullable: true })
    expect(s.properties.addedAt).toEqual({ type: 'string', format: 'date-time' })
    expect(s.properties.authorId).toMatchObject({ type: 'integer', minimum: -2147483648, maximum: 2147483647 })
  })

  it('create: no generated key nor autoNowAdd; required are the fields without a default; nothing else allowed', () => {
    const s = jsonSchema(Book, { mode: 'create' }) as Record<string, unknown> & { properties: object }
    expect(Object.keys(s.properties)).toEqual(['title', 'rating', 'copies', 'price', 'status', 'authorId'])
    expect(s.required).toEqual(['title', 'price', 'authorId'])
    expect(s.additionalProperties).toBe(false)
  })

  it('update: the writable fields, none required', () => {
    const s = jsonSchema(Book, { mode: 'update', exclude: ['authorId'] }) as Record<string, unknown> & {
      properties: object
    }
    expect(Object.keys(s.properties)).toEqual(['title', 'rating', 'copies', 'price', 'status'])
    expect(s.required).toEqual([])
  })

  it('nests prefetched relations and keeps descriptions; include picks fields', () => {
    const s = jsonSchema(Author, { mode: 'read', relations: ['books'], title: 'AuthorWithBooks' }) as {
      title: string
      properties: Record<string, Record<string, unknown>>
    }
    expect(s.title).toBe('AuthorWithBooks')
    expect(s.properties.name).toEqual({ type: 'string', maxLength: 50, description: 'full name' })
    expect(s.properties.books).toMatchObject({ type: 'array', items: { type: 'object', title: 'Book' } })
    const b = jsonSchema(Book, { mode: 'read', include: ['id', 'title'], relations: ['author'] }) as {
      properties: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(b.properties)).toEqual(['id', 'title', 'author'])
    expect(b.properties.author).toMatchObject({ type: 'object', required: ['id', 'name'] })
  })

  it('refuses unknown names at run time too (a cast or a name from JSON)', () => {
    expect(() => jsonSchema(Book, { mode: 'read', include: ['nope' as 'id'] })).toThrow('Book has no field nope')
    expect(() => jsonSchema(Book, { mode: 'read', relations: ['nope' as 'author'] })).toThrow(
      'Book has no relation nope',
    )
  })
})

describe('fromJson', () => {
  it('turns datetime strings into Dates and bigint digit strings into bigints, and leaves the rest', () => {
    const body = fromJson(Book, {
      title: 'T',
      copies: '9223372036854775807',
      addedAt: '2020-01-01T01:00:00+01:00',
      price: '1.50',
    })
    expect(body).toEqual({
      title: 'T',
      copies: 9223372036854775807n,
      addedAt: new Date('2020-01-01T00:00:00Z'),
      price: '1.50',
    })
    expect(fromJson(Book, { copies: 'many', addedAt: 'soon' })).toEqual({ copies: 'many', addedAt: 'soon' })
    expect(fromJson(Book, null)).toBeNull()
  })
})
