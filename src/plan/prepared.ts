/**
 * Prepared plans: a plan with named placeholders (`param('id')`) that compiles once per dialect
 * and runs many times with values. `prepare(plan)` names the placeholders it holds; `bind(values)`
 * gives them values and yields a plan that `run(db)` takes like any other; `bindEach(list)` runs
 * it once per value record in one transaction.
 */
import { TerrapinError, ValidationIssue, validationError } from '../errors'
import { FilterNode, Plan, freeze, isParam } from './ast'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** The values of a prepared plan's placeholders, by name. */
export type Values = Readonly<Record<string, unknown>>

/**
 * A plan with named placeholders, ready to be bound. `V` describes the values it takes (declare
 * it with `prepare<R, { id: number }>(plan)`; otherwise any record, checked when it runs).
 */
export interface Prepared<A, V extends Values = Values> {
  readonly _tag: 'Prepared'
  readonly plan: Plan<A>
  /** The placeholder names the plan holds, in order of first appearance. */
  readonly names: ReadonlyArray<string>
  /** The values the plan's placeholders take: a type only, never set. */
  readonly _V?: (v: V) => void
}

/** A prepared plan with values for its placeholders: what `run(db)` executes. */
export interface Bound<A> {
  readonly _tag: 'Bound'
  readonly plan: Plan<A>
  readonly values: Values
  readonly _A?: A
  /** Set when the values do not fit the placeholders; running returns it. */
  readonly error?: TerrapinError
}

/**
 * A prepared plan with a list of value records (DB-API's `executemany`): it runs once per
 * record, in order, in one transaction, and yields the results in a list. `A` is that list.
 */
export interface BoundEach<A> {
  readonly _tag: 'BoundEach'
  readonly plan: Plan<unknown>
  readonly values: ReadonlyArray<Values>
  readonly _A?: A
  readonly error?: TerrapinError
}

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

const paramsOfValue = (v: unknown, out: Set<string>): void => {
  if (isParam(v)) out.add(v.name)
  else if (Array.isArray(v)) for (const x of v) paramsOfValue(x, out)
}

const paramsOfFilter = (node: FilterNode | undefined, out: Set<string>): void => {
  if (!node) return
  switch (node._tag) {
    case 'Cond':
      return paramsOfValue(node.value, out)
    case 'Not':
      return paramsOfFilter(node.item, out)
    case 'And':
    case 'Or':
      for (const i of node.items) paramsOfFilter(i, out)
  }
}

const paramsOfPlan = (plan: Plan<unknown>, out: Set<string>): void => {
  switch (plan._tag) {
    case 'Select':
      return paramsOfFilter(plan.where, out)
    case 'Terminal':
    case 'Delete':
      return paramsOfFilter(plan.source.where, out)
    case 'Update':
      paramsOfFilter(plan.source.where, out)
      return Object.values(plan.patch).forEach((v) => paramsOfValue(v, out))
    case 'Insert':
      return plan.rows.forEach((r) => Object.values(r).forEach((v) => paramsOfValue(v, out)))
    case 'Upsert':
      return paramsOfFilter(plan.lookup.where, out)
  }
}

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/**
 * Prepares a plan with named placeholders. The plan compiles once per dialect (the compile
 * cache keys on the plan value, which a prepared plan keeps), and each run binds new values.
 *
 * @example
 * ```ts
 * import type { RowOf } from 'terrapin'
 *
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * await pipe(create(Author, { name: 'A' }), runPromise(db))
 * const byName = prepare<RowOf<typeof Author>, { name: string }>(pipe(query(Author), where({ name: param('name') }), get))
 * console.log(await pipe(byName, bind({ name: 'A' }), runPromise(db))) // SELECT … WHERE "t0"."name" = ? LIMIT 2
 * //> { id: 1, name: 'A' }
 * await close(db)
 * ```
 */
export const prepare = <A, V extends Values = Values>(plan: Plan<A>): Prepared<A, V> => {
  const names = new Set<string>()
  paramsOfPlan(plan, names)
  return freeze({ _tag: 'Prepared', plan, names: freeze([...names]) })
}

