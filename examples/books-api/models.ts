/** The example's models: authors and their books. */
import { fields, model, schema } from 'terrapin'

export const { Author, Book } = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true, description: "the author's full name" }),
      bio: fields.text({ null: true }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 200 }),
      rating: fields.float({ null: true }),
      published: fields.date({ null: true }),
      copiesSold: fields.bigint({ default: 0n, description: 'a 64-bit count, as a string of digits' }),
      addedAt: fields.datetime({ autoNowAdd: true }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
    meta: { ordering: ['id'] },
  }),
})

export const models = [Author, Book]
