/**
 * Compilation laws, pure (no database): over random plans on the random schema (whose table and
 * column names hold quotes, backticks, `?`, `$`, `%`, spaces, accents) and every dialect record,
 * compiling is deterministic, the shape cache changes nothing, placeholders match parameters,
 * every identifier is quoted, and filter values are parameters that never change the SQL text.
 */
import fc from 'fast-check'
import { Plan } from 'terrapin'
import { dialects } from '../src/compile'
import { compileWith } from '../src/compile'
import { mariadb } from '../src/compile/mysql'
import { Dialect } from '../src/compile/dialect'
import { compileSelect, compileTerminal } from '../src/compile/sql'
import { throughColumns, throughTable } from '../src/model/relations'
import { ManyToManyField } from '../src/model/fields'
import { SEED, params } from './support/config'
import { dataArb } from './support/data'
import { PlanSpec, RELATIONS, buildPlan, columnsOf, planArb, poolOf } from './support/plans'
import { buildModels, schemaArb } from './support/schema'
import { tokenize } from './support/sql-tokens'

const spec = fc.sample(schemaArb, { seed: SEED, numRuns: 1 })[0]
const models = buildModels(spec)
const pool = poolOf(fc.sample(dataArb(spec), { seed: SEED, numRuns: 1 })[0])
const DIALECTS: ReadonlyArray<readonly [string, Dialect]> = [
  ['sqlite', dialects.sqlite],
  ['postgres', dialects.postgres],
  ['mysql', dialects.mysql],
  ['mariadb', mariadb],
]
const RUNS = 300

type Statement = Parameters<typeof compileWith>[1]
const compiles = (p: Plan<unknown>): p is Statement => !p.error && (p._tag === 'Select' || p._tag === 'Terminal')
const direct = (d: Dialect, p: Statement) =>
  p._tag === 'Select' ? compileSelect(d, p) : compileTerminal(d, p as never)
const tokensOf = (d: Dialect, sql: string) => tokenize(sql, d.name)

/** Every name the schema may put in SQL: tables, columns, link tables and their columns. */
const KNOWN: ReadonlySet<string> = new Set([
  ...Object.values(models).flatMap((m) => [m.table, ...m.columns.map((c) => c.column)]),
  throughTable(models.Alpha, models.Alpha.fields.tags as ManyToManyField, models.Gamma),
  ...Object.values(throughColumns(models.Alpha, models.Alpha.fields.tags as ManyToManyField, models.Gamma)),
])
const ALIAS = /^(t\d+|c\d*|e|s)$/
/** Collations the PostgreSQL dialect names. */
const COLLATIONS: ReadonlySet<string> = new Set(['C', 'und-x-icu'])

const plans = planArb(spec, pool).map((s) => [s, buildPlan(models, s)] as const)

