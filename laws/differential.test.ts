/**
 * The differential law: random schema, data and plans run on every dialect give what the
 * reference interpreter gives (as multisets, or as sequences where the plan orders by a unique
 * key; see support/check.ts). One schema per run (from the seed), data inserted once per
 * property run, PLANS plans per data set.
 */
import fc from 'fast-check'
import { forEachDialect } from '../test/support/dialects'
import { SEED, params, timeout } from './support/config'
import { dataArb, insertData } from './support/data'
import { agree } from './support/harness'
import { planArb, poolOf } from './support/plans'
import { buildModels, schemaArb } from './support/schema'

const RUNS = 25
const PLANS = 50

const spec = fc.sample(schemaArb, { seed: SEED, numRuns: 1 })[0]
const models = buildModels(spec)

forEachDialect(`differential (seed ${SEED})`, Object.values(models), (t) => {
  it(
    `${PLANS} random plans per data set agree with the reference`,
    async () => {
      let plans = 0
      await fc.assert(
        fc.asyncProperty(
          dataArb(spec).chain((d) =>
            fc.tuple(fc.constant(d), fc.array(planArb(spec, poolOf(d)), { minLength: PLANS, maxLength: PLANS })),
          ),
          async ([data, specs]) => {
            await t().reset()
            const ds = await insertData(t().db, models, data)
            for (const p of specs) {
              await agree(t().db, models, ds, p)
              plans++
            }
          },
        ),
        // Shrinking reruns whole data sets; bound it so a failure is reported, not a timeout.
        params(RUNS, { interruptAfterTimeLimit: timeout(RUNS, 2000) - 30_000, markInterruptAsFailure: true }),
      )
      expect(plans).toBe(params(RUNS).numRuns! * PLANS)
    },
    timeout(RUNS, 2000),
  )
})
