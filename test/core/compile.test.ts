/**
 * `compile(plan, dialect)` is pure and returns `{ sql, params }`: golden SQL for a few plans on
 * each dialect, and the same SQL executed on that dialect's database with the rows checked.
 */
import { pipe } from 'fp-ts/function'
import {
  TerrapinFailure,
  bulkCreate,
  compile,
  count,
  exclude,
  exists,
  first,
  limit,
  offset,
  orderBy,
  q,
  query,
  remove,
  run,
  update,
  values,
  where,
} from 'terrapin'
import { DialectName } from '../support/databases'
import { forEachDialect, right } from '../support/dialects'
import { Tag } from './models'

type Golden = Readonly<Record<DialectName, { readonly sql: string; readonly params: ReadonlyArray<unknown> }>>

const SEED = [
  { name: 'a%b', uses: 1 },
  { name: 'axb', uses: 2 },
  { name: 'A%B', uses: 3 },
  { name: 'zed', uses: 4 },
  { name: 'x', uses: 5 },
]

const COLS = (q: string) => ['id', 'name', 'uses', 'touchedAt'].map((c) => `${q}t0${q}.${q}${c}${q}`).join(', ')

const filterPlan = pipe(
  query(Tag),
  where({ name__contains: 'a%', uses__gte: 1 }),
  orderBy('-uses', 'name'),
  limit(10),
  offset(0),
)
const orPlan = pipe(query(Tag), where(q.or({ name: 'x' }, { uses__in: [1, 2] })), exclude({ uses: 2 }), values('name'))
const countPlan = pipe(query(Tag), where({ uses__gt: 1 }), limit(3), count)
const existsPlan = pipe(query(Tag), where({ name: 'zed' }), exists)
const firstPlan = pipe(query(Tag), first)

const GOLDEN: ReadonlyArray<
  readonly [string, object, Golden, (rows: ReadonlyArray<ReadonlyArray<unknown>>) => unknown, unknown]