describe(`compilation laws (seed ${SEED})`, () => {
  it.each(DIALECTS)(
    '%s: compiling is deterministic, and the shape cache gives what compiling afresh gives',
    (_n, d) => {
      fc.assert(
        fc.property(plans, ([s, p]) => {
          if (!compiles(p)) return
          const again = buildPlan(models, s) as Statement
          const a = compileWith(d, p)
          const b = compileWith(d, again)
          const fresh = direct(d, p)
          expect({ sql: b.sql, params: b.params }).toEqual({ sql: a.sql, params: a.params })
          expect({ sql: a.sql, params: a.params }).toEqual({ sql: fresh.sql, params: fresh.params })
          // Equal plans share one cache entry: the same compiled output record.
          expect(b.output).toBe(a.output)
        }),
        params(RUNS),
      )
    },
  )

  it.each(DIALECTS)('%s: placeholders match parameters, every identifier is quoted and names the schema', (_n, d) => {
    fc.assert(
      fc.property(plans, ([, p]) => {
        if (!compiles(p)) return
        const c = compileWith(d, p)
        const t = tokensOf(d, c.sql)
        if (d.name === 'postgres') expect(new Set(t.placeholders)).toEqual(new Set(c.params.map((_, i) => `$${i + 1}`)))
        else expect(t.placeholders.length).toBe(c.params.length)
        for (const id of t.idents)
          if (!KNOWN.has(id) && !ALIAS.test(id) && !COLLATIONS.has(id))
            throw new Error(`identifier ${JSON.stringify(id)} is not in the schema: ${c.sql}`)
        // The odd characters of the schema's names appear only inside quoted identifiers.
        expect(t.bare).not.toMatch(/[éΩ⇄;`"\\%$]/)
      }),
      params(RUNS),
    )
  })
})

// ------------------------------------------------------------------------------------------
// values are parameters
// ------------------------------------------------------------------------------------------

const MARK = 'Zq9'
/** Strings that would break SQL built by concatenation. */
const hostile: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        "'",
        "''",
        '"',
        '`',
        '\\',
        "\\'",
        '%',
        '_',
        '%_\\',
        '$1',
        '?',
        '??',
        ':x',
        '--',
        '/*',
        '*/',
        ';',
        "'; DROP TABLE x; --",
        'SELECT',
        'OR 1=1',
        'NULL',
        'ς',
        'ß',
        '😀',
        '\uE000',
        '\uFFFD',
        ' ',
        '',
      ),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
  )
  .map(([a, b]) => `${a}${MARK}${b}`)
  .filter((s) => !s.includes('\u0000'))

const TEXT_LOOKUPS = [
  'exact',
  'not',
  'gt',
  'lte',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'iexact',
] as const

/** A filter entry on a text column (maybe through a relation) with a list of `n` values' worth of slots. */
const textKeys = (['Alpha', 'Beta', 'Gamma'] as const).flatMap((model) =>
  [{ path: [] as ReadonlyArray<string>, target: model }, ...RELATIONS[model]].flatMap((h) =>
    columnsOf(spec, h.target)
      .filter((f) => f.kind === 'char' || f.kind === 'text')
      .map((f) => ({ model, key: [...h.path, f.key].join('__') })),
  ),
)

const valueLaw = fc
  .tuple(fc.constantFrom(...textKeys), fc.constantFrom<string>(...TEXT_LOOKUPS, 'in', 'notIn', 'range'), fc.nat(3))
  .chain(([k, lookup, n]) => {
    const one = (): fc.Arbitrary<unknown> =>
      lookup === 'in' || lookup === 'notIn'
        ? fc.array(hostile, { minLength: n + 1, maxLength: n + 1 })
        : lookup === 'range'
          ? fc.tuple(hostile, hostile)
          : hostile
    return fc.tuple(fc.constant(k), fc.constant(lookup), one(), one())
  })

describe('filter values are parameters', () => {
  it.each(DIALECTS)('%s: arbitrary strings never change the SQL text nor appear in it', (_n, d) => {
    fc.assert(
      fc.property(valueLaw, ([k, lookup, v1, v2]) => {
        const spec1: PlanSpec = {
          model: k.model,
          steps: [{ where: { obj: [[`${k.key}__${lookup}`, v1]] } }],
          terminal: 'all',
        }
        const spec2: PlanSpec = { ...spec1, steps: [{ exclude: { obj: [[`${k.key}__${lookup}`, v2]] } }] }
        const spec3: PlanSpec = { ...spec1, steps: [{ exclude: { obj: [[`${k.key}__${lookup}`, v1]] } }] }
        const [p1, p2, p3] = [spec1, spec2, spec3].map((s) => buildPlan(models, s))
        expect(p1.error).toBeUndefined()
        const [a, b, c] = [p1, p2, p3].map((p) => direct(d, p as Statement))
        expect(b.sql).toBe(c.sql)
        expect(compileWith(d, p2 as Statement).sql).toBe(b.sql)
        for (const x of [a, b]) expect(x.sql).not.toContain(MARK)
        expect(a.params.some((x) => typeof x === 'string' && x.includes(MARK))).toBe(true)
      }),
      params(RUNS),
    )
  })

  it('text the databases cannot store (NUL, lone surrogates) is a ValidationError, never SQL', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...textKeys),
        fc.constantFrom('a\u0000b', '\u0000', 'x\uD800', '\uDC00y'),
        fc.constantFrom('exact', 'contains', 'in'),
        (k, bad, lookup) => {
          const p = buildPlan(models, {
            model: k.model,
            steps: [{ where: { obj: [[`${k.key}__${lookup}`, lookup === 'in' ? [bad] : bad]] } }],
            terminal: 'all',
          })
          expect(p.error?._tag).toBe('ValidationError')
        },
      ),
      params(50),
    )
  })
})
