/**
 * The benchmark's models: authors and their books, the shape of tortoise's own examples, and a
 * larger pair for the long-list workloads (owners and their items). Column names are snake_case
 * so that the hand-written SQL and the peers read naturally.
 */
import { terrapin } from './lib'

const { fields, model, schema } = terrapin

export const { Author, Book, Owner, Item } = schema({
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
      title: fields.char({ maxLength: 200 }),
      rating: fields.float({ null: true }),
      publishedAt: fields.datetime({ source: 'published_at' }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
  Owner: model('Owner', {
    table: 'owner',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100 }),
    },
  }),
  Item: model('Item', {
    table: 'item',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100 }),
      owner: fields.foreignKey('Owner', { relatedName: 'items' }),
    },
  }),
})
