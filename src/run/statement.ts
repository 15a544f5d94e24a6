/**
 * One statement against a driver: the handle type, placeholder values filled in, whatever the
 * driver throws classified with the statement's SQL, and rows read and decoded — with no
 * promise when the driver is synchronous.
 */
import { TerrapinError, TerrapinFailure, invalid, isTerrapinError, queryError } from '../errors'
import { Compiled, Output, Slot, isSlot, withParams } from '../compile/sql'
import { Select } from '../plan/ast'
import { Values } from '../plan/prepared'
import { DecodeFailure, Shape, rowDecoder } from './decode'
import { Executor, MaybePromise, WriteResult, isPromise } from './executor'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A database handle: what `connect` returns and what `transaction` passes to its program. */
export interface Db {
  readonly _tag: 'Db'
  readonly executor: Executor
}

export const makeDb = (executor: Executor): Db => Object.freeze({ _tag: 'Db', executor })

/** Carries a typed error through code that can only throw (driver callbacks, transactions). */
export class Abort extends Error {
  constructor(readonly error: TerrapinError) {
    super(error.message)
  }
}

// ------------------------------------------------------------------------------------------
// execution
// ------------------------------------------------------------------------------------------

/** A placeholder without a value in the record. */
const missing = (slot: Slot): never => {
  throw new Abort(invalid(slot.name, 'no value for this placeholder'))
}

/** A placeholder's value that does not fit its column or lookup. */
const unfit = (slot: Slot, problem: string): never => {
  throw new Abort(invalid(slot.name, problem))
}

type Filler = (values: Values | undefined) => ReadonlyArray<unknown>

/**
 * The function that makes a statement's parameters from a value record: each placeholder read
 * by name, checked and encoded in order, the first problem thrown, in one generated function per
 * statement (its names written in as property reads, and one array made per call: no copy of
 * the parameters and no record to carry it, as a loop over them would need).
 */
const fillerOf = (c: Compiled): Filler => {
  const names: string[] = []
  const args: unknown[] = []
  const lines: string[] = []
  const items = c.params.map((p, i) => {
    names.push(`p${i}`)
    args.push(p)
    if (!isSlot(p)) return `p${i}`
    lines.push(
      `const x${i} = v[${JSON.stringify(p.name)}]; if (x${i} === undefined) missing(p${i})`,
      `const e${i} = p${i}.check(x${i}); if (e${i}) unfit(p${i}, e${i})`,
      `const y${i} = p${i}.encode(x${i})`,
    )
    return `y${i}`
  })
  // Made from a literal of nulls, then written: an array of numbers made from its items would be
  // of unboxed doubles, each read back by the driver as a new number object.
  const body = `return (v) => {\n if (v === undefined) missing(first)\n ${lines.join('\n ')}\n const a = [${items.map(() => 'null').join(', ')}]\n ${items.map((x, i) => `a[${i}] = ${x}`).join('; ')}\n return a\n}`
  const first = c.params.find(isSlot)
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds names only as JSON.stringify literals
  const make = new Function(...names, 'first', 'missing', 'unfit', body) as (...args: unknown[]) => Filler
  return make(...args, first, missing, unfit)
}

const fillers = new WeakMap<Compiled, Filler>()
let lastFilled: Compiled | undefined
let lastFiller: Filler | undefined

/**
 * A statement's parameters with its placeholders' values in place, each checked and encoded for
 * its column: the statement's own when it has no placeholder (a plan compiled with its values).
 */
export const paramsOf = (c: Compiled, values: Values | undefined): ReadonlyArray<unknown> => {
  if (c === lastFilled) return lastFiller!(values)
  // an ad hoc plan's statement (its values already in) is new each time: no lookup for it
  const ps = c.params
  let slots = false
  for (let i = 0; i < ps.length && !slots; i++) slots = isSlot(ps[i])
  if (!slots) return ps
  let f = fillers.get(c)
  if (f === undefined) fillers.set(c, (f = fillerOf(c)))
  lastFilled = c
  lastFiller = f
  return f(values)
}

/** The statement with its placeholders' values in place (`paramsOf`, as a statement). */
export const fill = (c: Compiled, values: Values | undefined): Compiled => {
  const params = paramsOf(c, values)
  return params === c.params ? c : withParams(c, params)
}

