/**
 * The diff without a database: the operations between two model states, their inverses, the
 * likely renames it reports, the snapshot's round trip through JSON, and the SQL it renders
 * for each dialect (the rebuild procedure on SQLite, ALTER TABLE elsewhere).
 */
import { fields, model, schema } from 'terrapin'
import { mysql } from '../../src/compile/mysql'
import { postgres } from '../../src/compile/postgres'
import { sqlite } from '../../src/compile/sqlite'
import {
  EMPTY_STATE,
  Operation,
  SchemaState,
  diff,
  guardsOf,
  inverse,
  modelState,
  modelsOf,
  parseRename,
  renderSql,
  viewsOf,
} from '../../src/migrate'

const base = schema({
  Author: model('Author', {
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 50 }),
      age: fields.smallint({ null: true }),
    },
  }),
  Book: model('Book', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})
const s0 = modelState(Object.values(base))

const changed = (defs: Parameters<typeof schema>[0]) => modelState(Object.values(schema(defs)))

describe('model state', () => {
  it('survives JSON and rebuilds models that give the same state', () => {
    const json = JSON.parse(JSON.stringify(s0)) as SchemaState
    expect(json).toEqual(s0)
    expect(modelState(modelsOf(json))).toEqual(s0)
  })

  it('keeps no function defaults, validators or codecs', () => {
    const s = changed({
      A: model('A', {
        fields: {
          id: fields.int({ pk: true }),
          at: fields.datetime({ default: () => new Date() }),
          n: fields.int({ default: 4 }),
        },
      }),
    })
    expect(s.models[0].fields.at.options.default).toBeUndefined()
    expect(s.models[0].fields.n.options.default).toBe(4)
  })
})

