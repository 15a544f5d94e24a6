/**
 * Golden SQL of expression plans on each dialect — aggregates over a relation as correlated
 * subqueries, GROUP BY with HAVING, UPDATE with F, EXISTS with OuterRef, the text functions —
 * and the same SQL executed on that dialect's database with its rows checked.
 */
import { pipe } from 'fp-ts/function'
import {
  Avg,
  Concat,
  Count,
  F,
  Lower,
  Max,
  OuterRef,
  Sum,
  annotate,
  bulkCreate,
  compile,
  exists,
  groupBy,
  orderBy,
  query,
  run,
  update,
  values,
  where,
} from 'terrapin'
import { DialectName } from '../support/databases'
import { forEachDialect, right } from '../support/dialects'
import { Author, Book } from './models'

type Golden = Readonly<Record<DialectName, { readonly sql: string; readonly params: ReadonlyArray<unknown> }>>

const countBooks = (q: string, a: string): string =>
  `(SELECT COUNT(*) FROM ${q}x_book${q} AS ${q}${a}${q} WHERE ${q}${a}${q}.${q}author_id${q} = ${q}t0${q}.${q}id${q})`

const CASES: ReadonlyArray<readonly [string, object, Golden, unknown]> = [
  [
    'an aggregate over a reverse relation, filtered and ordered',
    pipe(
      query(Author),
      annotate({ n: Count('books') }),
      where({ n__gte: 2 }),
      orderBy('-n', 'name'),
      values('name', 'n'),
    ),
    {
      sqlite: {
        sql: `SELECT "t0"."name", ${countBooks('"', 't1')} FROM "x_author" AS "t0" WHERE ${countBooks('"', 't2')} >= ? ORDER BY ${countBooks('"', 't3')} DESC, "t0"."name" ASC`,
        params: [2],
      },
      postgres: {
        sql: `SELECT "t0"."name", ${countBooks('"', 't1')} FROM "x_author" AS "t0" WHERE ${countBooks('"', 't2')} >= $1 ORDER BY ${countBooks('"', 't3')} DESC, "t0"."name" ASC`,
        params: [2],
      },
      mysql: {
        sql: `SELECT \`t0\`.\`name\`, CAST(${countBooks('`', 't1')} AS CHAR) FROM \`x_author\` AS \`t0\` WHERE ${countBooks('`', 't2')} >= ? ORDER BY ${countBooks('`', 't3')} DESC, \`t0\`.\`name\` ASC`,
        params: [2],
      },
    },
    [
      ['b', 4],
      ['a', 2],
    ],
  ],
  [
    'GROUP BY with a condition in WHERE and one in HAVING',
    pipe(
      query(Book),
      groupBy('authorId'),
      annotate({ n: Count(), top: Max('pages') }),
      where({ n__gt: 1, pages__gte: 100 }),
      orderBy('authorId'),
      values('n', 'top'),
    ),
    {
      sqlite: {
        sql: 'SELECT COUNT(*), MAX("t0"."pages") FROM "x_book" AS "t0" WHERE "t0"."pages" >= ? GROUP BY "t0"."author_id" HAVING COUNT(*) > ? ORDER BY "t0"."author_id" ASC',
        params: [100, 1],
      },
      postgres: {
        sql: 'SELECT COUNT(*), MAX("t0"."pages") FROM "x_book" AS "t0" WHERE "t0"."pages" >= $1 GROUP BY "t0"."author_id" HAVING COUNT(*) > $2 ORDER BY "t0"."author_id" ASC',
        params: [100, 1],
      },
      mysql: {
        sql: 'SELECT CAST(COUNT(*) AS CHAR), MAX(`t0`.`pages`) FROM `x_book` AS `t0` WHERE `t0`.`pages` >= ? GROUP BY `t0`.`author_id` HAVING COUNT(*) > ? ORDER BY `t0`.`author_id` ASC',
        params: [100, 1],
      },
    },
    [
      [2, 300],
      [3, 500],
    ],
  ],
  [
    'AVG and SUM as doubles: an integer column cast, a float column as it is',
    pipe(
      query(Book),
      groupBy('authorId'),
      annotate({ mean: Avg('rating'), total: Sum('pages') }),
      orderBy('authorId'),
      values('mean', 'total'),
    ),
    {
      sqlite: {
        sql: 'SELECT AVG("t0"."rating"), SUM(CAST("t0"."pages" AS REAL)) FROM "x_book" AS "t0" GROUP BY "t0"."author_id" ORDER BY "t0"."author_id" ASC',
        params: [],
      },
      postgres: {
        sql: 'SELECT AVG("t0"."rating"), SUM(CAST("t0"."pages" AS DOUBLE PRECISION)) FROM "x_book" AS "t0" GROUP BY "t0"."author_id" ORDER BY "t0"."author_id" ASC',
        params: [],
      },
      mysql: {
        sql: 'SELECT CAST(AVG(`t0`.`rating`) AS CHAR), CAST(SUM(CAST(`t0`.`pages` AS DOUBLE)) AS CHAR) FROM `x_book` AS `t0` GROUP BY `t0`.`author_id` ORDER BY `t0`.`author_id` ASC',
        params: [],
      },
    },
    [
      [3, 400],
      [5, 1150],
    ],
  ],
  [
    'EXISTS correlated by OuterRef',
    pipe(
      query(Author),
      where(exists(pipe(query(Book), where({ authorId: OuterRef('id'), pages__gte: 400 })))),
      values('name'),
    ),
    {
      sqlite: {
        sql: 'SELECT "t0"."name" FROM "x_author" AS "t0" WHERE EXISTS (SELECT 1 FROM "x_book" AS "t1" WHERE ("t1"."author_id" = "t0"."id" AND "t1"."pages" >= ?))',
        params: [400],
      },
      postgres: {
        sql: 'SELECT "t0"."name" FROM "x_author" AS "t0" WHERE EXISTS (SELECT 1 FROM "x_book" AS "t1" WHERE ("t1"."author_id" = "t0"."id" AND "t1"."pages" >= $1))',
        params: [400],
      },
      mysql: {
        sql: 'SELECT `t0`.`name` FROM `x_author` AS `t0` WHERE EXISTS (SELECT 1 FROM `x_book` AS `t1` WHERE (`t1`.`author_id` = `t0`.`id` AND `t1`.`pages` >= ?))',
        params: [400],
      },
    },
    [['b']],
  ],
  [
    'Lower and Concat (NULL as empty)',
    pipe(
      query(Author),
      annotate({ low: Lower(F('name')), label: Concat(F('name'), ':', F('nick')) }),
      orderBy('name'),
      values('low', 'label'),
    ),
    {
      sqlite: {
        sql: `SELECT terrapin_fold("t0"."name"), (COALESCE("t0"."name", '') || COALESCE(?, '') || COALESCE("t0"."nick", '')) FROM "x_author" AS "t0" ORDER BY "t0"."name" ASC`,
        params: [':'],
      },
      postgres: {
        sql: `SELECT (LOWER("t0"."name" COLLATE "und-x-icu") COLLATE "C"), (COALESCE("t0"."name", '') || COALESCE(CAST($1 AS TEXT), '') || COALESCE("t0"."nick", '')) FROM "x_author" AS "t0" ORDER BY "t0"."name" ASC`,
        params: [':'],
      },
      mysql: {
        sql: "SELECT LOWER(`t0`.`name`), CONCAT(COALESCE(`t0`.`name`, ''), COALESCE(?, ''), COALESCE(`t0`.`nick`, '')) FROM `x_author` AS `t0` ORDER BY `t0`.`name` ASC",
        params: [':'],
      },
    },
    [
      ['a', 'a:A'],
      ['b', 'b:'],
      ['c', 'c:'],
    ],
  ],
]

