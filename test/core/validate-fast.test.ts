/**
 * The check of write input made for one list of keys (`validateInput`'s fast path, code made for
 * the keys of the last valid record) must answer exactly as the general loop: random records
 * over a model with a field of every kind, valid and not, with unknown keys, relations given as
 * rows, `undefined`, placeholders and keys in any order, each checked right after a valid record
 * of the same keys (so the made check is asked first), against the same record without
 * `Object.prototype` (which always takes the general loop). No database.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { create, fields, model, param, query, update } from 'terrapin'
import { validateInput } from '../../src/model/validate'
import { Kinds } from './models'
import { Author, Book } from '../expr/models'

/** Per field: values that pass and values that do not. */
const VALUES: Readonly<Record<string, ReadonlyArray<unknown>>> = {
  id: [1, 7, -3, 1.5, 'x', null],
  i: [0, 42, null, 2 ** 40, '3'],
  big: [0n, 5n, 12, 2n ** 70n, null],
  small: [1, 40000, null],
  name: ['a', 'abcdefghij', 'abcdefghijk', '', 'nul\u0000', null, 3],
  body: ['text', null, '\uD800'],
  flag: [true, false, null, 1],
  ratio: [0.5, -1, NaN, null, Infinity],
  price: ['1.25', '12345678.9', 3.5, '1.234', null, 'x'],
  at: [new Date(0), new Date(Date.UTC(2020, 1, 29, 1, 2, 3, 4)), new Date(NaN), '2020-01-01', null],
  day: ['2020-02-29', '2021-02-29', null],
  clock: ['12:30:00', '25:00:00', null],
  ref: ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', null],
  data: [{ a: [1, 2] }, [1, 'x'], null, { f: () => 1 }, 'text'],
  point: [{ x: 1, y: 2 }, { x: 1 }, null],
  status: ['draft', 'published', 'gone'],
  level: [1, 2, 3, 4, null],
  code: ['ABC', 'abc', 'TOOLONG', null],
  score: [0, 100, 101, -1],
  createdAt: [new Date(1000), null],
  updatedAt: [new Date(2000)],
  nope: [1],
}

const record = (
  keys: ReadonlyArray<string>,
  pick: ReadonlyArray<number>,
  extra: ReadonlyArray<[string, unknown]>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  keys.forEach((k, i) => (out[k] = VALUES[k][pick[i] % VALUES[k].length]))
  for (const [k, v] of extra) out[k] = v
  return out
}

/** The first valid value of each key (a record the fast path is made from). */
const valid = (keys: ReadonlyArray<string>): Record<string, unknown> =>
  Object.fromEntries(keys.map((k) => [k, VALUES[k][0]]))

const viaGeneral = (model: typeof Kinds, data: Record<string, unknown>, mode: 'create' | 'patch') =>
  validateInput(model, Object.assign(Object.create(null) as object, data), mode)

describe('validateInput, the check made per list of keys', () => {
  it('copies what the plan keeps: a Date is a copy, JSON is a frozen copy', () => {
    const at = new Date(5)
    const data = { name: 'n', at, data: { a: [1] } }
    validateInput(Kinds, data, 'create')
    const row = validateInput(Kinds, { name: 'm', at, data: { a: [2] } }, 'create')
    expect(E.isRight(row)).toBe(true)
    const r = (row as E.Right<Record<string, unknown>>).right
    expect(r.at).toEqual(at)
    expect(r.at).not.toBe(at)
    expect(Object.isFrozen(r.data)).toBe(true)
    expect(Object.isFrozen((r.data as { a: unknown[] }).a)).toBe(true)
  })

  it('a relation given as a row, and a record that inherits a key, take the general loop', () => {
    const book = { title: 't', authorId: 1 }
    validateInput(Book, book, 'create')
    const viaRow = validateInput(Book, { title: 't', author: { id: 9, name: 'x', nick: null } }, 'create')
    expect(viaRow).toEqual(E.right({ title: 't', authorId: 9 }))
    const inherits = Object.assign(Object.create({ authorId: 3 }) as object, { title: 't' })
    expect(E.isLeft(validateInput(Book, inherits, 'create'))).toBe(true)
    expect(E.isRight(validateInput(Author, { name: 'a' }, 'create'))).toBe(true)
  })
  it('runs each validator once per value, also when another value of the record fails', () => {
    let calls = 0
    const Counted = model('Counted', {
      table: 'core_counted',
      fields: {
        a: fields.int({ validators: [() => void calls++] }),
        b: fields.char({ maxLength: 3 }),
      },
    })
    // the record's keys get their check made, then a record of the same keys is asked of it
    expect(E.isRight(validateInput(Counted, { a: 1, b: 'x' }, 'create'))).toBe(true)
    calls = 0
    const failed = validateInput(Counted, { a: 2, b: 'too long' }, 'create')
    expect(failed).toEqual(
      E.left(
        expect.objectContaining({ issues: [{ field: 'b', message: 'is 8 characters long, more than maxLength 3' }] }),
      ),
    )
    expect(calls).toBe(1)
    // the same through the plan combinators
    expect(create(Counted, { a: 3, b: 'long' }).error?._tag).toBe('ValidationError')
    expect(pipe(query(Counted), update({ a: 4, b: 'long' })).error?._tag).toBe('ValidationError')
    expect(calls).toBe(3)
  })

  it('answers as the general loop on random records, in both modes', () => {
    // a few lists of keys, so that each gets its check made (a model keeps at most 32 per mode)
    const fields = Object.keys(VALUES)
    const lists = Array.from({ length: 12 }, (_, n) => fields.filter((_, i) => (i * 7 + n * 3) % 5 < 2 + (n % 3)))
    fc.assert(
      fc.property(
        fc.constantFrom(...lists),
        fc.array(fc.nat(10), { minLength: 22, maxLength: 22 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('unknown', 'ratio', '__proto__'),
            fc.constantFrom<unknown>(undefined, 1, param('p')),
          ),
          { maxLength: 2 },
        ),
        fc.constantFrom<'create' | 'patch'>('create', 'patch'),
        (keys, pick, extra, mode) => {
          const warm = valid(keys.filter((k) => k !== 'nope'))
          // the valid record of these keys first: the next record with the same keys is asked of the made check
          validateInput(Kinds, warm, mode)
          const data = record(keys, pick, extra)
          const fast = validateInput(Kinds, data, mode)
          const general = viaGeneral(Kinds, data, mode)
          expect(fast).toEqual(general)
          if (E.isRight(fast)) {
            expect(Object.isFrozen(fast.right)).toBe(true)
            expect(Object.keys(fast.right)).toEqual(Object.keys((general as E.Right<object>).right))
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})