/** Problems of one value record against the placeholder names. */
const problems = (names: ReadonlyArray<string>, values: Values, prefix: string): ValidationIssue[] | undefined => {
  let issues: ValidationIssue[] | undefined
  for (let i = 0; i < names.length; i++)
    // An own value: a name like `constructor` must not find the prototype's.
    if (!Object.prototype.hasOwnProperty.call(values, names[i]) || values[names[i]] === undefined)
      (issues ??= []).push({ field: prefix + names[i], message: 'no value for this placeholder' })
  let n = 0
  for (const _ in values) n++
  if (n !== names.length || issues)
    for (const k of Object.keys(values))
      if (!names.includes(k))
        (issues ??= []).push({ field: prefix + k, message: 'the plan has no placeholder of this name' })
  return issues
}

/**
 * Whether a value record gives exactly the names, each as an own value that is not `undefined`
 * (what `problems` finds nothing wrong with): a function made once per list of names, with the
 * names written in as property reads, which V8 caches where `problems`' keyed reads take its
 * generic lookup (`bind` runs on every call of a prepared plan). A record that does not fit is looked at
 * again by `problems`, for its messages.
 */
const fitsOf = (names: ReadonlyArray<string>): ((values: Values) => boolean) => {
  let f = fits.get(names)
  if (!f) {
    const checks = names
      .map((n) => ` && v[${JSON.stringify(n)}] !== undefined && has.call(v, ${JSON.stringify(n)})`)
      .join('')
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds names only as JSON.stringify literals
    const made = new Function(
      'has',
      `return (v) => { let n = 0; for (const _ in v) n++; return n === ${names.length}${checks} }`,
    ) as (has: (this: object, key: PropertyKey) => boolean) => (values: Values) => boolean
    // eslint-disable-next-line @typescript-eslint/unbound-method -- passed on purpose without its object: the generated check calls it as `has.call(v, name)`
    fits.set(names, (f = made(Object.prototype.hasOwnProperty)))
  }
  return f
}

const fits = new WeakMap<ReadonlyArray<string>, (values: Values) => boolean>()

/**
 * Gives a prepared plan values for its placeholders. A missing, `undefined` or unknown name is
 * a `ValidationError` that `run` returns without sending SQL; values are checked against their
 * columns when the plan runs.
 *
 * @example
 * ```ts
 * import type { RowOf } from 'terrapin'
 *
 * const byId = prepare<RowOf<typeof Book>, { id: number }>(pipe(query(Book), where({ id: param('id') }), get))
 * pipe(byId, bind({ id: 7 })) // a plan to run; bind({ idd: 7 }) does not compile
 * ```
 */
export const bind =
  <V extends Values>(values: V) =>
  <A>(prepared: Prepared<A, V>): Bound<A> => {
    const issues = fitsOf(prepared.names)(values) ? undefined : problems(prepared.names, values, '')
    return freeze(
      issues
        ? { _tag: 'Bound', plan: prepared.plan, values, error: validationError(issues) }
        : { _tag: 'Bound', plan: prepared.plan, values },
    )
  }

/**
 * Runs a prepared plan once per value record, in one transaction, and yields the list of
 * results (DB-API's `executemany`). An insert's records are all checked first, then inserted as
 * a bulk insert (multi-row INSERTs); other plans run once per record, on SQLite without a
 * promise each.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const add = prepare(create(Author, { name: param('name') }))
 * // BEGIN; INSERT … VALUES (?), (?) RETURNING …; COMMIT
 * console.log(await pipe(add, bindEach([{ name: 'A' }, { name: 'B' }]), runPromise(db)))
 * //> [ { id: 1, name: 'A' }, { id: 2, name: 'B' } ]
 * await close(db)
 * ```
 */
export const bindEach =
  <V extends Values>(values: ReadonlyArray<V>) =>
  <A>(prepared: Prepared<A, V>): BoundEach<ReadonlyArray<A>> => {
    const issues = values.flatMap((v, i) => problems(prepared.names, v, `[${i}].`) ?? [])
    const base = { _tag: 'BoundEach' as const, plan: prepared.plan as Plan<unknown>, values: freeze([...values]) }
    return freeze(issues.length > 0 ? { ...base, error: validationError(issues) } : base)
  }