/** `f` of the value, at once when it is there, after it when it is a promise. */
export const then = <A, B>(x: MaybePromise<A>, f: (a: A) => MaybePromise<B>): MaybePromise<B> =>
  isPromise(x) ? x.then(f) : f(x)

/** A driver's error as the typed union, classified with the statement's SQL (never its values). */
const failed = (ex: Executor, e: unknown, sql: string): unknown =>
  e instanceof Abort || e instanceof DecodeFailure || e instanceof TerrapinFailure || isTerrapinError(e)
    ? e
    : new Abort(ex.classify(e, sql))

/** Runs one statement, so that whatever the driver throws is classified knowing its SQL. */
const statement = <A>(ex: Executor, sql: string, f: () => MaybePromise<A>): MaybePromise<A> => {
  try {
    const r = f()
    return isPromise(r)
      ? r.catch((e: unknown) => {
          throw failed(ex, e, sql)
        })
      : r
  } catch (e) {
    throw failed(ex, e, sql)
  }
}

/**
 * A synchronous driver's call, whatever it throws classified with the statement's SQL (the call
 * and its arguments passed apart, so that no closure is made per statement).
 */
const now = <X, A>(
  ex: Executor,
  call: (sql: string, params: ReadonlyArray<unknown>, x: X) => A,
  sql: string,
  params: ReadonlyArray<unknown>,
  x: X,
): A => {
  try {
    return call(sql, params, x)
  } catch (e) {
    throw failed(ex, e, sql)
  }
}

/** Rows of a statement: directly from a synchronous driver when it is free, else awaited. */
export const allRows = (
  ex: Executor,
  sql: string,
  params: ReadonlyArray<unknown>,
  bigint: boolean,
): MaybePromise<ReadonlyArray<ReadonlyArray<unknown>>> => {
  const direct = ex.sync?.()
  return direct ? now(ex, direct.all, sql, params, bigint) : allLater(ex, sql, params, bigint)
}

// The awaited calls are functions of their own: a closure in the function that runs the direct
// call would make V8 allocate the variables it captures on every call, direct ones included.

const allLater = (
  ex: Executor,
  sql: string,
  params: ReadonlyArray<unknown>,
  bigint: boolean,
): Promise<ReadonlyArray<ReadonlyArray<unknown>>> =>
  statement(ex, sql, () => ex.all(sql, params, bigint)) as Promise<ReadonlyArray<ReadonlyArray<unknown>>>

const runLater = (ex: Executor, sql: string, params: ReadonlyArray<unknown>): Promise<WriteResult> =>
  statement(ex, sql, () => ex.run(sql, params)) as Promise<WriteResult>

const bigintOutputs = new WeakMap<object, boolean>()

let lastOutput: object | undefined
let lastBigint = false

const hasBigint = (c: Compiled): boolean => {
  if (!c.output) return false
  if (c.output === lastOutput) return lastBigint
  let b = bigintOutputs.get(c.output)
  if (b === undefined) bigintOutputs.set(c.output, (b = c.output.columns.some((col) => col.kind === 'bigint')))
  lastOutput = c.output
  lastBigint = b
  return b
}

/**
 * The decoded row of a statement that returns at most one row, through the synchronous
 * driver's one-row call when it has one and is free (`undefined` when it is not: read a list).
 */
export const readOne = (
  ex: Executor,
  c: Compiled,
  model: string,
  shape: Shape,
  params: ReadonlyArray<unknown> = c.params,
): unknown[] | undefined => {
  const one = c.single ? ex.sync?.()?.one : undefined
  if (!one) return undefined
  const dec = rowDecoder(ex.dialect, model, c.output!, shape)
  const row = now(ex, one, c.sql, params, hasBigint(c))
  return row === undefined ? [] : [dec(row)]
}

/** Rows of a raw read as objects keyed by column name: directly from a synchronous driver when it is free, else awaited. */
export const objectRows = (
  ex: Executor,
  sql: string,
  params: ReadonlyArray<unknown>,
): MaybePromise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  const objects = ex.sync?.()?.objects
  return objects ? now(ex, objects, sql, params, undefined) : objectsLater(ex, sql, params)
}

