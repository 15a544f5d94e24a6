/**
 * The Author/Book models of tortoise's tutorial: a one-to-many relation named `books`.
 */
import { fields, model, schema } from '../src'

export const { Author, Book } = schema({
  Author: model('Author', {
    table: 'author',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true }),
    },
  }),
  Book: model('Book', {
    table: 'book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      rating: fields.float({ null: true }),
      publishedAt: fields.datetime({ autoNowAdd: true }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})
