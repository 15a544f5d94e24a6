/**
 * Decimals are exact: stored at the field's scale, returned as strings with that scale,
 * compared and ordered by value — also where they have more digits than a double holds
 * (SQLite stores them as text; comparing them as REAL would lose the last digits).
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, count, orderBy, query, run, update, valuesFlat, where } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'
import { Money } from './models'

const AMOUNTS = [
  '1234567890123456789012.00000001',
  '1234567890123456789012.00000002',
  '1234567890123456789012',
  '-1234567890123456789012.00000001',
  '-1234567890123456789012.00000002',
  '-0.00000001',
  '0',
  '0.5',
  '-0.5',
  '10',
  '9.99999999',
  '-10',
]

/** Exact comparison of decimal strings (BigInt on a fixed scale of 8). */
const scaled = (s: string): bigint => {
  const neg = s.startsWith('-')
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.')
  const v = BigInt(i + f.padEnd(8, '0'))
  return neg ? -v : v
}
const fixed = (s: string): string => {
  const v = scaled(s)
  const abs = (v < 0n ? -v : v).toString().padStart(9, '0')
  return `${v < 0n ? '-' : ''}${abs.slice(0, -8)}.${abs.slice(-8)}`
}
const label = (i: number) => `m${String(i).padStart(2, '0')}`

forEachDialect('decimal', [Money], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(
      await pipe(
        bulkCreate(
          Money,
          AMOUNTS.map((amount, i) => ({ amount, label: label(i) })),
        ),
        run(t().db),
      )(),
    )
  })

  it('round-trips at the field scale', async () => {
    const got = right(await pipe(query(Money), orderBy('label'), valuesFlat('amount'), run(t().db))())
    expect(got).toEqual(AMOUNTS.map(fixed))
  })

  it('orders by value, exactly', async () => {
    const got = right(await pipe(query(Money), orderBy('amount', 'label'), valuesFlat('amount'), run(t().db))())
    expect(got).toEqual(
      [...AMOUNTS].sort((a, b) => (scaled(a) < scaled(b) ? -1 : scaled(a) > scaled(b) ? 1 : 0)).map(fixed),
    )
    const desc = right(await pipe(query(Money), orderBy('-amount', 'label'), valuesFlat('amount'), run(t().db))())
    expect(desc).toEqual([...got].reverse())
  })

  it.each(['gt', 'gte', 'lt', 'lte'] as const)('%s compares by value, exactly', async (lookup) => {
    for (const pivot of [
      '1234567890123456789012.00000001',
      '-1234567890123456789012.00000001',
      '0',
      '-0.00000001',
      '9.99999999',
    ]) {
      const got = [
        ...right(
          await pipe(
            query(Money),
            where({ [`amount__${lookup}`]: pivot } as never),
            valuesFlat('label'),
            run(t().db),
          )(),
        ),
      ].sort()
      const p = scaled(pivot)
      const want = AMOUNTS.map((a, i) => [scaled(a), label(i)] as const)
        .filter(([v]) => (lookup === 'gt' ? v > p : lookup === 'gte' ? v >= p : lookup === 'lt' ? v < p : v <= p))
        .map(([, l]) => l)
        .sort()
      expect([pivot, got]).toEqual([pivot, want])
    }
  })

  it('range and equality are exact; a value written with fewer places is the same value', async () => {
    const inRange = right(
      await pipe(
        query(Money),
        where({ amount__range: ['1234567890123456789012.00000001', '1234567890123456789012.00000002'] }),
        count,
        run(t().db),
      )(),
    )
    expect(inRange).toBe(2)
    expect(right(await pipe(query(Money), where({ amount: '0.50' }), count, run(t().db))())).toBe(1)
    expect(right(await pipe(query(Money), where({ amount: '1234567890123456789012' }), count, run(t().db))())).toBe(1)
    expect(right(await pipe(query(Money), where({ amount__in: ['10', '-10.0', '7'] }), count, run(t().db))())).toBe(2)
  })

  it('an update writes at the field scale', async () => {
    right(await pipe(query(Money), where({ label: 'm06' }), update({ amount: '-0' }), run(t().db))())
    expect(right(await pipe(query(Money), where({ label: 'm06' }), valuesFlat('amount'), run(t().db))())).toEqual([
      '0.00000000',
    ])
  })
})
