/**
 * Models shared by the core behaviour tests: one with a field of every scalar kind and the
 * options tortoise gives them, a small one for reads and lookups, and a unique-keyed one for
 * writes.
 */
import * as t from 'io-ts'
import { fields, model, schema, validators } from 'terrapin'

export const Point = t.type({ x: t.number, y: t.number })

export const Kinds = model('Kinds', {
  table: 'core_kinds',
  fields: {
    id: fields.int({ pk: true }),
    i: fields.int({ null: true }),
    big: fields.bigint({ default: 0n }),
    small: fields.smallint({ null: true }),
    name: fields.char({ maxLength: 10, unique: true }),
    body: fields.text({ null: true }),
    flag: fields.boolean({ default: false }),
    ratio: fields.float({ null: true }),
    price: fields.decimal({ maxDigits: 10, decimalPlaces: 2, null: true }),
    at: fields.datetime({ null: true }),
    day: fields.date({ null: true }),
    clock: fields.time({ null: true }),
    ref: fields.uuid({ null: true }),
    data: fields.json({ null: true }),
    point: fields.json({ codec: Point, null: true }),
    status: fields.enum(['draft', 'published'], { default: 'draft' }),
    level: fields.enum([1, 2, 3], { null: true }),
    code: fields.char({
      maxLength: 5,
      source: 'code_col',
      index: true,
      description: 'a short code',
      null: true,
      validators: [validators.regex(/^[A-Z]+$/, 'must be upper case')],
    }),
    score: fields.int({ default: 10, validators: [validators.min(0), validators.max(100)] }),
    createdAt: fields.datetime({ autoNowAdd: true }),
    updatedAt: fields.datetime({ autoNow: true }),
  },
})

/** Rows with a NULL in every nullable column, for lookups and ordering. */
export const Item = model('Item', {
  table: 'core_item',
  fields: {
    id: fields.int({ pk: true }),
    name: fields.char({ maxLength: 50 }),
    note: fields.text({ null: true }),
    n: fields.int({ null: true }),
    big: fields.bigint({ null: true }),
    x: fields.float({ null: true }),
    price: fields.decimal({ maxDigits: 12, decimalPlaces: 3, null: true }),
    on: fields.boolean({ null: true }),
    at: fields.datetime({ null: true }),
    day: fields.date({ null: true }),
    clock: fields.time({ null: true }),
    ref: fields.uuid({ null: true }),
    kind: fields.enum(['a', 'b', 'c'], { null: true }),
  },
})

/** A unique natural key and a string primary key, for writes and races. */
export const Tag = model('Tag', {
  table: 'core_tag',
  fields: {
    id: fields.int({ pk: true }),
    name: fields.char({ maxLength: 20, unique: true }),
    uses: fields.int({ default: 0 }),
    touchedAt: fields.datetime({ autoNow: true }),
  },
})

export const Code = model('Code', {
  table: 'core_code',
  fields: {
    code: fields.char({ maxLength: 8, pk: true }),
    label: fields.text(),
  },
})

export const Author = model('Author', { table: 'core_author', fields: { name: fields.char({ maxLength: 50 }) } })
export const Book = model('Book', {
  table: 'core_book',
  fields: { title: fields.char({ maxLength: 50 }), author: fields.foreignKey('Author', { relatedName: 'books' }) },
})
export const Rel = schema({ Author, Book })

let seq = 0
/** A default function, called for each new row. */
export const Seq = model('Seq', {
  table: 'core_seq',
  fields: { name: fields.char({ maxLength: 10, default: () => `n${++seq}` }) },
})

/** Decimals with more digits than a double holds. */
export const Money = model('Money', {
  table: 'core_money',
  fields: { amount: fields.decimal({ maxDigits: 30, decimalPlaces: 8 }), label: fields.char({ maxLength: 10 }) },
})
