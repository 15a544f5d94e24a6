/**
 * Differential law of the text functions: Lower, Upper, Length, Trim and Concat of random
 * strings over a tricky alphabet (ß/ẞ, accents, emoji, fullwidth, spaces, quotes, `%`, `\`)
 * agree with JS on every dialect: case for all of Unicode, length in code points, TRIM of
 * spaces, NULL as the empty string in Concat.
 */
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  Concat,
  F,
  Length,
  Lower,
  Trim,
  Upper,
  annotate,
  bulkCreate,
  fields,
  model,
  orderBy,
  query,
  run,
  schema,
  values,
} from 'terrapin'
import { forEachDialect, right } from '../test/support/dialects'

const { LawText } = schema({
  LawText: model('LawText', {
    table: 'law_text_row',
    fields: {
      id: fields.int({ pk: true }),
      s: fields.text({ null: true }),
      c: fields.char({ maxLength: 40, null: true }),
    },
  }),
})

const ALPHABET = ['a', 'B', 'z', 'ß', 'ẞ', 'Ñ', 'é', 'É', '😀', 'ｚ', ' ', '%', '_', '\\', "'", 'Ǆ', 'ǅ', 'Ω']
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((cs) => cs.join(''))
const row = fc.record({ s: fc.option(text, { nil: null }), c: fc.option(text, { nil: null }) })

const spaces = (s: string): string => s.replace(/^ +| +$/g, '')

forEachDialect('text function laws', [LawText], (t) => {
  it('Lower, Upper, Length, Trim, Concat agree with JS', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), async (rows) => {
        await t().reset()
        right(
          await pipe(
            bulkCreate(
              LawText,
              rows.map((r, i) => ({ id: i + 1, ...r })),
            ),
            run(t().db),
          )(),
        )
        const got = right(
          await pipe(
            query(LawText),
            annotate({
              low: Lower(F('s')),
              up: Upper(F('c')),
              len: Length(F('s')),
              tr: Trim(F('c')),
              cat: Concat(F('s'), '|', F('c')),
            }),
            orderBy('id'),
            values('low', 'up', 'len', 'tr', 'cat'),
            run(t().db),
          )(),
        )
        const want = rows.map((r) => ({
          low: r.s === null ? null : r.s.toLowerCase(),
          up: r.c === null ? null : r.c.toUpperCase(),
          len: r.s === null ? null : [...r.s].length,
          tr: r.c === null ? null : spaces(r.c),
          cat: `${r.s ?? ''}|${r.c ?? ''}`,
        }))
        expect(got).toEqual(want)
      }),
      { numRuns: 25 },
    )
  })
})
