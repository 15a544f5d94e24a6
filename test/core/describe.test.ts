/**
 * describe(Model): JSON data for every field kind, relation kind (both directions, a self
 * reference, a link table), constraint, default form and meta option; JSON.stringify round-trips
 * it; its column types are the ones CREATE TABLE writes on each dialect.
 */
import * as t from 'io-ts'
import {
  ModelDescription,
  describe as describeModel,
  dialects,
  fields,
  model,
  schema,
  schemaSql,
  validators,
} from 'terrapin'

const Point = t.type({ x: t.number, y: t.number }, 'Point')
const stamp = (): Date => new Date()

const { Author, Book, Profile, Tag } = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 100, unique: true, description: 'the name on the cover' }),
      mentor: fields.foreignKey('Author', { relatedName: 'students', null: true, onDelete: 'SET NULL' }),
    },
    meta: { ordering: ['name'], description: 'a writer' },
  }),
  Book: model('Book', {
    table: 'books',
    fields: {
      code: fields.uuid({ pk: true }),
      title: fields.char({ maxLength: 200, index: true, validators: [validators.minLength(1)] }),
      summary: fields.text({ null: true }),
      pages: fields.smallint({ default: 100 }),
      copies: fields.int({ default: 1 }),
      sold: fields.bigint({ default: 10n }),
      inPrint: fields.boolean({ default: true }),
      rating: fields.float({ null: true }),
      price: fields.decimal({ maxDigits: 8, decimalPlaces: 2, default: '9.99' }),
      publishedAt: fields.datetime({ autoNowAdd: true }),
      updatedAt: fields.datetime({ autoNow: true }),
      checkedAt: fields.datetime({ default: stamp }),
      since: fields.datetime({ default: new Date('2000-01-02T03:04:05.678Z') }),
      day: fields.date({ null: true }),
      opens: fields.time({ source: 'opens_at', null: true }),
      extra: fields.json({ default: { tags: ['a'], n: 1 } }),
      at: fields.json({ codec: Point, null: true }),
      status: fields.enum(['draft', 'published'], { default: 'draft' }),
      level: fields.enum([1, 2, 3]),
      author: fields.foreignKey('Author', { relatedName: 'books', relatedQueryName: 'book', onDelete: 'RESTRICT' }),
      tags: fields.manyToMany('Tag', { relatedName: 'books', through: 'book_tags' }),
    },
    meta: { uniqueTogether: [['title', 'author']], indexes: [['rating', 'pages']], ordering: ['-publishedAt', 'code'] },
  }),
  Profile: model('Profile', {
    fields: {
      author: fields.oneToOne('Author', { relatedName: 'profile', dbConstraint: false }),
      bio: fields.text(),
    },
  }),
  Tag: model('Tag', { fields: { name: fields.char({ maxLength: 30 }) } }),
})

const fieldOf = (d: ModelDescription, name: string) => {
  const f = d.fields.find((x) => x.name === name)
  if (!f) throw new Error(`no field ${name}`)
  return f
}
const relationOf = (d: ModelDescription, name: string) => {
  const r = d.relations.find((x) => x.name === name)
  if (!r) throw new Error(`no relation ${name}`)
  return r
}

