/**
 * `compile(plan, dialect)`: the SQL and parameters a plan runs as. Pure; results are cached by
 * plan shape (plans that differ only in values share their SQL) and, for prepared plans, by
 * plan value, so a hot query compiles once.
 */
import { TerrapinFailure } from '../errors'
import { Delete, Insert, Select, Terminal, Update } from '../plan/ast'
import { Dialect, DialectName } from './dialect'
import { mysql } from './mysql'
import { postgres } from './postgres'
import { hintOf, ShapeNode } from '../plan/hint'
import { HOLE, accessOf, shapeOf, shapeWithPaths, templateOf } from '../plan/shape'
import {
  Compiled,
  Slot,
  withParams,
  compileDelete,
  compileInsert,
  compileSelect,
  compileTerminal,
  compileUpdate,
  isSlot,
} from './sql'
import { sqlite } from './sqlite'
import { modelOrdering } from './ordering'

/** The dialect records by name, for `schemaSql` and for compiling by hand (`compile(plan, name)` takes the name). */
export const dialects: Readonly<Record<DialectName, Dialect>> = { sqlite, postgres, mysql }

/** The plans that compile to one statement. */
export type Statement = Select<unknown> | Terminal<unknown> | Insert<unknown> | Update<unknown> | Delete<unknown>

/** One cache per dialect record (MySQL and MariaDB share a name but not every statement). */
const caches = new WeakMap<Dialect, WeakMap<object, Compiled>>()

/** The dialect record compiled for last, and its cache (a program mostly talks to one database). */
let lastDialect: Dialect | undefined
let lastCache: WeakMap<object, Compiled> | undefined

/** A compiled shape: the template's statement, and which parameter takes which of its values. */
interface Entry {
  readonly compiled: Compiled
  /** Per parameter, the index of the shape value it takes, or -1 (a literal or a user's placeholder). */
  readonly holes: ReadonlyArray<number>
  readonly filled: boolean
}

/** Shapes per dialect record; bounded, as the shapes of a program are few but not known. */
const shapes = new WeakMap<Dialect, Map<string, Entry>>()
const MAX_SHAPES = 2000

/** Compiles a plan afresh, bypassing the cache (what a cache entry must equal). */
export const compileUncached = (d: Dialect, plan: Statement): Compiled => {
  // A bad `meta.ordering` is a mistake in the model: every plan on it says so, not only reads.
  const model = plan._tag === 'Select' || plan._tag === 'Insert' ? plan.model : plan.source.model
  if (model.meta.ordering !== undefined) modelOrdering(model)
  switch (plan._tag) {
    case 'Select':
      return compileSelect(d, plan)
    case 'Terminal':
      return compileTerminal(d, plan)
    case 'Insert':
      return compileInsert(d, plan, plan.rows)
    case 'Update':
      return compileUpdate(d, plan, plan.patch)
    case 'Delete':
      return compileDelete(d, plan)
  }
}

const entryOf = (d: Dialect, plan: Statement, key: string): Entry => {
  let byKey = shapes.get(d)
  if (!byKey) shapes.set(d, (byKey = new Map<string, Entry>()))
  let entry = byKey.get(key)
  if (entry) return entry
  const compiled = compileUncached(d, templateOf(plan))
  const holes = compiled.params.map((p) =>
    isSlot(p) && p.name.startsWith(HOLE) ? Number(p.name.slice(HOLE.length)) : -1,
  )
  entry = { compiled, holes, filled: holes.some((h) => h >= 0) }
  if (byKey.size >= MAX_SHAPES) byKey.delete(byKey.keys().next().value as string)
  byKey.set(key, entry)
  return entry
}

/** A shape reached through a hint: its entry, and how to make its parameters from a plan. */
interface Hinted {
  readonly entry: Entry
  readonly key: string
  /** The statement's parameters with the plan's values encoded in (undefined when it takes none). */
  readonly params: ((plan: object) => ReadonlyArray<unknown>) | undefined
}

/**
 * A function that makes a shape's parameters out of a plan of that shape: each value read where
 * the shape walk found it and encoded for its column, the rest of the template's parameters as
 * they are, into one array (made from a literal of nulls: one made from its numbers would hold
 * unboxed doubles, which the driver reads back as new number objects).
 */
const paramsMaker = (
  entry: Entry,
  paths: ReadonlyArray<ReadonlyArray<string | number>>,
): ((plan: object) => ReadonlyArray<unknown>) | undefined => {
  if (!entry.filled) return undefined
  const params = entry.compiled.params
  const writes = entry.holes.map((h, i) =>
    h >= 0 ? `a[${i}] = t[${i}].encode(${accessOf(paths[h])})` : `a[${i}] = t[${i}]`,
  )
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds property names only as JSON.stringify literals and indexes as numbers
  const make = new Function(
    't',
    `return (p) => {\n const a = [${params.map(() => 'null').join(', ')}]\n ${writes.join('\n ')}\n return a\n}`,
  ) as (template: ReadonlyArray<unknown>) => (plan: object) => ReadonlyArray<unknown>
  return make(params)
}