const UPDATE = pipe(
  query(Book),
  where({ pages__lt: 150 }),
  update({ pages: F('pages').add(1), rating: F('rating').div(2) }),
)
const UPDATE_GOLDEN: Golden = {
  sqlite: {
    sql: 'UPDATE "x_book" AS "t0" SET "pages" = ("t0"."pages" + ?), "rating" = (CAST("t0"."rating" AS REAL) / NULLIF(?, 0)) WHERE "t0"."pages" < ?',
    params: [1, 2, 150],
  },
  postgres: {
    sql: 'UPDATE "x_book" AS "t0" SET "pages" = ("t0"."pages" + CAST($1 AS INTEGER)), "rating" = (CAST("t0"."rating" AS DOUBLE PRECISION) / NULLIF(CAST($2 AS INTEGER), 0)) WHERE "t0"."pages" < $3',
    params: [1, 2, 150],
  },
  mysql: {
    sql: 'UPDATE `x_book` AS `t0` SET `t0`.`pages` = (`t0`.`pages` + ?), `t0`.`rating` = (CAST(`t0`.`rating` AS DOUBLE) / NULLIF(?, 0)) WHERE `t0`.`pages` < ?',
    params: [1, 2, 150],
  },
}

forEachDialect('expression sql', [Author, Book], (t) => {
  beforeAll(async () => {
    await t().reset()
    const [a, b] = right(
      await pipe(bulkCreate(Author, [{ name: 'a', nick: 'A' }, { name: 'b' }, { name: 'c' }]), run(t().db))(),
    )
    right(
      await pipe(
        bulkCreate(Book, [
          { title: 'a1', pages: 100, rating: 3, authorId: a.id },
          { title: 'a2', pages: 300, authorId: a.id },
          { title: 'b1', pages: 50, rating: 5, authorId: b.id },
          { title: 'b2', pages: 200, authorId: b.id },
          { title: 'b3', pages: 400, authorId: b.id },
          { title: 'b4', pages: 500, authorId: b.id },
        ]),
        run(t().db),
      )(),
    )
  })

  it.each(CASES)('%s', async (_name, plan, golden, expected) => {
    // compile(…, 'mysql') is the MySQL record; a MariaDB connection folds with its own collation
    const c = compile(plan as never, t().dialect)
    expect(c).toEqual(golden[t().dialect])
    const rows = await t().db.executor.all(c.sql, c.params, false)
    expect(rows.map((r) => r.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)))).toEqual(expected)
  })

  it('UPDATE with F', async () => {
    const c = compile(UPDATE, t().dialect)
    expect(c).toEqual(UPDATE_GOLDEN[t().dialect])
    expect((await t().db.executor.run(c.sql, c.params)).changes).toBe(2)
    const rows = await t().db.executor.all(
      'SELECT pages, rating FROM x_book WHERE pages < 150 ORDER BY pages',
      [],
      false,
    )
    expect(rows.map((r) => [Number(r[0]), r[1] === null ? null : Number(r[1])])).toEqual([
      [51, 2.5],
      [101, 1.5],
    ])
  })
})
