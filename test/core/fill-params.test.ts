/**
 * A prepared statement's parameters are made by a function generated per statement
 * (`paramsOf`: each placeholder read by its name, checked and encoded in order, into one new
 * array). It must give what the plain statement of the rule gives: random prepared filters and
 * updates over a model with a field of every kind, placeholder names that look like JavaScript,
 * value records that are complete or not, values that fit or not. The same parameters, or the
 * same first problem; the statement's own parameters never changed. No database.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { TerrapinError, param, prepare, query, update, where } from 'terrapin'
import { compileWith, dialects } from '../../src/compile'
import { Compiled, isSlot } from '../../src/compile/sql'
import { Abort, paramsOf } from '../../src/run/statement'
import { Kinds } from './models'

const NAMES = [
  'id',
  'constructor',
  'toString',
  'hasOwnProperty',
  `it's "odd"`,
  'back\\slash',
  'line\u2028sep',
  '${x}',
  '0',
  'n',
  'a b',
]

/** Per field, the lookups to filter it with and values that fit or not. */
const FIELDS: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]> = [
  ['i', [0, 42, -7, 1.5, '3', null, 2 ** 40]],
  ['big', [5n, 12, 2n ** 70n, 'x']],
  ['name', ['a', 'abcdefghij', 'abcdefghijk', 'nul\u0000', 3]],
  ['flag', [true, false, 1]],
  ['ratio', [0.5, NaN, Infinity, 'x']],
  ['price', ['1.25', 3.5, 'x', '1.234']],
  ['at', [new Date(0), new Date(NaN), '2020-01-01']],
  ['day', ['2020-02-29', '2021-02-29']],
  ['ref', ['00000000-0000-4000-8000-000000000000', 'nope']],
  ['status', ['draft', 'gone']],
  ['score', [0, 101]],
]

/** The rule: each placeholder in order, its value read by name, checked, encoded; the first problem ends it. */
const reference = (
  c: Compiled,
  values: Readonly<Record<string, unknown>> | undefined,
): ReadonlyArray<unknown> | string => {
  const out = c.params.slice()
  for (let i = 0; i < out.length; i++) {
    const p = out[i]
    if (!isSlot(p)) continue
    const v = values === undefined ? undefined : values[p.name]
    if (v === undefined) return `${p.name}: no value for this placeholder`
    const problem = p.check(v)
    if (problem) return `${p.name}: ${problem}`
    out[i] = p.encode(v)
  }
  return out
}

const attempt = (
  c: Compiled,
  values: Readonly<Record<string, unknown>> | undefined,
): ReadonlyArray<unknown> | string => {
  try {
    return paramsOf(c, values)
  } catch (e) {
    if (!(e instanceof Abort)) throw e
    const err: TerrapinError = e.error
    return err._tag === 'ValidationError' ? `${err.issues[0].field}: ${err.issues[0].message}` : err.message
  }
}

describe('paramsOf', () => {
  it('gives the parameters, or the first problem, that the plain rule gives', () => {
    const field = fc.constantFrom(...FIELDS)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(field, fc.constantFrom(...NAMES)), {
          minLength: 1,
          maxLength: 4,
          selector: ([[f], n]) => `${f}|${n}`,
        }),
        fc.boolean(),
        fc.constantFrom('sqlite', 'postgres', 'mysql' as const),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        fc.boolean(),
        (slots, asUpdate, dialect, picks, noRecord) => {
          // the first two become a filter (each its own field), the rest an update's patch
          const byField = new Map(slots.map(([[f], n]) => [f, n]))
          const entries = [...byField.entries()]
          const filter = Object.fromEntries(
            entries.slice(0, asUpdate ? 1 : entries.length).map(([f, n]) => [f, param(n)]),
          )
          const base = pipe(query(Kinds), where(filter as never))
          const plan =
            asUpdate && entries.length > 1
              ? pipe(base, update(Object.fromEntries(entries.slice(1).map(([f, n]) => [f, param(n)])) as never))
              : base
          const c = compileWith(dialects[dialect], prepare(plan as never).plan as never, true)
          const before = [...c.params]
          const values: Record<string, unknown> = {}
          for (const [f, n] of entries) {
            const pool = FIELDS.find(([k]) => k === f)![1]
            values[n] = pool[0]
          }
          for (const [a, b] of picks) {
            const [f, n] = entries[a % entries.length]
            const pool = [...FIELDS.find(([k]) => k === f)![1], undefined]
            values[n] = pool[b % pool.length]
          }
          const record = noRecord ? undefined : values
          expect(attempt(c, record)).toEqual(reference(c, record))
          // twice: the second call takes the generated function remembered for the statement
          expect(attempt(c, record)).toEqual(reference(c, record))
          expect(c.params).toEqual(before)
        },
      ),
      { numRuns: 400 },
    )
  })

  it("gives a statement without placeholders' own parameters back, uncopied", () => {
    const c = compileWith(dialects.sqlite, pipe(query(Kinds), where({ i: 3, name: 'x' })))
    expect(paramsOf(c, undefined)).toBe(c.params)
    expect(paramsOf(c, { unused: 1 })).toBe(c.params)
  })
})
