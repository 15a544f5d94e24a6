/**
 * The models of the relation suites: tortoise's Author/Book one-to-many (`relatedName: 'books'`),
 * many-to-many tags, a one-to-one profile, a self reference (Employee.manager) and one model per
 * `onDelete` behaviour. Mutual and self references need no type annotations.
 */
import { fields, model, schema } from 'terrapin'

export const { Author, Book, Tag, Profile, Employee, Person, Country, City, Publisher, Edition, Shelf, Slot } = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100 }),
      // Mutual reference: an author's favourite book (Author ↔ Book).
      favourite: fields.foreignKey('Book', { null: true, relatedName: 'fans', onDelete: 'SET NULL' }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      rating: fields.int({ null: true }),
      author: fields.foreignKey('Author', { relatedName: 'books', relatedQueryName: 'book' }),
      tags: fields.manyToMany('Tag', { relatedName: 'books', through: 'book_tag' }),
    },
  }),
  Tag: model('Tag', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
    },
  }),
  Profile: model('Profile', {
    fields: {
      id: fields.int({ pk: true }),
      bio: fields.text(),
      author: fields.oneToOne('Author', { relatedName: 'profile' }),
    },
  }),
  Employee: model('Employee', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      manager: fields.foreignKey('Employee', { null: true, relatedName: 'reports', onDelete: 'SET NULL' }),
    },
  }),
  // A self-referencing many-to-many relation: its link table has person_id and related_person_id.
  Person: model('Person', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      follows: fields.manyToMany('Person', { relatedName: 'followers' }),
    },
  }),
  // A foreign key to a unique field other than the primary key (toField).
  Country: model('Country', {
    fields: {
      id: fields.int({ pk: true }),
      code: fields.char({ maxLength: 2, unique: true }),
      name: fields.char({ maxLength: 50 }),
    },
  }),
  City: model('City', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      country: fields.foreignKey('Country', { toField: 'code', relatedName: 'cities' }),
    },
  }),
  // onDelete behaviours: RESTRICT (Edition → Publisher), SET DEFAULT (Slot → Shelf).
  Publisher: model('Publisher', {
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) },
  }),
  Edition: model('Edition', {
    fields: {
      id: fields.int({ pk: true }),
      publisher: fields.foreignKey('Publisher', { relatedName: 'editions', onDelete: 'RESTRICT' }),
    },
  }),
  Shelf: model('Shelf', {
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }) },
  }),
  Slot: model('Slot', {
    fields: {
      id: fields.int({ pk: true }),
      shelf: fields.foreignKey('Shelf', { default: 1, relatedName: 'slots', onDelete: 'SET DEFAULT' }),
    },
  }),
})

export const ALL = [Author, Book, Tag, Profile, Employee, Person, Country, City, Publisher, Edition, Shelf, Slot]
