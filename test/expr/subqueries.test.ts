/**
 * Grouping over a relation path (`groupBy('shelf__room')`), with rows and aggregates, on every
 * dialect (PostgreSQL refused it while the grouped subquery was rendered under other aliases),
 * and scalar subqueries: one row is its value, none is NULL, more than one is the same
 * QueryError (`SUBQUERY_MULTIPLE_ROWS`) everywhere (SQLite would take the first row).
 */
import { pipe } from 'fp-ts/function'
import {
  Count,
  OuterRef,
  SUBQUERY_MULTIPLE_ROWS,
  Subquery,
  Sum,
  annotate,
  bulkCreate,
  compile,
  count,
  fields,
  first,
  groupBy,
  limit,
  model,
  orderBy,
  query,
  run,
  schema,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'

const { Shelf, Item } = schema({
  Shelf: model('Shelf', {
    table: 'sq_shelf',
    fields: { id: fields.int({ pk: true }), room: fields.char({ maxLength: 20 }) },
  }),
  Item: model('Item', {
    table: 'sq_item',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 20 }),
      price: fields.int(),
      shelf: fields.foreignKey('Shelf', { relatedName: 'items' }),
    },
  }),
})

const SHELVES = [
  { id: 1, room: 'hall' },
  { id: 2, room: 'attic' },
  { id: 3, room: 'hall' },
  { id: 4, room: 'cellar' },
]
const ITEMS = [
  { id: 1, title: 'a', price: 3, shelfId: 1 },
  { id: 2, title: 'b', price: 5, shelfId: 1 },
  { id: 3, title: 'c', price: 7, shelfId: 2 },
  { id: 4, title: 'd', price: 11, shelfId: 3 },
]
const roomOf = (shelfId: number): string => SHELVES.find((s) => s.id === shelfId)!.room
const ROOMS = [...new Set(ITEMS.map((i) => roomOf(i.shelfId)))].sort()
const perRoom = ROOMS.map((room) => {
  const items = ITEMS.filter((i) => roomOf(i.shelfId) === room)
  return { shelf__room: room, n: items.length, total: items.reduce((a, i) => a + i.price, 0) }
})

