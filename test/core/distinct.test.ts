/**
 * distinct with the other read combinators: ordering, first, exists and count with offset —
 * the same answer on every dialect (PostgreSQL refuses ORDER BY on columns a SELECT DISTINCT
 * does not select; `SELECT DISTINCT 1` would collapse every row into one).
 */
import { pipe } from 'fp-ts/function'
import {
  bulkCreate,
  count,
  distinct,
  exists,
  first,
  limit,
  offset,
  orderBy,
  query,
  run,
  values,
  valuesFlat,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Item } from './models'

const SEED = Array.from({ length: 9 }, (_, i) => ({ name: `d${i}`, note: ['x', 'y', 'z', null][i % 4], n: i }))
const NOTES = [...new Set(SEED.map((r) => r.note))]

forEachDialect('distinct', [Item], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(await pipe(bulkCreate(Item, SEED), run(t().db))())
  })

  it('exists and count of a distinct projection honour the offset', async () => {
    const db = t().db
    for (let off = 0; off <= NOTES.length + 1; off++) {
      const p = pipe(query(Item), values('note'), distinct, offset(off))
      const rows = right(await pipe(p, run(db))())
      expect(rows.length).toBe(Math.max(0, NOTES.length - off))
      expect(right(await pipe(p, count, run(db))())).toBe(rows.length)
      expect(right(await pipe(p, exists, run(db))())).toBe(rows.length > 0)
    }
  })

  it('first of an unordered distinct projection is one of its rows', async () => {
    const got = right(await pipe(query(Item), values('note'), distinct, first, run(t().db))())
    expect(NOTES).toContain(got?.note)
  })

  it('a distinct projection orders by its own fields', async () => {
    const flat = right(await pipe(query(Item), valuesFlat('note'), distinct, orderBy('-note'), limit(2), run(t().db))())
    expect(flat).toEqual(['z', 'y'])
  })

  it('a distinct projection ordered by a field it does not select is a ValidationError on every dialect', async () => {
    t().clearLog()
    const e = left(await pipe(query(Item), values('note'), distinct, orderBy('n'), run(t().db))())
    expect(e._tag).toBe('ValidationError')
    expect(t().log).toEqual([])
  })
})
