/**
 * `bind`'s check of a value record against the placeholder names, with no database: a record
 * fits when it gives every name as its own value, not `undefined`, and nothing else. The check
 * is a function generated per list of names (with a loop as the fallback that words the
 * messages); random records, names that look like JavaScript, and inherited properties must
 * get the same answer as this plain statement of the rule.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { bind, param, prepare, query, where } from 'terrapin'
import { Item } from './models'

const POOL = [
  'id',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  `it's "odd"`,
  'back\\slash',
  'line\u2028sep',
  '${x}',
  '0',
  'n',
]

const fits = (names: ReadonlyArray<string>, v: object): boolean =>
  names.every((n) => Object.prototype.hasOwnProperty.call(v, n) && (v as Record<string, unknown>)[n] !== undefined) &&
  Object.keys(v).every((k) => names.includes(k))

describe('bind', () => {
  it('refuses exactly the records that do not give every name, and only them', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...POOL.filter((n) => n !== '__proto__')), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom(...POOL), fc.constantFrom<unknown>(1, 'x', null, undefined, 0)), {
          maxLength: 6,
        }),
        fc.boolean(),
        (names, entries, inherit) => {
          // one placeholder per name, each on a text field's lookup
          const plan = prepare(
            pipe(
              query(Item),
              where(
                Object.fromEntries(
                  names.map((n, i) => [['name', 'note', 'name__not', 'note__not'][i], param(n)]),
                ) as never,
              ),
            ),
          )
          const proto = inherit ? { [names[0]]: 'inherited' } : Object.prototype
          const v = Object.create(proto) as Record<string, unknown>
          for (const [k, x] of entries)
            Object.defineProperty(v, k, { value: x, enumerable: true, writable: true, configurable: true })
          const bound = pipe(plan, bind(v))
          expect(bound.error === undefined).toBe(fits(names, v))
        },
      ),
      { numRuns: 500 },
    )
  })
})
