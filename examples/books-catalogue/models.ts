/**
 * A books catalogue: authors, their books, and tags on books (a many-to-many relation).
 */
import { fields, model, schema } from 'terrapin'

export const { Author, Book, Tag } = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true }),
      born: fields.int({ null: true }),
    },
    meta: { ordering: ['name'] },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 200 }),
      year: fields.int(),
      rating: fields.float({ null: true }),
      price: fields.decimal({ maxDigits: 8, decimalPlaces: 2 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
      tags: fields.manyToMany('Tag', { relatedName: 'books' }),
    },
    meta: { ordering: ['year', 'id'] },
  }),
  Tag: model('Tag', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 30, unique: true }),
    },
    meta: { ordering: ['name'] },
  }),
})
