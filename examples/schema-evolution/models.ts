/**
 * Three versions of one application's models, as they would follow each other in its history.
 * Each version is the whole of `models.ts` at that time; the migrations carry the database from
 * one to the next.
 */
import { fields, model, schema } from 'terrapin'

/** Authors stay the same through the three versions. */
const author = () =>
  model('Author', {
    table: 'author',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true }),
    },
  })

/** Version 1: authors and their books. */
export const v1 = schema({
  Author: author(),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})

/** Version 2: books get a rating (nullable) and a page count (0 for the rows already there). */
export const v2 = schema({
  Author: author(),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      rating: fields.float({ null: true }),
      pages: fields.int({ default: 0 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})

/** Version 3: `title` is renamed `name`, and may be longer. */
export const v3 = schema({
  Author: author(),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 200 }),
      rating: fields.float({ null: true }),
      pages: fields.int({ default: 0 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})
