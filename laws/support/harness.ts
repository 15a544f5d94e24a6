/**
 * Runs plans on a database and checks them against the reference, with a message that names
 * the plan, the SQL it compiled to and both results — enough to turn a counterexample into a
 * regression case.
 */
import * as E from 'fp-ts/Either'
import { Db, Plan, compile, run, runSync } from 'terrapin'
import { Dataset, expected, rejectsFilter } from '../reference'
import { check } from './check'
import { Models } from './data'
import { PlanSpec, buildPlan, filterArg } from './plans'
import { canon } from './values'

/** JSON with bigints and dates readable. */
export const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? `${x}n` : x instanceof Date ? `Date(${x.toISOString()})` : x,
  )

const sqlOf = (plan: Plan<unknown>, dialect: 'sqlite' | 'postgres' | 'mysql'): string => {
  try {
    const c = compile(plan as never, dialect)
    return `${c.sql}  -- params ${show(c.params)}`
  } catch (e) {
    return `(does not compile: ${(e as Error).message})`
  }
}

/** Runs a plan; a thrown error (a bug: runners never throw) becomes a Left. */
export const runEither = async (db: Db, plan: Plan<unknown>): Promise<E.Either<unknown, unknown>> => {
  try {
    return await run(db)(plan)()
  } catch (e) {
    return E.left(e)
  }
}

/** Whether the reference rejects a plan spec: a filter with an empty member of `q.or`. */
export const rejected = (spec: PlanSpec): boolean =>
  spec.steps.some(
    (s) =>
      ('where' in s && rejectsFilter(filterArg(s.where) as never)) ||
      ('exclude' in s && rejectsFilter(filterArg(s.exclude) as never)),
  )

/** A plan the reference rejects is a `ValidationError` naming the `q.or` member, from `run` (and `runSync`), before any statement. */
const rejects = async (db: Db, spec: PlanSpec, plan: Plan<unknown>): Promise<void> => {
  const dialect = db.executor.dialect.name
  const results: Array<readonly [string, E.Either<unknown, unknown>]> = [['run', await runEither(db, plan)]]
  if (db.executor.sync) results.push(['runSync', runSync(db)(plan)()])
  for (const [how, r] of results) {
    const e = E.isLeft(r) ? (r.left as { _tag?: string; message?: string }) : undefined
    if (e?._tag !== 'ValidationError' || !/q\.or: member \d+ is empty/.test(e.message ?? ''))
      throw new Error(
        `${dialect} (${how}) should reject an empty member of q.or, got ${show(r)}\nplan: ${show(spec)}\nsql: ${sqlOf(plan, dialect)}`,
      )
  }
}

/**
 * Runs a plan spec and compares with the reference (and, on SQLite, `runSync` with `run`);
 * throws a descriptive error on disagreement.
 */
export const agree = async (db: Db, models: Models, ds: Dataset, spec: PlanSpec): Promise<void> => {
  const plan = buildPlan(models, spec)
  if (rejected(spec)) return rejects(db, spec, plan)
  if (plan.error) throw new Error(`the plan is invalid: ${plan.error.message}\nplan: ${show(spec)}`)
  const exp = expected(ds, plan, canon)
  const got = await runEither(db, plan)
  // On a synchronous driver, runSync runs the same plan at once: it must give exactly what run gives.
  if (db.executor.sync) {
    const now = runSync(db)(plan)()
    if (show(now) !== show(got))
      throw new Error(`runSync disagrees with run: ${show(now)} against ${show(got)}\nplan: ${show(spec)}`)
  }
  const problem = check(exp, got)
  if (problem) {
    const dialect = db.executor.dialect.name
    throw new Error(
      `${dialect} disagrees with the reference: ${problem}\nplan: ${show(spec)}\nsql: ${sqlOf(plan, dialect)}`,
    )
  }
}
