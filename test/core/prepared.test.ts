/**
 * Prepared plans: `prepare(plan)` with named placeholders, `bind(values)`, run on every
 * dialect. A prepared plan gives the same rows as the same plan written with literals; missing,
 * unknown, undefined, null and ill-typed values are ValidationErrors and send no SQL.
 */
import { pipe } from 'fp-ts/function'
import {
  Runnable,
  bind,
  bindEach,
  bulkCreate,
  count,
  create,
  get,
  limit,
  orderBy,
  param,
  prepare,
  query,
  remove,
  run,
  update,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Item, Tag } from './models'

const SEED = Array.from({ length: 12 }, (_, i) => ({
  name: `p${String(i).padStart(2, '0')}`,
  n: i % 4,
  note: i % 3 ? `note ${i % 5}` : null,
  at: new Date(Date.UTC(2020, 0, 1 + i)),
}))

forEachDialect('prepared plans', [Item, Tag], (t) => {
  let ids: Record<string, number> = {}
  beforeAll(async () => {
    await t().reset()
    ids = Object.fromEntries(right(await pipe(bulkCreate(Item, SEED), run(t().db))()).map((r) => [r.name, r.id]))
  })
  const go = <A>(p: Runnable<A>) => run(t().db)(p)()

  it('a prepared plan returns what the plan with the same literals returns, for many values', async () => {
    const byN = prepare(pipe(query(Item), where({ n: param('n'), note__contains: param('text') }), orderBy('name')))
    for (const [n, text] of [
      [0, 'note'],
      [1, '1'],
      [2, 'note 2'],
      [3, 'zzz'],
    ] as const) {
      const literal = right(await go(pipe(query(Item), where({ n, note__contains: text }), orderBy('name'))))
      const prepared = right(await go(pipe(byN, bind({ n, text }))))
      expect(prepared).toEqual(literal)
      expect(prepared.map((r) => r.name)).toEqual(
        SEED.filter((s) => s.n === n && s.note?.includes(text)).map((s) => s.name),
      )
    }
  })

  it('binds get, count, update and remove', async () => {
    const byId = prepare(pipe(query(Item), where({ id: param('id') }), get))
    expect(right(await go(pipe(byId, bind({ id: ids.p05 })))).name).toBe('p05')
    expect(left(await go(pipe(byId, bind({ id: -1 }))))._tag).toBe('DoesNotExist')
    const since = prepare(pipe(query(Item), where({ at__gte: param('since') }), count))
    expect(right(await go(pipe(since, bind({ since: new Date(Date.UTC(2020, 0, 10)) }))))).toBe(3)
    const rename = prepare(pipe(query(Item), where({ id: param('id') }), update({ note: param('note') })))
    expect(right(await go(pipe(rename, bind({ id: ids.p01, note: 'renamed' }))))).toBe(1)
    expect(right(await go(pipe(query(Item), where({ id: ids.p01 }), get))).note).toBe('renamed')
    const drop = prepare(pipe(query(Item), where({ name: param('name') }), remove))
    expect(right(await go(pipe(drop, bind({ name: 'p11' }))))).toBe(1)
    expect(right(await go(pipe(drop, bind({ name: 'p11' }))))).toBe(0)
  })

  it('reads each placeholder by its own name, whatever characters the name has', async () => {
    // Each name gets a generated property read: quotes, backslashes, line separators and
    // prototype-like names must reach their own value and nothing else.
    const names = [`it's "odd"`, 'back\\slash', 'line\u2028sep', 'constructor', 'toString', '${x}', '0']
    for (const name of names) {
      const byName = prepare(pipe(query(Item), where({ name: param(name) }), get))
      expect(right(await go(pipe(byName, bind({ [name]: 'p03' })))).id).toBe(ids.p03)
      const missing = left(await go(pipe(byName, bind({}))))
      expect(missing).toMatchObject({
        _tag: 'ValidationError',
        issues: [{ field: name, message: 'no value for this placeholder' }],
      })
    }
    // Two placeholders, two statements, two value records: each value goes to its own slot.
    const between = prepare(pipe(query(Item), where({ n__gte: param('a"'), n__lte: param("b'") }), orderBy('name')))
    expect(right(await go(pipe(between, bind({ 'a"': 1, "b'": 2 })))).map((r) => r.n)).toEqual(
      SEED.filter((x) => x.n >= 1 && x.n <= 2).map((x) => x.n),
    )
  })

  it('inserts with placeholders', async () => {
    const add = prepare(create(Item, { name: param('name'), n: param('n') }))
    const row = right(await go(pipe(add, bind({ name: 'fresh', n: 7 })))) as { id: number; name: string; n: number }
    expect(row).toMatchObject({ name: 'fresh', n: 7 })
    expect(right(await go(pipe(query(Item), where({ id: row.id }), get))).n).toBe(7)
  })

  it('bindEach runs a prepared plan once per value record, in one transaction', async () => {
    const add = prepare(create(Item, { name: param('name'), n: param('n') }))
    const rows = right(
      await go(
        pipe(
          add,
          bindEach([
            { name: 'ze1', n: 1 },
            { name: 'ze2', n: 2 },
            { name: 'ze3', n: 3 },
          ]),
        ),
      ),
    ) as ReadonlyArray<{ id: number; name: string; n: number }>
    expect(rows.map((r) => [r.name, r.n])).toEqual([
      ['ze1', 1],
      ['ze2', 2],
      ['ze3', 3],
    ])
    const stored = right(await go(pipe(query(Item), where({ name__startswith: 'ze' }), orderBy('name'))))
    expect(stored.map((r) => r.id)).toEqual(rows.map((r) => r.id))
    // A record that fails (an ill-typed value) rolls back those before it.
    expect(
      left(
        await go(
          pipe(
            add,
            bindEach([
              { name: 'zf1', n: 1 },
              { name: 'zf2', n: 'two' },
            ]),
          ),
        ),
      )._tag,
    ).toBe('ValidationError')
    expect(right(await go(pipe(query(Item), where({ name__startswith: 'zf' }), count)))).toBe(0)
    // Missing names are reported with the record's index, before any SQL.
    t().clearLog()
    const e = left(await go(pipe(add, bindEach([{ name: 'zg1', n: 1 }, { name: 'zg2' }]))))
    expect(e._tag).toBe('ValidationError')
    expect(e.message).toContain('[1].n')
    expect(t().log).toEqual([])
    expect(right(await go(pipe(add, bindEach([]))))).toEqual([])
  })

  it('bindEach of an insert: many batches, rows in order, defaults per row; one INSERT per batch (1,000 rows on a server, 100 on SQLite)', async () => {
    const add = prepare(create(Tag, { name: param('name') }))
    const names = Array.from({ length: 2001 }, (_, i) => `be${String(i).padStart(4, '0')}`)
    t().clearLog()
    const rows = right(await go(pipe(add, bindEach(names.map((name) => ({ name })))))) as ReadonlyArray<{
      id: number
      name: string
      uses: number
      touchedAt: Date
    }>
    expect(rows.map((r) => r.name)).toEqual(names)
    expect(rows.every((r) => r.uses === 0 && r.touchedAt instanceof Date)).toBe(true)
    expect(new Set(rows.map((r) => r.id)).size).toBe(names.length)
    const inserts = t().log.filter((e) => e.sql.startsWith('INSERT')).length
    expect(inserts).toBe(t().dialect === 'sqlite' ? Math.ceil(names.length / 100) : 3)
    const stored = right(await go(pipe(query(Tag), where({ name__startswith: 'be' }), orderBy('name'))))
    expect(stored.map((r) => [r.id, r.name])).toEqual(rows.map((r) => [r.id, r.name]))
  })

  it('bindEach of an insert: a unique conflict in a late batch stores nothing; a bad value names its record', async () => {
    const add = prepare(create(Tag, { name: param('name'), uses: param('uses') }))
    const records = Array.from({ length: 700 }, (_, i) => ({ name: `bf${i}`, uses: i }))
    const conflict = left(await go(pipe(add, bindEach([...records, { name: 'bf3', uses: 0 }]))))
    expect(conflict).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
    expect(right(await go(pipe(query(Tag), where({ name__startswith: 'bf' }), count)))).toBe(0)
    const bad = left(
      await go(
        pipe(
          add,
          bindEach([
            { name: 'bg1', uses: 1 },
            { name: 'bg2', uses: 'many' },
          ]),
        ),
      ),
    )
    expect(bad._tag).toBe('ValidationError')
    expect(bad.message).toContain('[1].uses')
    expect(right(await go(pipe(query(Tag), where({ name__startswith: 'bg' }), count)))).toBe(0)
  })

  it('keeps limits literal and placeholders in filters', async () => {
    const firstTwo = prepare(pipe(query(Item), where({ n__in: [param('a'), param('b')] }), orderBy('name'), limit(2)))
    expect(right(await go(pipe(firstTwo, bind({ a: 1, b: 2 })))).map((r) => r.name)).toEqual(['p01', 'p02'])
    expect(right(await go(pipe(firstTwo, bind({ a: 3, b: 3 })))).map((r) => r.name)).toEqual(['p03', 'p07'])
    const between = prepare(
      pipe(query(Item), where({ n__range: [param('lo'), param('hi')], name__startswith: 'p' }), orderBy('name')),
    )
    expect(right(await go(pipe(between, bind({ lo: 2, hi: 3 })))).map((r) => r.name)).toEqual(
      SEED.filter((s) => s.n >= 2 && s.name !== 'p11').map((s) => s.name),
    ) // p11 was removed above
  })

  it('refuses one placeholder for a whole list or range (a statement has a fixed number of them)', async () => {
    const whole = prepare(pipe(query(Item), where({ n__in: param('ns') })))
    expect(left(await go(pipe(whole, bind({ ns: [1, 2] }))))._tag).toBe('ValidationError')
    const range = prepare(pipe(query(Item), where({ n__range: param('r') })))
    expect(left(await go(pipe(range, bind({ r: [1, 2] }))))._tag).toBe('ValidationError')
  })

  it('refuses missing, unknown, undefined, null and ill-typed values without sending SQL', async () => {
    const byN = prepare(pipe(query(Item), where({ n: param('n') })))
    t().clearLog()
    const cases = [
      bind({})(byN),
      bind({ n: 1, m: 2 })(byN),
      bind({ n: undefined })(byN),
      bind({ n: null })(byN),
      bind({ n: 'one' })(byN),
      bind({ n: 1.5 })(byN),
    ]
    for (const c of cases) {
      const e = left(await go(c))
      expect(e._tag).toBe('ValidationError')
      expect(e.message).toMatch(/n|m/)
    }
    expect(t().log).toEqual([])
  })

  it('refuses text the databases cannot store in a placeholder', async () => {
    const byNote = prepare(pipe(query(Item), where({ note__contains: param('s') })))
    expect(left(await go(pipe(byNote, bind({ s: 'a\u0000b' }))))._tag).toBe('ValidationError')
  })
})
