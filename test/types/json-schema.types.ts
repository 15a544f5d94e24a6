/**
 * Type-level tests of jsonSchema and fromJson: field and relation names are checked, relations
 * only in read mode, and fromJson types what the schema promises.
 */
import { fields, fromJson, jsonSchema, model, schema, InsertOf, PatchOf } from 'terrapin'

const { Author, Book } = schema({
  Author: model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) } }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})

jsonSchema(Book, { mode: 'read', include: ['id', 'title', 'authorId'] })
jsonSchema(Book, { mode: 'create', exclude: ['title'] })
jsonSchema(Author, { mode: 'read', relations: ['books'] })
jsonSchema(Book, { mode: 'read', relations: ['author', 'author__books'] })

// @ts-expect-error an unknown field
jsonSchema(Book, { mode: 'read', include: ['titel'] })
// @ts-expect-error a relation is not a stored field (authorId is)
jsonSchema(Book, { mode: 'create', exclude: ['author'] })
// @ts-expect-error an unknown relation
jsonSchema(Author, { mode: 'read', relations: ['bookz'] })
// @ts-expect-error an unknown relation two hops in
jsonSchema(Book, { mode: 'read', relations: ['author__nope'] })
// @ts-expect-error relations are what is read, not written
jsonSchema(Author, { mode: 'create', relations: ['books'] })
// @ts-expect-error no such mode
jsonSchema(Book, { mode: 'patch' })

const created: InsertOf<typeof Book> = fromJson(Book, {})
const patched: PatchOf<typeof Book> = fromJson(Book, {}, 'update')
// @ts-expect-error a patch is no insert (title and authorId may be missing)
const wrong: InsertOf<typeof Book> = fromJson(Book, {}, 'update')