> = [
  [
    'a filtered, ordered, limited select',
    filterPlan,
    {
      sqlite: {
        sql: `SELECT ${COLS('"')} FROM "core_tag" AS "t0" WHERE ("t0"."name" GLOB ? AND "t0"."uses" >= ?) ORDER BY "t0"."uses" DESC, "t0"."name" ASC LIMIT 10`,
        params: ['*a%*', 1],
      },
      postgres: {
        sql: `SELECT ${COLS('"')} FROM "core_tag" AS "t0" WHERE (strpos("t0"."name", $1) > 0 AND "t0"."uses" >= $2) ORDER BY "t0"."uses" DESC, "t0"."name" ASC LIMIT 10`,
        params: ['a%', 1],
      },
      mysql: {
        sql: `SELECT ${COLS('`')} FROM \`core_tag\` AS \`t0\` WHERE (INSTR(\`t0\`.\`name\`, ?) > 0 AND \`t0\`.\`uses\` >= ?) ORDER BY \`t0\`.\`uses\` DESC, \`t0\`.\`name\` ASC LIMIT 10`,
        params: ['a%', 1],
      },
    },
    (rows) => rows.map((r) => r[1]),
    ['a%b'],
  ],
  [
    'or, in, exclude, values',
    orPlan,
    {
      sqlite: {
        sql: 'SELECT "t0"."name" FROM "core_tag" AS "t0" WHERE (("t0"."name" = ? OR "t0"."uses" IN (?, ?)) AND NOT COALESCE("t0"."uses" = ?, 0))',
        params: ['x', 1, 2, 2],
      },
      postgres: {
        sql: 'SELECT "t0"."name" FROM "core_tag" AS "t0" WHERE (("t0"."name" = $1 OR "t0"."uses" IN ($2, $3)) AND NOT COALESCE("t0"."uses" = $4, FALSE))',
        params: ['x', 1, 2, 2],
      },
      mysql: {
        sql: 'SELECT `t0`.`name` FROM `core_tag` AS `t0` WHERE ((`t0`.`name` = ? OR `t0`.`uses` IN (?, ?)) AND NOT COALESCE(`t0`.`uses` = ?, 0))',
        params: ['x', 1, 2, 2],
      },
    },
    (rows) => rows.map((r) => r[0]).sort(),
    ['a%b', 'x'],
  ],
  [
    'count of a limited plan',
    countPlan,
    {
      sqlite: {
        sql: `SELECT COUNT(*) FROM (SELECT 1 FROM "core_tag" AS "t0" WHERE "t0"."uses" > ? LIMIT 3) AS "c"`,
        params: [1],
      },
      postgres: {
        sql: `SELECT COUNT(*) FROM (SELECT 1 FROM "core_tag" AS "t0" WHERE "t0"."uses" > $1 LIMIT 3) AS "c"`,
        params: [1],
      },
      mysql: {
        sql: `SELECT COUNT(*) FROM (SELECT 1 FROM \`core_tag\` AS \`t0\` WHERE \`t0\`.\`uses\` > ? LIMIT 3) AS \`c\``,
        params: [1],
      },
    },
    (rows) => Number(rows[0][0]),
    3,
  ],
  [
    'exists',
    existsPlan,
    {
      sqlite: {
        sql: 'SELECT EXISTS (SELECT 1 FROM "core_tag" AS "t0" WHERE "t0"."name" = ? LIMIT 1)',
        params: ['zed'],
      },
      postgres: {
        sql: 'SELECT EXISTS (SELECT 1 FROM "core_tag" AS "t0" WHERE "t0"."name" = $1 LIMIT 1)',
        params: ['zed'],
      },
      mysql: { sql: 'SELECT EXISTS (SELECT 1 FROM `core_tag` AS `t0` WHERE `t0`.`name` = ? LIMIT 1)', params: ['zed'] },
    },
    (rows) => Number(rows[0][0]) === 1 || rows[0][0] === true,
    true,
  ],
  [
    'first of an unordered plan orders by the key',
    firstPlan,
    {
      sqlite: {
        sql: `SELECT ${COLS('"')} FROM "core_tag" AS "t0" ORDER BY "t0"."id" ASC LIMIT 1`,
        params: [],
      },
      postgres: { sql: `SELECT ${COLS('"')} FROM "core_tag" AS "t0" ORDER BY "t0"."id" ASC LIMIT 1`, params: [] },
      mysql: { sql: `SELECT ${COLS('`')} FROM \`core_tag\` AS \`t0\` ORDER BY \`t0\`.\`id\` ASC LIMIT 1`, params: [] },
    },
    (rows) => rows.map((r) => r[1]),
    ['a%b'],
  ],
]

const updatePlan = pipe(query(Tag), orderBy('name'), limit(2), update({ uses: 9 }))
const UPDATE_GOLDEN: Golden = {
  sqlite: {
    sql: 'UPDATE "core_tag" AS "t0" SET "uses" = ? WHERE "t0"."id" IN (SELECT "id" FROM (SELECT "t1"."id" FROM "core_tag" AS "t1" ORDER BY "t1"."name" ASC LIMIT 2) AS "s")',
    params: [9],
  },
  postgres: {
    sql: 'UPDATE "core_tag" AS "t0" SET "uses" = $1 WHERE "t0"."id" IN (SELECT "id" FROM (SELECT "t1"."id" FROM "core_tag" AS "t1" ORDER BY "t1"."name" ASC LIMIT 2) AS "s")',
    params: [9],
  },
  mysql: {
    sql: 'UPDATE `core_tag` AS `t0` SET `t0`.`uses` = ? WHERE `t0`.`id` IN (SELECT `id` FROM (SELECT `t1`.`id` FROM `core_tag` AS `t1` ORDER BY `t1`.`name` ASC LIMIT 2) AS `s`)',
    params: [9],
  },
}
const removePlan = pipe(query(Tag), where({ name__startswith: 'a' }), remove)
const REMOVE_GOLDEN: Golden = {
  sqlite: { sql: 'DELETE FROM "core_tag" AS "t0" WHERE "t0"."name" GLOB ?', params: ['a*'] },
  postgres: { sql: `DELETE FROM "core_tag" AS "t0" WHERE "t0"."name" LIKE $1 ESCAPE '\\'`, params: ['a%'] },
  mysql: { sql: "DELETE `t0` FROM `core_tag` AS `t0` WHERE `t0`.`name` LIKE ? ESCAPE '\\\\'", params: ['a%'] },
}

describe('compile is pure', () => {
  it('gives the same output for the same plan, and for an equal plan built again', () => {
    for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
      expect(compile(filterPlan, d)).toEqual(compile(filterPlan, d))
      const again = pipe(
        query(Tag),
        where({ name__contains: 'a%', uses__gte: 1 }),
        orderBy('-uses', 'name'),
        limit(10),
        offset(0),
      )
      expect(compile(again, d)).toEqual(compile(filterPlan, d))
    }
  })

  it('every value is a parameter, never spliced into the SQL', () => {
    const evil = "x'; DROP TABLE core_tag; --"
    for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
      const c = compile(pipe(query(Tag), where({ name: evil, name__icontains: evil })), d)
      expect(c.sql).not.toContain('DROP')
      expect(c.params).toContain(evil)
    }
  })

  it('an invalid plan does not compile: it throws the TerrapinFailure that running it returns', () => {
    expect(() => compile(pipe(query(Tag), where({ nope: 1 } as never)), 'sqlite')).toThrow(TerrapinFailure)
  })
})

forEachDialect('compile', [Tag], (t) => {
  beforeEach(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Tag, SEED), run(t().db))())
  })

  it.each(GOLDEN)('%s: golden SQL, executed', async (_label, plan, golden, read, expected) => {
    const d = t().dialect
    const c = compile(plan as never, d)
    expect(c).toEqual(golden[d])
    const rows = await t().db.executor.all(c.sql, c.params, false)
    expect(read(rows)).toEqual(expected)
    // and the plan run through the runner agrees
    const via = right(await run(t().db)(plan as never)())
    if (Array.isArray(via) && Array.isArray(expected)) expect(via.length).toBe(expected.length)
    else if (!Array.isArray(via) && via !== null && typeof via === 'object')
      expect((via as { name: string }).name).toEqual((expected as string[])[0])
    else expect(via).toEqual(expected)
  })

  it('update of a limited plan: golden SQL, executed', async () => {
    const c = compile(updatePlan, t().dialect)
    expect(c).toEqual(UPDATE_GOLDEN[t().dialect])
    expect((await t().db.executor.run(c.sql, c.params)).changes).toBe(2)
    const nines = right(await pipe(query(Tag), where({ uses: 9 }), orderBy('name'), values('name'), run(t().db))())
    expect(nines.map((r) => r.name)).toEqual([...SEED.map((r) => r.name)].sort((a, b) => (a < b ? -1 : 1)).slice(0, 2))
  })

  it('remove: golden SQL, executed (case-sensitive startswith)', async () => {
    const c = compile(removePlan, t().dialect)
    expect(c).toEqual(REMOVE_GOLDEN[t().dialect])
    expect((await t().db.executor.run(c.sql, c.params)).changes).toBe(2)
    expect(right(await pipe(query(Tag), count, run(t().db))())).toBe(3)
  })
})
