/**
 * Reading: ordering (NULLs first ascending, last descending), limit/offset (and how they
 * combine), distinct, values/valuesList/valuesFlat, and the terminals first/get/getOrNone/
 * count/exists — on plans with and without limit, offset and distinct. Expectations come from
 * the inserted data, sorted and sliced in JS.
 */
import { pipe } from 'fp-ts/function'
import {
  Query,
  bulkCreate,
  count,
  create,
  distinct,
  exists,
  first,
  get,
  getOrNone,
  limit,
  offset,
  orderBy,
  query,
  run,
  runPromise,
  TerrapinFailure,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book, Item, Rel } from './models'

type Seed = { name: string; n: number | null; x: number | null; note: string | null }
const SEED: ReadonlyArray<Seed> = Array.from({ length: 13 }, (_, i) => ({
  name: `r${String(i).padStart(2, '0')}`,
  n: i % 4 === 3 ? null : i % 5,
  x: i % 3 === 0 ? null : (i * 7) % 10,
  note: i % 2 ? 'odd' : i % 3 ? 'even' : null,
}))

const nullsFirst = (a: number | null, b: number | null): number =>
  a === null ? (b === null ? 0 : -1) : b === null ? 1 : a - b

/** The seed sorted by n (NULLs first), ties by name: the JS model of orderBy('n', 'name'). */
const byN = [...SEED].sort((a, b) => nullsFirst(a.n, b.n) || (a.name < b.name ? -1 : 1))
const byNDesc = [...SEED].sort((a, b) => nullsFirst(b.n, a.n) || (a.name < b.name ? -1 : 1))

