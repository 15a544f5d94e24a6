/**
 * `__regex`, `__iregex` and `__search`: the same rows on every dialect for the portable pattern
 * subset (newlines, anchors, NULL, the empty pattern, non-ASCII case), patterns outside it
 * refused as a ValidationError before any SQL runs, and full-text search where the dialect has
 * it (PostgreSQL, MariaDB) and a typed refusal where it does not (SQLite).
 */
import { pipe } from 'fp-ts/function'
import {
  F,
  FilterOf,
  compile,
  create,
  remove,
  bind,
  q,
  bulkCreate,
  exclude,
  fields,
  model,
  orderBy,
  param,
  prepare,
  query,
  run,
  schema,
  valuesFlat,
  where,
} from 'terrapin'
import { introspect, modelState, schemaDifferences } from '../../src/migrate'
import { forEachDialect, left, right } from '../support/dialects'

const { Note } = schema({
  Note: model('Note', {
    table: 'ts_note',
    fields: {
      id: fields.int({ pk: true }),
      body: fields.text({ null: true }),
      title: fields.char({ maxLength: 80, fulltext: true, null: true }),
    },
  }),
})

const NOTES = [
  { id: 1, body: 'abc', title: 'the quick brown fox' },
  { id: 2, body: 'ABC', title: 'lazy brown dog' },
  { id: 3, body: 'a\nb', title: 'quick thinking' },
  { id: 4, body: 'Ñandú', title: 'Ñandú running' },
  { id: 5, body: null, title: null },
  { id: 6, body: '', title: 'fox-trot dancing' },
  { id: 7, body: 'x.y*z', title: 'brownish' },
  { id: 8, body: 'ΣΑΣ', title: 'ab quick' },
]