const objectsLater = (
  ex: Executor,
  sql: string,
  params: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  const all = ex.allObjects
  if (!all) return Promise.reject(new Error(`the ${ex.dialect.name} runner cannot read raw rows`))
  return statement(ex, sql, () => all(sql, params)) as Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>
}

const changesOf = (r: WriteResult): number => r.changes

/** The rows a statement that returns none changed: at once on a synchronous driver, else awaited. */
export const changedRows = (ex: Executor, sql: string, params: ReadonlyArray<unknown>): MaybePromise<number> =>
  then(runStatement(ex, sql, params), changesOf)

/** A statement that returns no rows, like `allRows`. */
export const runStatement = (ex: Executor, sql: string, params: ReadonlyArray<unknown>): MaybePromise<WriteResult> => {
  const direct = ex.sync?.()
  return direct ? now(ex, direct.run, sql, params, undefined) : runLater(ex, sql, params)
}

/** Rows from which a result counts as long. */
export const LONG_RESULT = 1000

/**
 * Statements (by their output) that have returned a long result. Their next reads are decoded
 * row by row as the driver parses them, where the runner offers it (`Executor.decoded`,
 * PostgreSQL): kept whole until the last row, a long result's raw rows are copied by every
 * garbage collection on the way, while for a short one the per-row hand-over costs more than it
 * saves. (mysql2 hands rows over singly only as events, which cost more than the array.)
 */
const longResults = new WeakSet<Output>()

/** A statement's rows, decoded for the plan's projection. */
export const readRows = (
  ex: Executor,
  c: Compiled,
  model: string,
  shape: Shape,
  params: ReadonlyArray<unknown> = c.params,
): MaybePromise<unknown[]> => {
  const output = c.output!
  const dec = rowDecoder(ex.dialect, model, output, shape)
  if (ex.decoded && longResults.has(output)) return decodedRows(ex, c, params, dec)
  const raw = allRows(ex, c.sql, params, hasBigint(c))
  return isPromise(raw) ? decodeLater(ex, output, dec, raw) : decodeAll(ex, output, dec, raw)
}

const decodedRows = (
  ex: Executor,
  c: Compiled,
  params: ReadonlyArray<unknown>,
  dec: (row: ReadonlyArray<unknown>) => unknown,
): MaybePromise<unknown[]> => statement(ex, c.sql, () => ex.decoded!(c.sql, params, hasBigint(c), dec))

const decodeLater = (
  ex: Executor,
  output: Output,
  dec: (row: ReadonlyArray<unknown>) => unknown,
  raw: Promise<ReadonlyArray<ReadonlyArray<unknown>>>,
): Promise<unknown[]> => raw.then((r) => decodeAll(ex, output, dec, r))

const decodeAll = (
  ex: Executor,
  output: Output,
  dec: (row: ReadonlyArray<unknown>) => unknown,
  raw: ReadonlyArray<ReadonlyArray<unknown>>,
): unknown[] => {
  if (ex.decoded && raw.length >= LONG_RESULT) longResults.add(output)
  const out = new Array<unknown>(raw.length)
  for (let i = 0; i < raw.length; i++) out[i] = dec(raw[i])
  return out
}

/** How a select's rows are shaped: model rows, `values` objects, `valuesList` tuples or flat values. */
export const shapeOf = (plan: Select<unknown>): Shape =>
  plan.projection._tag === 'ValuesList' && plan.projection.flat ? 'Flat' : plan.projection._tag

/**
 * Any thrown value as the typed union. An `Error` with none of the drivers' marks (`code`,
 * `errno`, `severity`; `fatal` is all mysql2 gives a statement on a closed connection) is not
 * the database's.
 */
export const toError = (ex: Executor, e: unknown): TerrapinError => {
  if (e instanceof Abort || e instanceof DecodeFailure) return e.error
  if (e instanceof TerrapinFailure) return e.error
  if (isTerrapinError(e)) return e
  if (e instanceof Error && !('code' in e) && !('errno' in e) && !('severity' in e) && !('fatal' in e)) {
    return queryError(`unexpected error: ${e.message}`, { cause: e })
  }
  return ex.classify(e)
}
