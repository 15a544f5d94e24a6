/** Models of the expression suites: authors with books (a reverse relation named `books`). */
import { fields, model, schema } from 'terrapin'

export const { Author, Book } = schema({
  Author: model('Author', {
    table: 'x_author',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true }),
      nick: fields.char({ maxLength: 100, null: true }),
    },
  }),
  Book: model('Book', {
    table: 'x_book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      rating: fields.float({ null: true }),
      pages: fields.int({ default: 0 }),
      price: fields.decimal({ maxDigits: 10, decimalPlaces: 2, null: true }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})