describe('describe(Model)', () => {
  it('round-trips through JSON.stringify for every model, with no undefined anywhere', () => {
    for (const m of [Author, Book, Profile, Tag]) {
      const d = describeModel(m)
      const text = JSON.stringify(d)
      expect(JSON.parse(text)).toEqual(d)
      expect(text).not.toContain('undefined')
      // every key survives: JSON.stringify drops keys whose value is undefined
      const deepKeys = (v: unknown): number =>
        v !== null && typeof v === 'object' ? Object.values(v).reduce((n: number, x) => n + 1 + deepKeys(x), 0) : 0
      expect(deepKeys(JSON.parse(text))).toBe(deepKeys(d))
    }
  })

  it('describes the table, key, ordering and description', () => {
    const d = describeModel(Book)
    expect({ name: d.name, table: d.table, pk: d.pk, ordering: d.ordering, description: d.description }).toEqual({
      name: 'Book',
      table: 'books',
      pk: 'code',
      ordering: ['-publishedAt', 'code'],
      description: null,
    })
    expect(describeModel(Author).description).toBe('a writer')
    expect(describeModel(Tag).pk).toBe('id')
  })

  it('describes every scalar field kind with its type and options', () => {
    const d = describeModel(Book)
    expect(d.fields.map((f) => [f.name, f.kind, f.type])).toEqual([
      ['code', 'uuid', 'string'],
      ['title', 'char', 'string'],
      ['summary', 'text', 'string'],
      ['pages', 'smallint', 'number'],
      ['copies', 'int', 'number'],
      ['sold', 'bigint', 'bigint'],
      ['inPrint', 'boolean', 'boolean'],
      ['rating', 'float', 'number'],
      ['price', 'decimal', 'string'],
      ['publishedAt', 'datetime', 'Date'],
      ['updatedAt', 'datetime', 'Date'],
      ['checkedAt', 'datetime', 'Date'],
      ['since', 'datetime', 'Date'],
      ['day', 'date', 'string'],
      ['opens', 'time', 'string'],
      ['extra', 'json', 'unknown'],
      ['at', 'json', 'Point'],
      ['status', 'enum', '"draft" | "published"'],
      ['level', 'enum', '1 | 2 | 3'],
    ])
    expect(fieldOf(d, 'title')).toEqual({
      name: 'title',
      kind: 'char',
      column: 'title',
      type: 'string',
      dbTypes: { sqlite: 'VARCHAR(200)', postgres: 'VARCHAR(200) COLLATE "C"', mysql: 'VARCHAR(200)' },
      pk: false,
      generated: false,
      null: false,
      default: null,
      unique: false,
      index: true,
      maxLength: 200,
      maxDigits: null,
      decimalPlaces: null,
      autoNow: false,
      autoNowAdd: false,
      values: null,
      validators: 1,
      description: null,
    })
    expect(fieldOf(d, 'code')).toMatchObject({
      pk: true,
      unique: true,
      generated: false,
      default: { function: 'default' },
    })
    expect(fieldOf(d, 'price')).toMatchObject({ maxDigits: 8, decimalPlaces: 2, default: { value: '9.99' } })
    expect(fieldOf(d, 'summary')).toMatchObject({ null: true, default: null })
    expect(fieldOf(d, 'opens')).toMatchObject({ column: 'opens_at', null: true })
    expect(fieldOf(d, 'status')).toMatchObject({ values: ['draft', 'published'], default: { value: 'draft' } })
    expect(fieldOf(d, 'publishedAt')).toMatchObject({ autoNowAdd: true, autoNow: false })
    expect(fieldOf(d, 'updatedAt')).toMatchObject({ autoNow: true })
    expect(describeModel(Author).fields[0]).toMatchObject({ name: 'id', pk: true, generated: true, unique: true })
    expect(fieldOf(describeModel(Author), 'name')).toMatchObject({ unique: true, description: 'the name on the cover' })
  })

  it('gives defaults a serialisable form: values, Dates as ISO strings, bigints as strings, functions by name', () => {
    const d = describeModel(Book)
    expect(fieldOf(d, 'pages').default).toEqual({ value: 100 })
    expect(fieldOf(d, 'inPrint').default).toEqual({ value: true })
    expect(fieldOf(d, 'sold').default).toEqual({ value: '10' })
    expect(fieldOf(d, 'since').default).toEqual({ value: '2000-01-02T03:04:05.678Z' })
    expect(fieldOf(d, 'checkedAt').default).toEqual({ function: 'stamp' })
    expect(fieldOf(d, 'extra').default).toEqual({ value: { tags: ['a'], n: 1 } })
  })

  it('describes forward relations: foreign key, one-to-one, many-to-many with its link table', () => {
    const book = describeModel(Book)
    expect(relationOf(book, 'author')).toEqual({
      name: 'author',
      kind: 'foreignKey',
      target: 'Author',
      relatedName: 'books',
      relatedQueryName: 'book',
      key: 'authorId',
      column: 'author_id',
      dbTypes: { sqlite: 'INTEGER', postgres: 'INTEGER', mysql: 'INT' },
      toField: 'id',
      onDelete: 'RESTRICT',
      dbConstraint: true,
      null: false,
      many: false,
      index: false,
      default: null,
      through: null,
      description: null,
    })
    expect(relationOf(book, 'tags')).toMatchObject({
      kind: 'manyToMany',
      target: 'Tag',
      relatedName: 'books',
      many: true,
      key: null,
      through: { table: 'book_tags', column: 'books_id', targetColumn: 'tag_id' },
    })
    expect(relationOf(describeModel(Profile), 'author')).toMatchObject({
      kind: 'oneToOne',
      relatedName: 'profile',
      column: 'author_id',
      onDelete: 'CASCADE',
      dbConstraint: false,
    })
  })

  it('describes reverse relations, a self reference from both sides', () => {
    const author = describeModel(Author)
    expect(author.relations.map((r) => [r.name, r.kind, r.target, r.relatedName, r.many])).toEqual([
      ['mentor', 'foreignKey', 'Author', 'students', false],
      ['students', 'reverseForeignKey', 'Author', 'mentor', true],
      ['books', 'reverseForeignKey', 'Book', 'author', true],
      ['profile', 'reverseOneToOne', 'Profile', 'author', false],
    ])
    expect(relationOf(author, 'mentor')).toMatchObject({ null: true, onDelete: 'SET NULL' })
    expect(relationOf(author, 'books')).toMatchObject({
      relatedQueryName: 'book',
      column: null,
      onDelete: null,
      dbConstraint: null,
    })
    expect(relationOf(describeModel(Tag), 'books')).toMatchObject({
      kind: 'reverseManyToMany',
      target: 'Book',
      relatedName: 'tags',
      through: { table: 'book_tags', column: 'tag_id', targetColumn: 'books_id' },
    })
  })

  it('describes uniqueTogether and indexes as named constraints on columns', () => {
    expect(describeModel(Book).constraints).toEqual([
      {
        kind: 'unique',
        name: 'uq_books_title_author_id',
        fields: ['title', 'author'],
        columns: ['title', 'author_id'],
      },
      { kind: 'index', name: 'idx_books_rating_pages', fields: ['rating', 'pages'], columns: ['rating', 'pages'] },
    ])
    expect(describeModel(Tag).constraints).toEqual([])
  })

  it('gives the column types CREATE TABLE writes, on each dialect', () => {
    for (const [name, d] of Object.entries(dialects)) {
      const ddl = schemaSql(d, [Author, Book, Profile, Tag], false).join('\n')
      for (const m of [Author, Book, Profile, Tag]) {
        const described = describeModel(m)
        for (const f of described.fields)
          expect(ddl).toContain(`${d.quote(f.column)} ${f.dbTypes[name as keyof typeof f.dbTypes]}`)
        for (const r of described.relations)
          if (r.column && r.dbTypes) expect(ddl).toContain(`${d.quote(r.column)} ${r.dbTypes[name as 'sqlite']}`)
        expect(ddl).toContain(d.quote(described.table))
      }
    }
  })

  it('describes a model outside a schema: relations by name, nothing from other models', () => {
    const Loose = model('Loose', { fields: { owner: fields.foreignKey('Author'), tags: fields.manyToMany('Tag') } })
    const d = describeModel(Loose)
    expect(d.relations.map((r) => [r.name, r.kind, r.target, r.toField, r.through])).toEqual([
      ['owner', 'foreignKey', 'Author', null, null],
      ['tags', 'manyToMany', 'Tag', null, null],
    ])
    expect(JSON.parse(JSON.stringify(d))).toEqual(d)
  })
})
