/**
 * Algebraic laws of the combinators, checked where they matter: on every dialect, over random
 * data and random filters, both sides give the same rows (as multisets; as sequences when
 * ordered by the key), and each side agrees with the reference.
 */
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { Db } from 'terrapin'
import { forEachDialect } from '../test/support/dialects'
import { Dataset } from './reference'
import { SEED, params, timeout } from './support/config'
import { ModelName, Models, dataArb, insertData } from './support/data'
import { agree, rejected, runEither, show } from './support/harness'
import { FilterSpec, PlanSpec, Step, TerminalName, buildPlan, filterArb, orderableKeys, poolOf } from './support/plans'
import { buildModels, schemaArb } from './support/schema'
import { canon } from './support/values'

const RUNS = 15
const CASES = 10

const spec = fc.sample(schemaArb, { seed: SEED + 1, numRuns: 1 })[0]
const models = buildModels(spec)

interface Law {
  readonly name: string
  /** Plans that must give the same result. */
  readonly sides: ReadonlyArray<PlanSpec>
  /** Whether results are compared as sequences (ordered by the key). */
  readonly ordered: boolean
}

interface Case {
  readonly model: ModelName
  readonly a: FilterSpec
  readonly b: FilterSpec
  readonly n: number
  readonly m: number
  readonly keys: ReadonlyArray<string>
  readonly perm: ReadonlyArray<number>
}

const plan = (model: ModelName, steps: ReadonlyArray<Step>, terminal: TerminalName = 'all'): PlanSpec => ({
  model,
  steps,
  terminal,
})

/** The laws, instantiated with one case's filters and numbers. */
const laws = (c: Case): ReadonlyArray<Law> => {
  const { model, a, b, n, m } = c
  const byKey = { orderBy: [...c.keys, 'id'] }
  const commuting: Step[] = [{ where: a }, byKey, { limit: n }, { offset: m }]
  return [
    {
      name: 'where(a)∘where(b) ≡ where(q.and(a, b))',
      ordered: false,
      sides: [plan(model, [{ where: a }, { where: b }]), plan(model, [{ where: { and: [a, b] } }])],
    },
    {
      name: 'q.not(q.not(a)) ≡ a',
      ordered: false,
      sides: [plan(model, [{ where: { not: { not: a } } }]), plan(model, [{ where: a }])],
    },
    {
      name: 'not(a and b) ≡ not a or not b',
      ordered: false,
      sides: [
        plan(model, [{ where: { not: { and: [a, b] } } }]),
        plan(model, [{ where: { or: [{ not: a }, { not: b }] } }]),
      ],
    },
    {
      name: 'not(a or b) ≡ not a and not b',
      ordered: false,
      sides: [
        plan(model, [{ where: { not: { or: [a, b] } } }]),
        plan(model, [{ where: { and: [{ not: a }, { not: b }] } }]),
      ],
    },
    {
      name: 'exclude(a) ≡ where(q.not(a))',
      ordered: false,
      sides: [plan(model, [{ exclude: a }]), plan(model, [{ where: { not: a } }])],
    },
    {
      name: 'where(a) and exclude(a) partition the rows',
      ordered: false,
      sides: [plan(model, [{ where: { or: [a, { not: a }] } }]), plan(model, [])],
    },
    {
      name: 'limit(n)∘limit(m) ≡ limit(min(n, m))',
      ordered: true,
      sides: [plan(model, [byKey, { limit: n }, { limit: m }]), plan(model, [byKey, { limit: Math.min(n, m) }])],
    },
    {
      name: 'offset(n)∘offset(m) ≡ offset(m)',
      ordered: true,
      sides: [plan(model, [byKey, { offset: n }, { offset: m }]), plan(model, [byKey, { offset: m }])],
    },
    {
      name: 'limit and offset commute',
      ordered: true,
      sides: [plan(model, [byKey, { limit: n }, { offset: m }]), plan(model, [byKey, { offset: m }, { limit: n }])],
    },
    {
      name: 'where, orderBy, limit and offset commute',
      ordered: true,
      sides: [
        plan(model, commuting),
        plan(
          model,
          c.perm.map((i) => commuting[i]),
        ),
      ],
    },
    {
      name: 'distinct commutes with where and values',
      ordered: false,
      sides: [
        plan(model, [{ distinct: true }, { where: a }, { values: ['id'] }]),
        plan(model, [{ values: ['id'] }, { where: a }, { distinct: true }]),
      ],
    },
  ]
}

