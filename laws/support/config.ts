/**
 * How long the laws run. `FC_SEED` fixes the seed (CI sets 42), so a failure reproduces;
 * `LAWS_RUNS` overrides the number of runs of every property, for long local runs
 * (`LAWS_RUNS=2000 npx jest laws`). Without `FC_SEED` each run draws a fresh seed and
 * fast-check prints it with any counterexample.
 */
import fc from 'fast-check'

const int = (s: string | undefined): number | undefined => {
  if (s === undefined || s.trim() === '') return undefined
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer, got ${JSON.stringify(s)}`)
  return n
}

/** The seed of this run: `FC_SEED`, or one drawn now (printed in failures and suite names). */
export const SEED: number = int(process.env.FC_SEED) ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0

/** `LAWS_RUNS`, when set. */
export const RUNS: number | undefined = int(process.env.LAWS_RUNS)

/** The fast-check parameters of a property whose default run count is `defaultRuns`. */
export const params = <T>(defaultRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> => ({
  seed: SEED,
  numRuns: RUNS ?? defaultRuns,
  ...extra,
})

/** Jest's timeout for a property: generous, and scaled with `LAWS_RUNS`. */
export const timeout = (defaultRuns: number, msPerRun: number): number =>
  Math.max(60_000, (RUNS ?? defaultRuns) * msPerRun * 3)
