/**
 * Differential law of `__regex` / `__iregex`: random patterns of the portable subset over random
 * texts rich in newlines, metacharacters and case pairs outside ASCII keep, on every dialect,
 * the rows JS `RegExp` (flags `su`) keeps — `iregex` on the texts and patterns folded as
 * `icontains` folds them — and `exclude` keeps the others. Every generated pattern is inside the
 * subset the compiler accepts.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { bulkCreate, exclude, fields, model, orderBy, q, query, run, schema, valuesFlat, where } from 'terrapin'
import { regexProblem } from '../src/plan/regex'
import { compileRegex, regexMatches } from '../src/run/regex-match'
import { forEachDialect, right } from '../test/support/dialects'
import { params, timeout } from './support/config'
import { fold } from './reference'
import { patternArb } from './support/regex'

const { LawRegex } = schema({
  LawRegex: model('LawRegex', {
    table: 'law_regex_row',
    fields: { id: fields.int({ pk: true }), s: fields.text({ null: true }) },
  }),
})

const ALPHABET = [
  'a',
  'b',
  'A',
  'B',
  '\n',
  ' ',
  '.',
  ':',
  '=',
  '*',
  '$',
  '^',
  '[',
  '\\',
  'ß',
  'ẞ',
  'Σ',
  'ς',
  'É',
  'é',
  '😀',
  '0',
]
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 6 }).map((cs) => cs.join(''))
const rowsArb = fc.array(fc.option(text, { freq: 6, nil: null }), { minLength: 1, maxLength: 10 })
const patterns = fc.array(patternArb(ALPHABET), { minLength: 20, maxLength: 20 })

const RUNS = 20

const matches = (ci: boolean, pattern: string, s: string | null): boolean =>
  s !== null && (ci ? new RegExp(fold(pattern), 'su').test(fold(s)) : new RegExp(pattern, 'su').test(s))

it('every generated pattern is inside the portable subset', () => {
  fc.assert(
    fc.property(patternArb(ALPHABET), (p) => regexProblem(p) === undefined),
    params(500),
  )
})

it('the linear-time matcher SQLite runs agrees with JS RegExp', () => {
  fc.assert(
    fc.property(patternArb(ALPHABET), fc.array(text, { maxLength: 5 }), (p, texts) => {
      const a = compileRegex(p)
      for (const s of texts) expect({ p, s, m: regexMatches(a, s) }).toEqual({ p, s, m: matches(false, p, s) })
    }),
    params(2000),
  )
})

forEachDialect('regex laws', [LawRegex], (t) => {
  it(
    'regex and iregex keep the rows JS RegExp keeps; exclude the others',
    async () => {
      await fc.assert(
        fc.asyncProperty(rowsArb, patterns, async (texts, ps) => {
          await t().reset()
          right(
            await pipe(
              bulkCreate(
                LawRegex,
                texts.map((s, i) => ({ id: i + 1, s })),
              ),
              run(t().db),
            )(),
          )
          for (const p of ps)
            for (const ci of [false, true]) {
              const filter = ci ? { s__iregex: p } : { s__regex: p }
              const want = texts.flatMap((s, i) => (matches(ci, p, s) ? [i + 1] : []))
              const kept = right(
                await pipe(query(LawRegex), where(q.and(filter)), orderBy('id'), valuesFlat('id'), run(t().db))(),
              )
              expect({ p, ci, kept }).toEqual({ p, ci, kept: want })
              const rest = right(
                await pipe(query(LawRegex), exclude(q.and(filter)), orderBy('id'), valuesFlat('id'), run(t().db))(),
              )
              expect(rest.length + kept.length).toBe(texts.length)
            }
        }),
        params(RUNS),
      )
    },
    timeout(RUNS, 3000),
  )
})