const caseArb = (pool: Dataset): fc.Arbitrary<Case> =>
  fc.constantFrom<ModelName>('Alpha', 'Beta', 'Gamma').chain((model) =>
    fc.record({
      model: fc.constant(model),
      a: filterArb(spec, pool, model),
      b: filterArb(spec, pool, model),
      n: fc.nat(6),
      m: fc.nat(6),
      keys: fc.subarray([...orderableKeys(spec, model)], { maxLength: 2 }),
      perm: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
    }),
  )

const outcome = async (db: Db, ms: Models, s: PlanSpec, ordered: boolean): Promise<string> => {
  const r = await runEither(db, buildPlan(ms, s))
  if (E.isLeft(r)) return `Left ${(r.left as { _tag?: string })._tag}: ${(r.left as Error).message}`
  const rows = (r.right as ReadonlyArray<unknown>).map(canon)
  return (ordered ? rows : [...rows].sort()).join('\n')
}

forEachDialect(`algebraic laws (seed ${SEED})`, Object.values(models), (t) => {
  it(
    `${CASES} law instances per data set hold, and count(p) = all(p).length, exists(p) = count(p) > 0`,
    async () => {
      let checked = 0
      await fc.assert(
        fc.asyncProperty(
          dataArb(spec).chain((d) =>
            fc.tuple(
              fc.constant(d),
              fc.array(caseArb(poolOf(d)), { minLength: CASES, maxLength: CASES }),
              fc.array(fc.nat(), { minLength: CASES, maxLength: CASES }),
            ),
          ),
          async ([data, cases, picks]) => {
            await t().reset()
            const ds = await insertData(t().db, models, data)
            for (let i = 0; i < cases.length; i++) {
              const all = laws(cases[i])
              const law = all[picks[i] % all.length]
              const results: string[] = []
              for (const side of law.sides) {
                await agree(t().db, models, ds, side)
                results.push(await outcome(t().db, models, side, law.ordered))
              }
              // A law relates valid plans: a side with an empty member of `q.or` is a
              // ValidationError (which `agree` checked), whatever the other side is.
              if (law.sides.some(rejected)) {
                checked++
                continue
              }
              if (results.some((r) => r !== results[0]))
                throw new Error(
                  `${law.name} fails on ${t().dialect}:\n${law.sides.map((s, j) => `${show(s)}\n→ ${results[j]}`).join('\n')}`,
                )
              // count and exists of the first side, against its rows.
              const base = law.sides[0]
              const rows = results[0] === '' ? 0 : results[0].split('\n').length
              const cnt = await runEither(t().db, buildPlan(models, { ...base, terminal: 'count' }))
              const ex = await runEither(t().db, buildPlan(models, { ...base, terminal: 'exists' }))
              if (!E.isRight(cnt) || cnt.right !== rows)
                throw new Error(`count(p) = ${show(cnt)} but all(p) has ${rows} rows: ${show(base)}`)
              if (!E.isRight(ex) || ex.right !== rows > 0)
                throw new Error(`exists(p) = ${show(ex)} but count(p) = ${rows}: ${show(base)}`)
              checked++
            }
          },
        ),
        params(RUNS, { interruptAfterTimeLimit: timeout(RUNS, 3000) - 30_000, markInterruptAsFailure: true }),
      )
      expect(checked).toBe(params(RUNS).numRuns! * CASES)
    },
    timeout(RUNS, 3000),
  )
})
