/**
 * Combinators are pure: they never mutate the plan (or the filter values) they are given, and
 * every plan they return is frozen. Checked over random plan specs built step by step.
 */
import fc from 'fast-check'
import { SEED, params } from './support/config'
import { dataArb } from './support/data'
import { applyStep, buildPlan, planArb, poolOf, queryOf } from './support/plans'
import { buildModels, schemaArb } from './support/schema'

const spec = fc.sample(schemaArb, { seed: SEED + 2, numRuns: 1 })[0]
const models = buildModels(spec)
const pool = poolOf(fc.sample(dataArb(spec), { seed: SEED + 2, numRuns: 1 })[0])

/** A deep snapshot that sees everything a mutation could change (models by name only). */
const snapshot = (v: unknown): string =>
  JSON.stringify(v, (k, x: unknown) =>
    k === 'model' && x && typeof x === 'object'
      ? `Model(${(x as { name: string }).name})`
      : typeof x === 'bigint'
        ? `${x}n`
        : x instanceof Date
          ? `Date(${x.getTime()})`
          : x,
  )

/** The first part of a plan (models aside: they are checked by their own tests) that is not frozen. */
const unfrozen = (v: unknown, path = 'plan'): string | undefined => {
  if (v === null || typeof v !== 'object' || v instanceof Date) return undefined
  if (!Object.isFrozen(v)) return path
  for (const [k, x] of Object.entries(v)) {
    if (k === 'model') continue
    const bad = unfrozen(x, `${path}.${k}`)
    if (bad) return bad
  }
  return undefined
}

describe(`combinator laws (seed ${SEED})`, () => {
  it('no combinator mutates its plan or the values given to it; every plan is frozen', () => {
    fc.assert(
      fc.property(planArb(spec, pool), (s) => {
        const input = snapshot(s)
        let plan = queryOf(models[s.model])
        for (const step of s.steps) {
          const before = snapshot(plan)
          const next = applyStep(plan, step)
          expect(snapshot(plan)).toBe(before)
          // a plan that already carries its error stays that value (frozen, so sharing it is safe)
          if (!plan.error) expect(next).not.toBe(plan)
          expect(unfrozen(next)).toBeUndefined()
          plan = next
        }
        const built = buildPlan(models, s)
        expect(unfrozen(built)).toBeUndefined()
        // The spec's own arrays and objects (the caller's filter values) are untouched.
        expect(snapshot(s)).toBe(input)
        if (!built.error) expect(snapshot(buildPlan(models, s))).toBe(snapshot(built))
      }),
      params(300),
    )
  })
})