forEachDialect('regex and search lookups', [Note], (t) => {
  beforeAll(async () => {
    right(await pipe(bulkCreate(Note, NOTES), run(t().db))())
  })

  const ids = async (filter: FilterOf<typeof Note>): Promise<ReadonlyArray<number>> =>
    right(await pipe(query(Note), where(q.and(filter)), orderBy('id'), valuesFlat('id'), run(t().db))())
  const excluded = async (filter: FilterOf<typeof Note>): Promise<ReadonlyArray<number>> =>
    right(await pipe(query(Note), exclude(q.and(filter)), orderBy('id'), valuesFlat('id'), run(t().db))())

  it('regex is case-sensitive, iregex folds case as icontains does', async () => {
    expect(await ids({ body__regex: '^a' })).toEqual([1, 3])
    expect(await ids({ body__iregex: '^a' })).toEqual([1, 2, 3])
    expect(await ids({ body__regex: '^[A-Z]+$' })).toEqual([2])
    expect(await ids({ body__iregex: '^[A-Z]+$' })).toEqual([1, 2])
    expect(await ids({ body__iregex: 'ñ' })).toEqual([4])
    expect(await ids({ body__iregex: '^ñandú$' })).toEqual([4])
    // word-final sigma folds as any other sigma (the fold of icontains)
    expect(await ids({ body__iregex: '^σασ$' })).toEqual([8])
  })

  it('. matches a newline, ^ and $ only the ends of the text', async () => {
    expect(await ids({ body__regex: '^a.b$' })).toEqual([3])
    expect(await ids({ body__regex: 'a$' })).toEqual([])
    expect(await ids({ body__regex: '^b' })).toEqual([])
    expect(await ids({ body__regex: '[^x]b' })).toEqual([1, 3])
    expect(await ids({ body__regex: '^.{5}$' })).toEqual([4, 7])
  })

  it('alternation, groups, repetition and escaped metacharacters', async () => {
    expect(await ids({ body__regex: '^(abc|ABC)$' })).toEqual([1, 2])
    expect(await ids({ body__regex: 'x\\.y\\*z' })).toEqual([7])
    expect(await ids({ body__regex: '^(ab)?c' })).toEqual([1])
    expect(await ids({ body__regex: '^[a-c]{2,3}$' })).toEqual([1])
    expect(await ids({ body__regex: 'Ñ?and' })).toEqual([4])
  })

  it('NULL never matches; the empty pattern matches every other text; exclude is the complement', async () => {
    expect(await ids({ body__regex: '' })).toEqual([1, 2, 3, 4, 6, 7, 8])
    expect(await ids({ body__regex: '^$' })).toEqual([6])
    expect(await excluded({ body__regex: '^a' })).toEqual([2, 4, 5, 6, 7, 8])
    expect(await excluded({ body__iregex: '' })).toEqual([5])
  })

  it('a pattern outside the portable subset is a ValidationError, before any SQL', async () => {
    for (const bad of [
      '(a)\\1',
      '(?=a)',
      '(?i)a',
      '\\d',
      '\\w+',
      '[[:alpha:]]',
      'a**',
      'a*?',
      '(a+)+',
      '(a|b)*',
      '[]',
      'a{',
      '{2}',
      '[a-]',
      '[Z-a]',
      '[..]',
      '[:a:]',
      'a{300}',
      '(',
      ')',
      'a|',
      '\\',
    ]) {
      t().clearLog()
      const e = left(await pipe(query(Note), where({ body__regex: bad }), run(t().db))())
      expect(e._tag).toBe('ValidationError')
      expect(e.message).toContain('regex')
      expect(t().log).toEqual([])
    }
    const e = left(await pipe(query(Note), where({ body__iregex: '\\s' }), run(t().db))())
    expect(e.message).toMatch(/iregex: \\s is not portable/)
    // a pattern read from a column could not be checked first
    const fromColumn = left(await pipe(query(Note), where({ body__regex: F('title') } as never), run(t().db))())
    expect(fromColumn.message).toContain('regex takes a string (or a param), not an expression')
  })

  it('a pattern bound to a placeholder is checked too', async () => {
    const byPattern = prepare(pipe(query(Note), where({ body__regex: param('p') }), orderBy('id'), valuesFlat('id')))
    expect(right(await pipe(byPattern, bind({ p: 'B' }), run(t().db))())).toEqual([2])
    const e = left(await pipe(byPattern, bind({ p: '\\bB' }), run(t().db))())
    expect(e._tag).toBe('ValidationError')
  })

  it('search needs a field declared fulltext and at least one word', async () => {
    expect(left(await pipe(query(Note), where({ body__search: 'abc' }), run(t().db))())._tag).toBe('ValidationError')
    const e = left(await pipe(query(Note), where({ title__search: ' -*' }), run(t().db))())
    expect(e.message).toContain('search takes at least one word')
  })

  it('search finds the rows holding every word (or refuses on SQLite)', async () => {
    const r = await pipe(query(Note), where({ title__search: 'quick' }), orderBy('id'), valuesFlat('id'), run(t().db))()
    if (t().dialect === 'sqlite') {
      const e = left(r)
      expect(e._tag).toBe('ValidationError')
      expect(e.message).toContain('search is not available on sqlite')
      return
    }
    expect(right(r)).toEqual([1, 3, 8])
    expect(await ids({ title__search: 'brown fox' })).toEqual([1])
    expect(await ids({ title__search: 'fox brown' })).toEqual([1])
    expect(await ids({ title__search: 'brown' })).toEqual([1, 2])
    expect(await ids({ title__search: 'quick "dog" +lazy' })).toEqual([])
    expect(await ids({ title__search: 'running' })).toEqual([4])
    expect(await excluded({ title__search: 'quick' })).toEqual([2, 4, 5, 6, 7])
  })

  it('fulltext makes its index where the dialect searches, which introspection does not take for drift', async () => {
    const ex = t().db.executor
    const indexes: Record<string, string> = {
      sqlite: `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ts_note' AND name LIKE 'ft%'`,
      postgres: `SELECT indexname FROM pg_indexes WHERE tablename = 'ts_note' AND indexdef LIKE '%USING gin (to_tsvector(%simple%title%'`,
      mysql: `SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ts_note' AND INDEX_TYPE = 'FULLTEXT' AND COLUMN_NAME = 'title'`,
    }
    const found = await ex.all(indexes[t().dialect], [], false)
    expect(found.map((r) => r[0])).toEqual(t().dialect === 'sqlite' ? [] : ['ft_ts_note_title'])
    const live = await introspect(t().db)
    expect(schemaDifferences(ex.dialect, modelState([Note]), live)).toEqual([])
  })

  it('a pattern that makes backtracking engines crawl answers at once', async () => {
    right(await pipe(create(Note, { id: 9, body: `${'a'.repeat(20000)}x`, title: null }), run(t().db))())
    const started = Date.now()
    expect(await ids({ body__regex: '.*.*.*.*.*q' })).toEqual([])
    expect(await ids({ body__regex: '^(a|b)(a|b)a*.*.*x$' })).toEqual([9])
    expect(Date.now() - started).toBeLessThan(5000)
    right(await pipe(query(Note), where({ id: 9 }), remove, run(t().db))())
  })

  it('search words bound to a placeholder are checked too', async () => {
    const byWords = prepare(pipe(query(Note), where({ title__search: param('w') }), orderBy('id'), valuesFlat('id')))
    const found = await pipe(byWords, bind({ w: 'brown' }), run(t().db))()
    if (t().dialect === 'sqlite') expect(left(found)._tag).toBe('ValidationError')
    else expect(right(found)).toEqual([1, 2])
    const none = left(await pipe(byWords, bind({ w: '?!' }), run(t().db))())
    expect(none.message).toContain(
      t().dialect === 'sqlite' ? 'search is not available on sqlite' : 'search takes at least one word',
    )
  })

  it('search: where the dialects differ, as the README says', async () => {
    if (t().dialect === 'sqlite') {
      expect(left(await pipe(query(Note), where({ title__search: 'QUICK' }), run(t().db))())._tag).toBe(
        'ValidationError',
      )
      return
    }
    const pg = t().dialect === 'postgres'
    // PostgreSQL lower-cases words; MariaDB matches them as the column's binary collation does
    expect(await ids({ title__search: 'QUICK' })).toEqual(pg ? [1, 3, 8] : [])
    expect(await ids({ title__search: 'ñandú' })).toEqual(pg ? [4] : [])
    // InnoDB indexes no word shorter than 3 characters, nor its stopwords
    expect(await ids({ title__search: 'ab' })).toEqual(pg ? [8] : [])
    // PostgreSQL's parser also keeps a hyphenated word whole
    expect(await ids({ title__search: 'fox trot' })).toEqual([6])
  })
})