/** Check every compile through a hint against the full walk (the test suite turns it on). */
const VERIFY = typeof process !== 'undefined' && process.env?.TERRAPIN_VERIFY_SHAPES === '1'

/** What a trie node keeps when the shape walk cannot describe its plans (they compile by the full walk). */
const UNDESCRIBED = 'undescribed'

/**
 * The entry of a plan that carries a shape hint: on the hint's trie node, made the first time
 * from the full walk (which also says where the values sit). Undefined when the walk cannot
 * describe the plan.
 */
const hintedOf = (d: Dialect, plan: Statement, node: ShapeNode): Hinted | undefined => {
  const hit = (node.lastDialect === d ? node.lastCompiled : node.compiled.get(d)) as
    Hinted | typeof UNDESCRIBED | undefined
  if (hit) {
    node.lastDialect = d
    node.lastCompiled = hit
    if (hit === UNDESCRIBED) return undefined
    if (VERIFY && shapeOf(plan)?.key !== hit.key)
      throw new Error(`terrapin: a shape hint disagrees with the plan's shape (${plan._tag})`)
    return hit
  }
  const shape = shapeWithPaths(plan)
  if (!shape || shape.paths.some((p) => p.includes('__proto__'))) {
    // the plans of one trie node have one structure: the walk describes none of them
    node.compiled.set(d, UNDESCRIBED)
    return undefined
  }
  const entry = entryOf(d, plan, shape.key)
  const made: Hinted = { entry, key: shape.key, params: paramsMaker(entry, shape.paths) }
  node.compiled.set(d, made)
  return made
}

/** The entry's statement with the shape's values encoded into its parameters. */
const filled = (entry: Entry, values: ReadonlyArray<unknown>): Compiled => {
  const c = entry.compiled
  if (!entry.filled) return c
  const params = c.params.slice()
  const { holes } = entry
  for (let i = 0; i < holes.length; i++) if (holes[i] >= 0) params[i] = (params[i] as Slot).encode(values[holes[i]])
  return withParams(c, params)
}

/**
 * Compiles with a dialect record. A plan compiled before (a prepared plan, with `remember`) is
 * found by identity; any other plan by its shape, so an ad hoc plan that differs from an earlier
 * one only in values reuses its SQL and only encodes the new values.
 */
export const compileWith = (d: Dialect, plan: Statement, remember = false): Compiled => {
  if (plan.error) throw new TerrapinFailure(plan.error)
  let cache = d === lastDialect ? lastCache : caches.get(d)
  if (!cache) caches.set(d, (cache = new WeakMap()))
  lastDialect = d
  lastCache = cache
  // A prepared plan run over and over: the one compiled last, without hashing it.
  if (remember && plan === lastPlan && d === lastPlanDialect) return lastPlanCompiled!
  const node = hintOf(plan)
  // An ad hoc plan with a hint is new each time: no use looking it up by identity.
  const hit = node && !remember ? undefined : cache.get(plan)
  if (hit) return remember ? lastRemembered(d, plan, hit) : hit
  const fast = node && hintedOf(d, plan, node)
  if (fast) {
    const out = fast.params ? withParams(fast.entry.compiled, fast.params(plan)) : fast.entry.compiled
    if (remember) cache.set(plan, out)
    return remember ? lastRemembered(d, plan, out) : out
  }
  const shape = shapeOf(plan)
  const out = shape ? filled(entryOf(d, plan, shape.key), shape.values) : compileUncached(d, plan)
  if (remember || !shape) cache.set(plan, out)
  return remember ? lastRemembered(d, plan, out) : out
}

let lastPlan: object | undefined
let lastPlanDialect: Dialect | undefined
let lastPlanCompiled: Compiled | undefined

const lastRemembered = (d: Dialect, plan: object, c: Compiled): Compiled => {
  lastPlan = plan
  lastPlanDialect = d
  lastPlanCompiled = c
  return c
}

/**
 * The SQL and parameters of a plan for a dialect. Throws the plan's `TerrapinFailure` when the
 * plan is invalid (running it would return that error as a `Left`). An insert compiles with the
 * values given: defaults are filled in when it runs.
 *
 * @example
 * ```ts
 * console.log(compile(pipe(query(Book), where({ title__contains: 'x' }), values('title')), 'postgres'))
 * //> {
 * //>   sql: 'SELECT "t0"."title" FROM "book" AS "t0" WHERE strpos("t0"."title", $1) > 0',
 * //>   params: [ 'x' ]
 * //> }
 * ```
 */
export const compile = (
  plan: Statement,
  dialect: DialectName,
): { readonly sql: string; readonly params: ReadonlyArray<unknown> } => {
  const { sql, params } = compileWith(dialects[dialect], plan)
  return { sql, params }
}

export type { Compiled, Dialect, DialectName }