describe('diff', () => {
  it('finds nothing between a state and itself', () => {
    expect(diff(s0, s0)).toEqual({ operations: [], likelyRenames: [] })
  })

  it('creates every table from the empty state, and drops them all going back', () => {
    const ops = diff(EMPTY_STATE, s0).operations
    expect(ops).toEqual([
      { op: 'createTable', table: 'author' },
      { op: 'createTable', table: 'book' },
    ])
    expect(inverse(ops)).toEqual(diff(s0, EMPTY_STATE).operations.slice().reverse())
  })

  it('reports each kind of column change', () => {
    const s1 = changed({
      Author: model('Author', {
        fields: {
          id: fields.int({ pk: true }),
          name: fields.char({ maxLength: 80, unique: true, index: true }),
          age: fields.int({ default: 0 }),
        },
      }),
      Book: model('Book', {
        fields: {
          id: fields.int({ pk: true }),
          title: fields.char({ maxLength: 100 }),
          author: fields.foreignKey('Author', { relatedName: 'books', onDelete: 'SET NULL', null: true }),
        },
        meta: { uniqueTogether: [['title', 'author']], indexes: [['title']] },
      }),
    })
    expect(diff(s0, s1).operations).toEqual([
      { op: 'alterColumn', table: 'author', column: 'name', changes: ['maxLength', 'unique', 'index'] },
      { op: 'alterColumn', table: 'author', column: 'age', changes: ['type', 'null', 'default'] },
      { op: 'alterColumn', table: 'book', column: 'author_id', changes: ['null', 'onDelete'] },
      { op: 'addUnique', table: 'book', columns: ['title', 'author_id'] },
      { op: 'addIndex', table: 'book', columns: ['title'] },
    ])
    expect(diff(s1, s0).operations).toEqual(
      expect.arrayContaining([
        { op: 'dropUnique', table: 'book', columns: ['title', 'author_id'] },
        { op: 'dropIndex', table: 'book', columns: ['title'] },
      ]),
    )
  })

  it('never turns a likely rename into drop + add silently: it reports it, and renames what it is told', () => {
    const s1 = changed({
      Author: model('Author', {
        fields: {
          id: fields.int({ pk: true }),
          fullName: fields.char({ maxLength: 50 }),
          age: fields.smallint({ null: true }),
        },
      }),
      Book: base.Book,
    })
    const guessed = diff(s0, s1)
    expect(guessed.likelyRenames).toEqual([{ table: 'author', from: 'name', to: 'fullName' }])
    const told = diff(s0, s1, [parseRename('author.name:fullName')!])
    expect(told).toEqual({
      operations: [{ op: 'renameColumn', table: 'author', from: 'name', to: 'fullName' }],
      likelyRenames: [],
    })
    // a drop and an add of different types is no rename
    const s2 = changed({
      Author: model('Author', {
        fields: { id: fields.int({ pk: true }), fullName: fields.text(), age: fields.smallint({ null: true }) },
      }),
      Book: base.Book,
    })
    expect(diff(s0, s2).likelyRenames).toEqual([])
  })

  it('asks about every pairing when more columns or tables are dropped than added, and of a compatible kind only', () => {
    const s1 = changed({
      Author: model('Author', {
        fields: {
          id: fields.int({ pk: true }),
          alias: fields.char({ maxLength: 80 }),
          born: fields.int({ null: true }),
          note: fields.text({ null: true }),
        },
      }),
      Book: base.Book,
    })
    // name (char 50) and age (smallint) dropped; alias (char 80), born (int) and note (text) added: one char pairing
    expect(diff(s0, s1).likelyRenames).toEqual([{ table: 'author', from: 'name', to: 'alias' }])
    const two = changed({
      Author: model('Author', {
        fields: {
          id: fields.int({ pk: true }),
          first: fields.char({ maxLength: 50 }),
          last: fields.char({ maxLength: 50 }),
        },
      }),
      Book: base.Book,
    })
    const s2 = changed({
      Author: model('Author', { fields: { id: fields.int({ pk: true }), full: fields.char({ maxLength: 50 }) } }),
      Book: base.Book,
    })
    expect(diff(two, s2).likelyRenames).toEqual([
      { table: 'author', from: 'first', to: 'full' },
      { table: 'author', from: 'last', to: 'full' },
    ])
    // the second answered yes: only the first is dropped
    expect(diff(two, s2, [{ table: 'author', from: 'last', to: 'full' }])).toEqual({
      operations: [
        { op: 'renameColumn', table: 'author', from: 'last', to: 'full' },
        { op: 'dropColumn', table: 'author', column: 'first' },
      ],
      likelyRenames: [],
    })
    // two tables dropped, one created alike: either may be the renamed one
    const t0 = changed({
      A: model('A', { fields: { id: fields.int({ pk: true }) } }),
      B: model('B', { fields: { id: fields.int({ pk: true }) } }),
    })
    const t1 = changed({ C: model('C', { fields: { id: fields.int({ pk: true }) } }) })
    expect(diff(t0, t1).likelyRenames).toEqual([
      { from: 'a', to: 'c' },
      { from: 'b', to: 'c' },
    ])
  })

  it('renames a table when told, and inverts it first', () => {
    const s1 = changed({ Author: base.Author, Book: model('Book', { table: 'volume', fields: base.Book.fields }) })
    expect(diff(s0, s1).operations).toEqual([
      { op: 'createTable', table: 'volume' },
      { op: 'dropTable', table: 'book' },
    ])
    expect(diff(s0, s1).likelyRenames).toEqual([{ from: 'book', to: 'volume' }])
    const ops = diff(s0, s1, [{ from: 'book', to: 'volume' }]).operations
    expect(ops).toEqual([{ op: 'renameTable', from: 'book', to: 'volume' }])
    expect(inverse(ops)).toEqual([{ op: 'renameTable', from: 'volume', to: 'book' }])
  })

  it('adds and drops many-to-many link tables', () => {
    const s1 = changed({
      Author: model('Author', {
        fields: {
          ...base.Author.fields,
          friends: fields.manyToMany('Author', { relatedName: 'friendOf', through: 'friendship' }),
        },
      }),
      Book: base.Book,
    })
    expect(diff(s0, s1).operations).toEqual([{ op: 'createThrough', table: 'friendship' }])
    expect(diff(s1, s0).operations).toEqual([{ op: 'dropThrough', table: 'friendship' }])
  })

  it('every operation has an inverse that undoes it', () => {
    const all: ReadonlyArray<Operation> = [
      // table renames come first, as the diff writes them
      { op: 'renameTable', from: 'a', to: 'b' },
      { op: 'createTable', table: 't' },
      { op: 'dropUnique', table: 'u', columns: ['c', 'x'] },
      { op: 'renameColumn', table: 'u', from: 'c', to: 'd' },
      { op: 'addColumn', table: 'u', column: 'e' },
      { op: 'alterColumn', table: 'u', column: 'd', changes: ['type'] },
      { op: 'addUnique', table: 'u', columns: ['d'] },
      { op: 'addIndex', table: 'u', columns: ['d'] },
      { op: 'createThrough', table: 'l' },
    ]
    expect(inverse(inverse(all))).toEqual(all)
    // the renamed column is changed back after it has its earlier name again
    expect(inverse(all).filter((op) => 'table' in op && op.table === 'u')).toEqual([
      { op: 'dropIndex', table: 'u', columns: ['d'] },
      { op: 'dropUnique', table: 'u', columns: ['d'] },
      { op: 'renameColumn', table: 'u', from: 'd', to: 'c' },
      { op: 'dropColumn', table: 'u', column: 'e' },
      { op: 'alterColumn', table: 'u', column: 'c', changes: ['type'] },
      { op: 'addUnique', table: 'u', columns: ['c', 'x'] },
    ])
  })
})