forEachDialect('subqueries', [Shelf, Item], (t) => {
  beforeAll(async () => {
    right(await pipe(bulkCreate(Shelf, SHELVES), run(t().db))())
    right(await pipe(bulkCreate(Item, ITEMS), run(t().db))())
  })

  const byRoom = pipe(query(Item), groupBy('shelf__room'), annotate({ n: Count(), total: Sum('price') }))

  it('groupBy over a relation path gives one row per related value, with its aggregates', async () => {
    const rows = right(await pipe(byRoom, orderBy('shelf__room'), run(t().db))()) as unknown as ReadonlyArray<
      Record<string, unknown>
    >
    expect(rows).toEqual(perRoom)
    const unordered = right(
      await pipe(byRoom, values('shelf__room', 'total'), run(t().db))(),
    ) as unknown as ReadonlyArray<{ shelf__room: string }>
    expect([...unordered].sort((a, b) => (a.shelf__room < b.shelf__room ? -1 : 1))).toEqual(
      perRoom.map(({ shelf__room, total }) => ({ shelf__room, total })),
    )
  })

  it('a grouped relation path works with HAVING, first and count', async () => {
    const busy = right(
      await pipe(byRoom, where({ n__gte: 2 }), orderBy('-total'), valuesFlat('shelf__room'), run(t().db))(),
    )
    expect(busy).toEqual(perRoom.filter((r) => r.n >= 2).map((r) => r.shelf__room))
    expect(right(await pipe(byRoom, first, run(t().db))())).toEqual(perRoom[0])
    expect(right(await pipe(byRoom, count, run(t().db))())).toBe(perRoom.length)
  })

  const titles = pipe(query(Item), where({ shelfId: OuterRef('id') }), orderBy('title'), valuesFlat('title'))

  it('a scalar subquery of one row is its value, of none NULL', async () => {
    const rows = right(
      await pipe(
        query(Shelf),
        where({ id__in: [2, 3, 4] }),
        orderBy('id'),
        annotate({ t: Subquery(titles) }),
        values('id', 't'),
        run(t().db),
      )(),
    )
    expect(rows).toEqual([
      { id: 2, t: 'c' },
      { id: 3, t: 'd' },
      { id: 4, t: null },
    ])
    const firstTitle = right(
      await pipe(
        query(Shelf),
        orderBy('id'),
        annotate({ t: Subquery(pipe(titles, limit(1))) }),
        valuesFlat('t'),
        run(t().db),
      )(),
    )
    expect(firstTitle).toEqual(['a', 'c', 'd', null])
  })

  it('a scalar subquery of more than one row is QueryError SUBQUERY_MULTIPLE_ROWS on every dialect', async () => {
    const plans = [
      pipe(query(Shelf), annotate({ t: Subquery(titles) }), values('id', 't')),
      pipe(query(Shelf), where({ room: Subquery(pipe(query(Shelf), valuesFlat('room'))) })),
      pipe(query(Item), where({ id: 4 }), update({ price: Subquery(pipe(query(Item), valuesFlat('price'))) })),
    ]
    for (const plan of plans) {
      const e = left(await pipe(plan as never, run(t().db))()) as {
        _tag: string
        code?: string
        message: string
        sql?: string
      }
      expect({ tag: e._tag, code: e.code, message: e.message }).toEqual({
        tag: 'QueryError',
        code: SUBQUERY_MULTIPLE_ROWS,
        message: 'a subquery used as a value returned more than one row',
      })
      expect(e.sql).toMatch(/SELECT/)
    }
    // nothing was written, and the connection serves the next plan
    expect(right(await pipe(query(Item), where({ id: 4 }), valuesFlat('price'), run(t().db))())).toEqual([11])
  })
})

describe('subqueries compiled', () => {
  const titles = pipe(query(Item), where({ shelfId: OuterRef('id') }), valuesFlat('title'))

  it('SQLite counts up to two rows of a scalar subquery, unless its limit is one', () => {
    const many = compile(pipe(query(Shelf), annotate({ t: Subquery(titles) }), values('t')), 'sqlite').sql
    expect(many).toBe(
      'SELECT (SELECT CASE WHEN COUNT(*) > 1 THEN terrapin_multiple_rows() ELSE MAX("v") END FROM (SELECT "t1"."title" AS "v" FROM "sq_item" AS "t1" WHERE "t1"."shelf_id" = "t0"."id" LIMIT 2)) FROM "sq_shelf" AS "t0"',
    )
    const one = compile(
      pipe(query(Shelf), annotate({ t: Subquery(pipe(titles, limit(1))) }), values('t')),
      'sqlite',
    ).sql
    expect(one).toBe(
      'SELECT (SELECT "t1"."title" FROM "sq_item" AS "t1" WHERE "t1"."shelf_id" = "t0"."id" LIMIT 1) FROM "sq_shelf" AS "t0"',
    )
    for (const d of ['postgres', 'mysql'] as const)
      expect(compile(pipe(query(Shelf), annotate({ t: Subquery(titles) }), values('t')), d).sql).not.toMatch(/COUNT/)
  })

  it('a grouped relation path is the same text in SELECT, GROUP BY and ORDER BY', () => {
    const { sql } = compile(
      pipe(query(Item), groupBy('shelf__room'), annotate({ n: Count() }), orderBy('shelf__room')),
      'postgres',
    )
    const path = '(SELECT "t1"."room" FROM "sq_shelf" AS "t1" WHERE "t1"."id" = "t0"."shelf_id")'
    expect(sql).toBe(
      `SELECT ${path}, COUNT(*) FROM "sq_item" AS "t0" GROUP BY ${path} ORDER BY ${path} ASC NULLS FIRST`,
    )
  })
})
