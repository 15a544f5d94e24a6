/**
 * The cross-dialect semantics of the README, on every dialect: case-sensitive text lookups even
 * on MariaDB (whose default collations ignore case), Unicode `i`-lookups, `%` `_` `\` (and
 * SQLite's GLOB metacharacters) matched literally, code-point ordering, NULL ordering, `in: []`,
 * and two-valued `exclude`. Every expectation is computed here from the data with a JS
 * predicate, never written down by hand.
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, exclude, fields, model, orderBy, query, run, schema, valuesFlat, where } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Word } = schema({
  Word: model('Word', {
    table: 'sem_word',
    fields: {
      id: fields.int({ pk: true }),
      s: fields.text({ null: true }),
      c: fields.char({ maxLength: 20, null: true }),
      n: fields.int({ null: true }),
    },
  }),
})

const TEXTS: ReadonlyArray<string | null> = [
  'ab',
  'AB',
  'Ab',
  'ab ',
  ' ab',
  'abc',
  'xaby',
  '%',
  '_',
  '\\',
  'a%b',
  'a_b',
  'a\\b',
  'axb',
  'ß',
  'SS',
  'ss',
  'ẞ',
  'Ñ',
  'ñ',
  'É',
  'é',
  '😀',
  'x😀y',
  '😁',
  'ｚ',
  'z',
  '[a]',
  '*',
  '?',
  "it's",
  '',
  null,
  null,
]

const NEEDLES: ReadonlyArray<string> = [
  'ab',
  'AB',
  'a',
  'b ',
  '%',
  '_',
  '\\',
  'a%',
  '_b',
  'ß',
  'ss',
  'ñ',
  'Ñ',
  'é',
  '😀',
  'ｚ',
  '[a',
  '*',
  '?',
  "'",
  '',
]

/** Unicode case fold, as the `i`-lookups promise. */
const fold = (s: string): string => s.toLowerCase()

/** Code-point order (JS's `<` compares UTF-16 units, which puts U+FF5A after an emoji). */
const cmp = (a: string, b: string): number => {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!)
  const y = Array.from(b, (ch) => ch.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

type Pred = (s: string, v: string) => boolean
const LOOKUPS: Readonly<Record<string, Pred>> = {
  exact: (s, v) => s === v,
  iexact: (s, v) => fold(s) === fold(v),
  contains: (s, v) => s.includes(v),
  icontains: (s, v) => fold(s).includes(fold(v)),
  startswith: (s, v) => s.startsWith(v),
  istartswith: (s, v) => fold(s).startsWith(fold(v)),
  endswith: (s, v) => s.endsWith(v),
  iendswith: (s, v) => fold(s).endsWith(fold(v)),
  gt: (s, v) => cmp(s, v) > 0,
  lte: (s, v) => cmp(s, v) <= 0,
}

const rows = TEXTS.map((s, i) => ({ id: i + 1, s, c: s, n: i % 4 === 0 ? null : (i * 7) % 11 }))
const ids = (p: (r: (typeof rows)[number]) => boolean): number[] => rows.filter(p).map((r) => r.id)
const sorted = (xs: ReadonlyArray<number>): number[] => [...xs].sort((a, b) => a - b)

forEachDialect('semantics', [Word], (t) => {
  beforeAll(async () => {
    right(await pipe(bulkCreate(Word, rows), run(t().db))())
  })

  const select = async (filter: object, negate = false): Promise<number[]> =>
    sorted(
      right(
        await pipe(
          query(Word),
          negate ? exclude(filter as never) : where(filter as never),
          valuesFlat('id'),
          run(t().db),
        )(),
      ),
    )

  for (const field of ['s', 'c'] as const)
    for (const [lookup, pred] of Object.entries(LOOKUPS))
      it(`${field}__${lookup} and its exclude match the JS predicate for every needle`, async () => {
        for (const v of NEEDLES) {
          const key = lookup === 'exact' ? field : `${field}__${lookup}`
          const want = ids((r) => r[field] !== null && pred(r[field], v))
          const got = await select({ [key]: v })
          expect({ v, got }).toEqual({ v, got: want })
          // two-valued logic: exclude is the exact complement, NULL rows included
          const rest = await select({ [key]: v }, true)
          expect({ v, rest }).toEqual({ v, rest: ids((r) => !want.includes(r.id)) })
        }
      })

  it('`not` keeps NULLs; `{ s: null }` is IS NULL', async () => {
    for (const v of NEEDLES) expect(await select({ s__not: v })).toEqual(ids((r) => r.s === null || r.s !== v))
    expect(await select({ s: null })).toEqual(ids((r) => r.s === null))
    expect(await select({ s__isnull: false })).toEqual(ids((r) => r.s !== null))
  })

  it('`in: []` matches nothing, `notIn: []` everything; non-empty lists match exactly', async () => {
    expect(await select({ s__in: [] })).toEqual([])
    expect(await select({ s__notIn: [] })).toEqual(ids(() => true))
    expect(await select({ s__in: [] }, true)).toEqual(ids(() => true))
    const list = ['ab', 'ß', '%', '😀', 'nope']
    expect(await select({ s__in: list })).toEqual(ids((r) => r.s !== null && list.includes(r.s)))
    expect(await select({ s__notIn: list })).toEqual(ids((r) => r.s === null || !list.includes(r.s)))
  })

  it('text sorts by code point, NULLs first ascending and last descending', async () => {
    for (const field of ['s', 'c'] as const) {
      const byText = (a: (typeof rows)[number], b: (typeof rows)[number]): number =>
        a[field] === null
          ? b[field] === null
            ? a.id - b.id
            : -1
          : b[field] === null
            ? 1
            : cmp(a[field], b[field]) || a.id - b.id
      const asc = right(await pipe(query(Word), orderBy(field, 'id'), valuesFlat('id'), run(t().db))())
      expect(asc).toEqual([...rows].sort(byText).map((r) => r.id))
      const desc = right(await pipe(query(Word), orderBy(`-${field}`, 'id'), valuesFlat('id'), run(t().db))())
      const nulls = rows.filter((r) => r[field] === null).map((r) => r.id)
      expect(desc).toEqual([
        ...[...rows]
          .filter((r) => r[field] !== null)
          .sort(byText)
          .reverse()
          .map((r) => r.id),
        ...nulls,
      ])
    }
  })

  it('integers sort with NULLs first ascending and last descending', async () => {
    const byN = (a: (typeof rows)[number], b: (typeof rows)[number]): number =>
      a.n === null ? (b.n === null ? a.id - b.id : -1) : b.n === null ? 1 : a.n - b.n || a.id - b.id
    expect(right(await pipe(query(Word), orderBy('n', 'id'), valuesFlat('id'), run(t().db))())).toEqual(
      [...rows].sort(byN).map((r) => r.id),
    )
    const byNDesc = (a: (typeof rows)[number], b: (typeof rows)[number]): number =>
      a.n === null ? (b.n === null ? a.id - b.id : 1) : b.n === null ? -1 : b.n - a.n || a.id - b.id
    expect(right(await pipe(query(Word), orderBy('-n', 'id'), valuesFlat('id'), run(t().db))())).toEqual(
      [...rows].sort(byNDesc).map((r) => r.id),
    )
  })
})