describe('SQL', () => {
  const s1 = changed({
    Author: model('Author', {
      fields: {
        id: fields.int({ pk: true }),
        name: fields.char({ maxLength: 80 }),
        age: fields.smallint({ null: true }),
      },
    }),
    Book: base.Book,
  })
  const ops = diff(s0, s1).operations
  const [v0, v1] = [viewsOf(s0), viewsOf(s1)]

  it('alters the column in place on PostgreSQL and MariaDB', () => {
    expect(renderSql(postgres, ops, v0, v1)).toEqual([
      'ALTER TABLE "author" ALTER COLUMN "name" TYPE VARCHAR(80) COLLATE "C" USING CAST("name" AS VARCHAR(80))',
    ])
    expect(renderSql(mysql, ops, v0, v1)).toEqual(['ALTER TABLE `author` MODIFY COLUMN `name` VARCHAR(80) NOT NULL'])
    expect(renderSql(mysql, inverse(ops), v1, v0)).toEqual([
      'ALTER TABLE `author` MODIFY COLUMN `name` VARCHAR(50) NOT NULL',
    ])
  })

  it('rebuilds the table on SQLite: new table, copy, drop, rename', () => {
    expect(renderSql(sqlite, ops, v0, v1)).toEqual([
      'CREATE TABLE "author__new" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" VARCHAR(80) NOT NULL, "age" SMALLINT)',
      'INSERT INTO "author__new" ("id", "name", "age") SELECT "id", "name", "age" FROM "author"',
      'DROP TABLE "author"',
      'ALTER TABLE "author__new" RENAME TO "author"',
    ])
  })

  it('adds a nullable column with ALTER TABLE on every dialect', () => {
    const s2 = changed({
      Author: model('Author', { fields: { ...base.Author.fields, bio: fields.text({ null: true }) } }),
      Book: base.Book,
    })
    const add = diff(s0, s2).operations
    expect(renderSql(sqlite, add, v0, viewsOf(s2))).toEqual(['ALTER TABLE "author" ADD COLUMN "bio" TEXT'])
    expect(renderSql(sqlite, inverse(add), viewsOf(s2), v0)).toEqual(['ALTER TABLE "author" DROP COLUMN "bio"'])
  })

  it('guards a narrowing by counting the rows that do not fit', () => {
    expect(guardsOf(postgres, inverse(ops), v1, v0)).toEqual([
      {
        sql: 'SELECT COUNT(*) FROM "author" WHERE char_length("name") > 50',
        message: 'shortens author.name to 50 characters, and longer values are stored',
      },
    ])
    expect(guardsOf(postgres, ops, v0, v1)).toEqual([])
  })
})

describe('parseRename', () => {
  it('reads table.old:new and old:new, and nothing else', () => {
    expect(parseRename('book.title:name')).toEqual({ table: 'book', from: 'title', to: 'name' })
    expect(parseRename('book:volume')).toEqual({ from: 'book', to: 'volume' })
    expect(parseRename('book.title')).toBeUndefined()
    expect(parseRename('a:b:c')).toBeUndefined()
  })
})

describe('comments and bigint defaults in the diff', () => {
  const described = (title?: string, table?: string, big = 9007199254740993n) =>
    modelState(
      Object.values(
        schema({
          Author: model('Author', {
            fields: {
              id: fields.int({ pk: true }),
              name: fields.char({ maxLength: 50, ...(title === undefined ? {} : { description: title }) }),
              score: fields.bigint({ default: big }),
            },
            meta: table === undefined ? {} : { description: table },
          }),
        }),
      ),
    )

  it('keeps a bigint default through JSON digit for digit, and diffs a change of it', () => {
    const s = described()
    const back = JSON.parse(JSON.stringify(s)) as SchemaState
    expect(back).toEqual(s)
    expect(modelsOf(back)[0].fields.score.options).toMatchObject({ default: 9007199254740993n })
    expect(diff(s, described(undefined, undefined, 9007199254740995n)).operations).toEqual([
      { op: 'alterColumn', table: 'author', column: 'score', changes: ['default'] },
    ])
  })

  it('makes a comment set, changed or removed an operation, undone by itself', () => {
    const ops = diff(described(), described("It's a name", 'People')).operations
    expect(ops).toEqual([
      { op: 'alterColumn', table: 'author', column: 'name', changes: ['comment'] },
      { op: 'commentTable', table: 'author' },
    ])
    expect(inverse(ops)).toEqual([...ops].reverse())
    const [a, b] = [viewsOf(described()), viewsOf(described("It's a name", 'People'))]
    expect(renderSql(postgres, ops, a, b)).toEqual([
      `COMMENT ON COLUMN "author"."name" IS 'It''s a name'`,
      `COMMENT ON TABLE "author" IS 'People'`,
    ])
    expect(renderSql(postgres, inverse(ops), b, a)).toEqual([
      'COMMENT ON TABLE "author" IS NULL',
      'COMMENT ON COLUMN "author"."name" IS NULL',
    ])
    expect(renderSql(mysql, ops, a, b)).toEqual([
      expect.stringMatching(
        /^ALTER TABLE `author` MODIFY COLUMN `name` VARCHAR\(50\).* NOT NULL COMMENT 'It''s a name'$/,
      ),
      "ALTER TABLE `author` COMMENT='People'",
    ])
    expect(renderSql(mysql, inverse(ops), b, a)).toEqual([
      "ALTER TABLE `author` COMMENT=''",
      expect.stringMatching(/^ALTER TABLE `author` MODIFY COLUMN `name` VARCHAR\(50\).* NOT NULL$/),
    ])
    // SQLite keeps no comments: nothing to run, no table rebuilt
    expect(renderSql(sqlite, ops, a, b)).toEqual([])
  })
})