forEachDialect('reads', [Item, Rel.Author, Rel.Book], (t) => {
  let ids: Record<string, number> = {}
  beforeAll(async () => {
    await t().reset()
    const rows = right(await pipe(bulkCreate(Item, SEED), run(t().db))())
    ids = Object.fromEntries(rows.map((r) => [r.name, r.id]))
  })
  const names = async <R>(plan: Query<typeof Item, R>): Promise<string[]> => [
    ...right(await pipe(plan, valuesFlat('name'), run(t().db))()),
  ]

  it('orders ascending with NULLs first and descending with NULLs last, ties broken by the next key', async () => {
    expect(await names(pipe(query(Item), orderBy('n', 'name')))).toEqual(byN.map((r) => r.name))
    expect(await names(pipe(query(Item), orderBy('-n', 'name')))).toEqual(byNDesc.map((r) => r.name))
    expect(await names(pipe(query(Item), orderBy('-name')))).toEqual(SEED.map((r) => r.name).reverse())
    const byXThenNDesc = [...SEED].sort(
      (a, b) => nullsFirst(a.x, b.x) || nullsFirst(b.n, a.n) || (a.name < b.name ? -1 : 1),
    )
    expect(await names(pipe(query(Item), orderBy('x', '-n', 'name')))).toEqual(byXThenNDesc.map((r) => r.name))
  })

  it('orderBy replaces an earlier ordering', async () => {
    expect(await names(pipe(query(Item), orderBy('-name'), orderBy('n', 'name')))).toEqual(byN.map((r) => r.name))
  })

  it('limit and offset slice the ordered rows; they commute; limit∘limit is the smaller; offset replaces', async () => {
    const all = byN.map((r) => r.name)
    const base = pipe(query(Item), orderBy('n', 'name'))
    expect(await names(pipe(base, limit(4)))).toEqual(all.slice(0, 4))
    expect(await names(pipe(base, offset(3)))).toEqual(all.slice(3))
    expect(await names(pipe(base, limit(4), offset(3)))).toEqual(all.slice(3, 7))
    expect(await names(pipe(base, offset(3), limit(4)))).toEqual(all.slice(3, 7))
    expect(await names(pipe(base, limit(4), limit(2)))).toEqual(all.slice(0, 2))
    expect(await names(pipe(base, limit(2), limit(9)))).toEqual(all.slice(0, 2))
    expect(await names(pipe(base, offset(9), offset(2), limit(3)))).toEqual(all.slice(2, 5))
    expect(await names(pipe(base, limit(0)))).toEqual([])
    expect(await names(pipe(base, offset(100)))).toEqual([])
    expect(await names(pipe(base, offset(0)))).toEqual(all)
  })

  it('distinct drops duplicate rows of a projection', async () => {
    const got = right(await pipe(query(Item), values('note'), distinct, orderBy('note'), run(t().db))())
    const expected = [...new Set(SEED.map((r) => r.note))].sort((a, b) =>
      a === null ? -1 : b === null ? 1 : a < b ? -1 : 1,
    )
    expect(got).toEqual(expected.map((note) => ({ note })))
    const flat = right(await pipe(query(Item), distinct, orderBy('-n'), valuesFlat('n'), run(t().db))())
    expect(flat).toEqual([...new Set(byNDesc.map((r) => r.n))])
  })

  it('values, valuesList and valuesFlat return only the named fields, decoded', async () => {
    const db = t().db
    const v = right(await pipe(query(Item), orderBy('name'), values('name', 'n'), run(db))())
    expect(v).toEqual(SEED.map((r) => ({ name: r.name, n: r.n })))
    const l = right(await pipe(query(Item), orderBy('name'), valuesList('id', 'name', 'x'), run(db))())
    expect(l).toEqual(SEED.map((r) => [ids[r.name], r.name, r.x]))
    const f = right(await pipe(query(Item), orderBy('name'), where({ n__gte: 3 }), valuesFlat('name'), run(db))())
    expect(f).toEqual(SEED.filter((r) => r.n !== null && r.n >= 3).map((r) => r.name))
  })

  it('values with a relation name selects the foreign key', async () => {
    const db = t().db
    const a = right(await pipe(create(Rel.Author, { name: 'Ann' }), run(db))())
    const b = right(await pipe(create(Rel.Book, { title: 'One', authorId: a.id }), run(db))())
    const viaKey = right(await pipe(query(Rel.Book), values('title', 'authorId'), run(db))())
    expect(viaKey).toEqual([{ title: 'One', authorId: a.id }])
    const viaName = right(await run(db)(pipe(query(Rel.Book), values('title', 'author' as never)))())
    expect(viaName).toEqual([{ title: 'One', author: a.id }])
    const list = right(await run(db)(pipe(query(Rel.Book), valuesList('id', 'author' as never)))())
    expect(list).toEqual([[b.id, a.id]])
    const across = right(await run(db)(pipe(query(Rel.Book), values('title', 'author__name' as never)))())
    expect(across).toEqual([{ title: 'One', author__name: 'Ann' }])
  })

  it('first: the first row by primary key when unordered, by the ordering otherwise; null when none', async () => {
    const db = t().db
    const minId = Math.min(...Object.values(ids))
    expect(right(await pipe(query(Item), first, run(db))())?.id).toBe(minId)
    expect(right(await pipe(query(Item), orderBy('-n', 'name'), first, run(db))())?.name).toBe(byNDesc[0].name)
    expect(right(await pipe(query(Item), where({ name: 'nope' }), first, run(db))())).toBeNull()
    expect(right(await pipe(query(Item), values('name'), first, run(db))())).toEqual({
      name: byN.slice().sort((a, b) => ids[a.name] - ids[b.name])[0].name,
    })
  })

  it('first respects offset and limit', async () => {
    const db = t().db
    const all = byN.map((r) => r.name)
    expect(right(await pipe(query(Item), orderBy('n', 'name'), offset(5), first, run(db))())?.name).toBe(all[5])
    expect(right(await pipe(query(Item), offset(2), first, run(db))())?.id).toBe(
      [...Object.values(ids)].sort((a, b) => a - b)[2],
    )
    expect(right(await pipe(query(Item), orderBy('n', 'name'), limit(0), first, run(db))())).toBeNull()
    expect(right(await pipe(query(Item), orderBy('n', 'name'), offset(3), limit(5), first, run(db))())?.name).toBe(
      all[3],
    )
    expect(right(await pipe(query(Item), orderBy('n', 'name'), offset(100), first, run(db))())).toBeNull()
  })

  it('get: exactly one row, DoesNotExist when none, MultipleObjectsReturned when several', async () => {
    const db = t().db
    expect(right(await pipe(query(Item), where({ name: 'r03' }), get, run(db))()).id).toBe(ids.r03)
    expect(left(await pipe(query(Item), where({ name: 'nope' }), get, run(db))())).toMatchObject({
      _tag: 'DoesNotExist',
      model: 'Item',
    })
    expect(left(await pipe(query(Item), where({ n: 1 }), get, run(db))())).toMatchObject({
      _tag: 'MultipleObjectsReturned',
      model: 'Item',
    })
    // runPromise rejects with the same typed error
    const rejected = await runPromise(db)(pipe(query(Item), where({ name: 'nope' }), get)).catch((e: unknown) => e)
    expect(rejected).toBeInstanceOf(TerrapinFailure)
    expect(rejected).toMatchObject({ _tag: 'DoesNotExist', error: { _tag: 'DoesNotExist' } })
  })

  it('get and getOrNone on a limited or offset plan look at the rows that plan returns', async () => {
    const db = t().db
    const ones = byN.filter((r) => r.n === 1).map((r) => r.name)
    expect(ones.length).toBeGreaterThan(1)
    expect(right(await pipe(query(Item), where({ n: 1 }), orderBy('name'), limit(1), get, run(db))()).name).toBe(
      ones[0],
    )
    expect(
      right(await pipe(query(Item), where({ n: 1 }), orderBy('name'), offset(ones.length - 1), get, run(db))()).name,
    ).toBe(ones[ones.length - 1])
    expect(
      left(await pipe(query(Item), where({ n: 1 }), orderBy('name'), offset(ones.length), get, run(db))())._tag,
    ).toBe('DoesNotExist')
    expect(
      right(await pipe(query(Item), where({ n: 1 }), orderBy('name'), offset(ones.length), getOrNone, run(db))()),
    ).toBeNull()
    expect(left(await pipe(query(Item), where({ n: 1 }), orderBy('name'), limit(2), getOrNone, run(db))())._tag).toBe(
      'MultipleObjectsReturned',
    )
    expect(right(await pipe(query(Item), where({ n: 1 }), limit(0), getOrNone, run(db))())).toBeNull()
  })

  it('getOrNone: the row, null when none, MultipleObjectsReturned when several', async () => {
    const db = t().db
    expect(right(await pipe(query(Item), where({ name: 'r04' }), getOrNone, run(db))())?.name).toBe('r04')
    expect(right(await pipe(query(Item), where({ name: 'nope' }), getOrNone, run(db))())).toBeNull()
    expect(left(await pipe(query(Item), where({ n__isnull: true }), getOrNone, run(db))())._tag).toBe(
      'MultipleObjectsReturned',
    )
  })

  it('count is the number of rows all() returns, limit, offset and distinct included', async () => {
    const db = t().db
    const plans = [
      query(Item),
      pipe(query(Item), where({ n__gte: 2 })),
      pipe(query(Item), limit(5)),
      pipe(query(Item), offset(10)),
      pipe(query(Item), offset(10), limit(5)),
      pipe(query(Item), offset(100)),
      pipe(query(Item), limit(0)),
      pipe(query(Item), orderBy('-n'), limit(3), offset(2)),
      pipe(query(Item), where({ note__isnull: false }), limit(4)),
    ]
    for (const p of plans) {
      const rows = right(await pipe(p, run(db))())
      expect(right(await pipe(p, count, run(db))())).toBe(rows.length)
    }
    const d = pipe(query(Item), values('note'), distinct)
    expect(right(await pipe(d, count, run(db))())).toBe(right(await pipe(d, run(db))()).length)
    const dl = pipe(query(Item), values('n'), distinct, orderBy('n'), limit(2), offset(1))
    expect(right(await pipe(dl, count, run(db))())).toBe(right(await pipe(dl, run(db))()).length)
    expect(right(await pipe(dl, count, run(db))())).toBe(2)
  })

  it('exists is count > 0, limit and offset included', async () => {
    const db = t().db
    const cases = [
      [query(Item), true],
      [pipe(query(Item), where({ name: 'nope' })), false],
      [pipe(query(Item), limit(0)), false],
      [pipe(query(Item), offset(SEED.length - 1)), true],
      [pipe(query(Item), offset(SEED.length)), false],
      [pipe(query(Item), where({ n: 1 }), offset(1), limit(1)), true],
    ] as const
    for (const [p, want] of cases) {
      expect(right(await pipe(p, exists, run(db))())).toBe(want)
      expect(right(await pipe(p, count, run(db))()) > 0).toBe(want)
    }
  })
})

void Author
void Book
