/**
 * Plans are frozen values: every combinator returns a new frozen plan and leaves its input
 * deep-equal to what it was (and still frozen); values the user passes in (arrays, dates, json)
 * are copied, so mutating them afterwards does not change a plan.
 */
import { pipe } from 'fp-ts/function'
import {
  Plan,
  all,
  bulkCreate,
  compile,
  count,
  create,
  distinct,
  exclude,
  exists,
  filter,
  first,
  get,
  getOrCreate,
  getOrNone,
  limit,
  offset,
  orderBy,
  q,
  query,
  remove,
  save,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { Item, Kinds } from './models'
import { deepFrozen, snapshot } from '../support/plans'

const base = pipe(query(Item), where({ n__gte: 1, name__contains: 'a' }), orderBy('-n', 'name'), limit(10), offset(2))

const COMBINATORS: ReadonlyArray<readonly [string, (p: typeof base) => object]> = [
  ['where', where({ x__lt: 3 })],
  ['filter', filter(q.or({ n: 1 }, q.not({ note: null })))],
  ['exclude', exclude({ kind__in: ['a'] })],
  ['orderBy', orderBy('name')],
  ['limit', limit(3)],
  ['offset', offset(4)],
  ['distinct', distinct],
  ['values', values('name', 'n')],
  ['valuesList', valuesList('name', 'n')],
  ['valuesFlat', valuesFlat('name')],
  ['all', all],
  ['first', first],
  ['get', get],
  ['getOrNone', getOrNone],
  ['count', count],
  ['exists', exists],
  ['update', update({ n: 5 })],
  ['remove', remove],
  ['invalid where', where({ nope: 1 } as never)],
  ['invalid limit', limit(-1)],
]

describe('immutability', () => {
  it('the base plan and its parts are frozen', () => {
    expect(deepFrozen(base)).toEqual([])
  })

  it.each(COMBINATORS)('%s leaves its input deep-equal and frozen, and returns a new frozen plan', (_name, f) => {
    const before = snapshot(base)
    const out = f(base)
    expect(snapshot(base)).toEqual(before)
    expect(deepFrozen(base)).toEqual([])
    expect(deepFrozen(out)).toEqual([])
    if (_name !== 'all') expect(out).not.toBe(base)
    // and again: the same input gives an equal output (no hidden state)
    expect(snapshot(f(base))).toEqual(snapshot(out))
  })

  it('frozen plans reject writes', () => {
    expect(() => {
      ;(base as { limit?: number }).limit = 1
    }).toThrow(TypeError)
    expect(() => (base.order as unknown[]).push(1)).toThrow(TypeError)
  })

  it('mutating a filter array or date after building the plan does not change it', () => {
    const names = ['a', 'b']
    const at = new Date('2020-01-01T00:00:00Z')
    const p = pipe(query(Item), where({ name__in: names, at__gte: at }))
    const before = compile(p, 'sqlite')
    const snap = snapshot(p)
    names.push('c')
    at.setUTCFullYear(1999)
    expect(snapshot(p)).toEqual(snap)
    expect(compile(p, 'sqlite')).toEqual(before)
    expect(compile(p, 'sqlite').params).toEqual(['a', 'b', '2020-01-01 00:00:00.000'])
  })

  it('write plans are frozen and copy their input; the input objects are not changed', () => {
    const data = { name: 'x', data: { list: [1] }, at: new Date(0) }
    const input = JSON.stringify(data)
    const plans: Plan<unknown>[] = [
      create(Kinds, data),
      bulkCreate(Kinds, [data, { name: 'y' }], { batchSize: 1 }),
      save(Kinds, data),
      getOrCreate(Kinds, { name: 'x' }, { data: data.data }),
      updateOrCreate(Kinds, { name: 'x' }, { at: data.at }),
      pipe(query(Kinds), update({ data: data.data, at: data.at })),
    ]
    expect(JSON.stringify(data)).toBe(input)
    const snaps = plans.map(snapshot)
    for (const p of plans) expect(deepFrozen(p)).toEqual([])
    data.data.list.push(2)
    data.at.setTime(5)
    expect(plans.map(snapshot)).toEqual(snaps)
  })
})