describe('regex and search lookups: golden SQL (run above on every dialect)', () => {
  const sql = (filter: FilterOf<typeof Note>, d: 'sqlite' | 'postgres' | 'mysql'): unknown =>
    compile(pipe(query(Note), where(q.and(filter)), valuesFlat('id')), d)

  it('regex: the dialect operator; MySQL spells the pattern for PCRE', () => {
    expect(sql({ body__regex: '^a$' }, 'sqlite')).toEqual({
      sql: 'SELECT "t0"."id" FROM "ts_note" AS "t0" WHERE "t0"."body" REGEXP ?',
      params: ['^a$'],
    })
    expect(sql({ body__regex: '^a$' }, 'postgres')).toEqual({
      sql: 'SELECT "t0"."id" FROM "ts_note" AS "t0" WHERE "t0"."body" ~ $1',
      params: ['^a$'],
    })
    expect(sql({ body__regex: '^a$|[$]\\$' }, 'mysql')).toEqual({
      sql: 'SELECT `t0`.`id` FROM `ts_note` AS `t0` WHERE `t0`.`body` REGEXP ?',
      params: ['(?s-i)^a\\z|[$]\\$'],
    })
  })

  it('iregex: both sides folded as icontains folds them', () => {
    expect(sql({ body__iregex: 'é' }, 'postgres')).toEqual({
      sql: `SELECT "t0"."id" FROM "ts_note" AS "t0" WHERE REPLACE(LOWER("t0"."body" COLLATE "und-x-icu"), 'ς', 'σ') ~ REPLACE(LOWER($1 COLLATE "und-x-icu"), 'ς', 'σ')`,
      params: ['é'],
    })
    expect(sql({ body__iregex: 'é' }, 'sqlite')).toEqual({
      sql: `SELECT "t0"."id" FROM "ts_note" AS "t0" WHERE REPLACE(terrapin_fold("t0"."body"), 'ς', 'σ') REGEXP REPLACE(terrapin_fold(?), 'ς', 'σ')`,
      params: ['é'],
    })
  })

  it('search: the words of the value, as each dialect takes them', () => {
    expect(sql({ title__search: 'quick, "fox"!' }, 'postgres')).toEqual({
      sql: `SELECT "t0"."id" FROM "ts_note" AS "t0" WHERE to_tsvector('simple', "t0"."title") @@ plainto_tsquery('simple', $1)`,
      params: ['quick fox'],
    })
    expect(sql({ title__search: 'quick, "fox"!' }, 'mysql')).toEqual({
      sql: 'SELECT `t0`.`id` FROM `ts_note` AS `t0` WHERE MATCH(`t0`.`title`) AGAINST(? IN BOOLEAN MODE)',
      params: ['+"quick" +"fox"'],
    })
  })
})
