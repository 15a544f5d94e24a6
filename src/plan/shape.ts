/**
 * A plan's shape: everything that decides its SQL text, with the values that only become
 * parameters taken out. The compile cache keys on it, so plans built afresh on every call (ad
 * hoc plans) that differ only in such values compile once.
 *
 * The key is a structural walk of the whole plan, so a field a future combinator adds is part
 * of it without anyone remembering to add it; only the known value positions are taken out:
 * a condition's value (its list items, its range ends), an update's patch values, an insert's
 * row values. What changes the SQL stays in the key: `null` (IS NULL), `isnull` flags, the
 * length of an `in` list (a long list, past `LONG_LIST`, is one value whatever its length),
 * placeholders' names, limits and offsets (literals), and any value that is itself a plan node
 * (a subquery, an expression). Anything the walk does not know how to describe (a function, a
 * class instance in a structural position) makes the plan uncacheable rather than risk two
 * SQL texts sharing a key.
 */
import { Lookup, isLongList, isParam } from './ast'
import { isExpr } from './expr'
import { valueEdge } from './hint'

/** A value taken out of a plan, replaced by a placeholder named `HOLE + index` in the template. */
export const HOLE = '\u0000#'

export interface Shape {
  readonly key: string
  /** The values taken out, in the order of their `HOLE` indexes. */
  readonly values: ReadonlyArray<unknown>
}

interface Walk {
  key: string
  readonly values: unknown[]
  /** Build the template (the plan with holes) as well, or only the key. */
  readonly template: boolean
  ok: boolean
  /** When set, where each value taken out sits in the plan (keys and indexes from the root). */
  readonly paths?: Array<ReadonlyArray<string | number>>
  readonly path: Array<string | number>
}

const modelIds = new WeakMap<object, number>()
let nextModelId = 0

const modelId = (m: object): number => {
  let id = modelIds.get(m)
  if (id === undefined) modelIds.set(m, (id = nextModelId++))
  return id
}

/**
 * Short strings (field names, tags, lookups: a small vocabulary) become one private-use
 * character each, which keeps keys short and cheap to hash; others are written length-first.
 * Every token starts with a character that tells its kind and length, so keys never collide.
 */
const codes = new Map<string, string>()
const MAX_CODES = 6000

const str = (w: Walk, s: string): void => {
  let c = codes.get(s)
  if (c === undefined && s.length <= 40 && codes.size < MAX_CODES)
    codes.set(s, (c = String.fromCharCode(0xe000 + codes.size)))
  w.key += c ?? `${s.length}:${s}`
}

/** `f` with `k` on the walk's path. */
const at = <A>(w: Walk, k: string | number, f: () => A): A => {
  w.path.push(k)
  const out = f()
  w.path.pop()
  return out
}

/** A value that becomes a parameter: out of the key, into `values`, a hole in the template. */
const hole = (w: Walk, v: unknown): unknown => {
  if (isParam(v)) {
    w.key += '$'
    str(w, v.name)
    return v
  }
  if (v === null) {
    w.key += 'N'
    return v
  }
  if (typeof v === 'object' && (v as { _tag?: unknown })._tag !== undefined && !(v instanceof Date)) return node(w, v)
  w.values.push(v)
  w.paths?.push(w.path.slice())
  w.key += '?'
  return w.template ? Object.freeze({ _tag: 'Param', name: `${HOLE}${w.values.length - 1}` }) : undefined
}

/** A condition's value: which of its parts change the SQL and which are parameters. */
const condValue = (w: Walk, lookup: Lookup, v: unknown): unknown => {
  if (lookup === 'isnull' || lookup === 'notIsnull') {
    w.key += v ? 'T' : 'F'
    return v
  }
  // A long list is one parameter, whatever its length; a shorter list or a range is one
  // parameter per item; any other array (a JSON value) is one.
  if ((lookup === 'in' || lookup === 'notIn') && isLongList(v)) {
    w.key += '[*]'
    return hole(w, v)
  }
  if (Array.isArray(v) && (lookup === 'in' || lookup === 'notIn' || lookup === 'range')) {
    w.key += `[${v.length}`
    const out = v.map((x, i) => at(w, i, () => hole(w, x)))
    w.key += ']'
    return w.template ? Object.freeze(out) : v
  }
  return hole(w, v)
}

const holes = (w: Walk, record: Readonly<Record<string, unknown>>): unknown => {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(record)) {
    str(w, k)
    const v = at(w, k, () => hole(w, record[k]))
    if (w.template) out[k] = v
  }
  return w.template ? Object.freeze(out) : record
}

/**
 * Whether row `r` has `keys`, in that order, each with a value of the kind `prev` has there (the
 * shape hints' classification: null, a value, a placeholder by name; a plan node is never the
 * same): the same part of the key.
 */
const sameRowKey = (
  keys: ReadonlyArray<string>,
  prev: Readonly<Record<string, unknown>>,
  r: Readonly<Record<string, unknown>>,
): boolean => {
  let n = 0
  for (const k in r) {
    if (k !== keys[n++]) return false
    const a = valueEdge(prev[k])
    if (a === undefined || a !== valueEdge(r[k])) return false
  }
  return n === keys.length
}

/**
 * An insert's rows: each row's values are holes. A run of rows with the same keys and kinds of
 * value is written once with its length (`*n;`), which no other token starts with: a bulk
 * insert's key stays short (it is hashed on every compile), and the walk writes no string per
 * value. When only the key and values are wanted (the compile of every ad hoc insert), a plain
 * loop: a bulk insert has thousands of values, and a closure and a path entry per value would
 * be most of the walk.
 */
const rowHoles = (w: Walk, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): unknown => {
  w.key += `[${rows.length}`
  let keys: ReadonlyArray<string> = []
  let run = 0
  const walked: unknown[] | undefined = w.template || w.paths ? [] : undefined
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    const again = run > 0 && sameRowKey(keys, rows[i - 1], r)
    if (!again) {
      if (run > 0) w.key += `*${run};`
      keys = Object.keys(r)
      run = 0
    }
    run++
    if (walked) {
      // the same walk for every row (values, paths, the template's holes); a repeated row's key text is dropped
      const before = w.key
      walked.push(at(w, i, () => holes(w, r)))
      if (again) w.key = before
    } else if (again) {
      for (let j = 0; j < keys.length; j++) {
        const v = r[keys[j]]
        if (v !== null && !isParam(v)) w.values.push(v)
      }
    } else
      for (let j = 0; j < keys.length; j++) {
        str(w, keys[j])
        hole(w, r[keys[j]])
      }
  }
  if (run > 0) w.key += `*${run};`
  w.key += ']'
  return w.template ? Object.freeze(walked) : rows
}

/** Any other part of a plan, described in full. */
const node = (w: Walk, v: unknown): unknown => {
  switch (typeof v) {
    case 'string':
      str(w, v)
      return v
    case 'number':
    case 'boolean':
      w.key += `${typeof v === 'number' ? '#' : 'b'}${v};`
      return v
    case 'undefined':
      w.key += 'u'
      return v
    case 'bigint':
      w.key += `n${v};`
      return v
    case 'object':
      break
    default:
      w.ok = false
      return v
  }
  if (v === null) {
    w.key += 'N'
    return v
  }
  if (Array.isArray(v)) return arrayNode(w, v)
  const o = v as Record<string, unknown>
  if (o._tag === 'Model') {
    w.key += `M${modelId(o)};`
    return v
  }
  if (v instanceof Date) {
    w.key += `D${v.getTime()};`
    return v
  }
  // Plain records and expression nodes (their methods live on a shared prototype) are data;
  // any other class instance may hide state from `Object.keys`.
  const proto = Object.getPrototypeOf(o) as object | null
  if (proto !== Object.prototype && proto !== null && !isExpr(o)) {
    w.ok = false
    return v
  }
  return recordNode(w, o, proto)
}

/** An array part of a plan, described in full. */
const arrayNode = (w: Walk, v: ReadonlyArray<unknown>): unknown => {
  w.key += `[${v.length}`
  let out: unknown[] | undefined
  // Only a template keeps what the walk returns: the key alone needs no new array.
  if (w.template) out = v.map((x, i) => at(w, i, () => node(w, x)))
  else
    for (let i = 0; i < v.length; i++) {
      w.path.push(i)
      node(w, v[i])
      w.path.pop()
    }
  w.key += ']'
  return out ? Object.freeze(out) : v
}

/** A record of a plan (a plain object, or an expression node of prototype `proto`), described in full. */
const recordNode = (w: Walk, o: Record<string, unknown>, proto: object | null): unknown => {
  const out: Record<string, unknown> | undefined = w.template ? {} : undefined
  w.key += '{'
  const plain = proto === Object.prototype || proto === null
  // for-in on a plain record needs no key array; an expression node's prototype holds methods.
  for (const k in o) {
    if (!plain && !Object.prototype.hasOwnProperty.call(o, k)) continue
    const x = o[k]
    if (x === undefined) continue
    str(w, k)
    w.path.push(k)
    let y: unknown
    if (k === 'value' && o._tag === 'Cond') y = condValue(w, o.lookup as Lookup, x)
    else if (k === 'patch' && o._tag === 'Update') y = holes(w, x as Record<string, unknown>)
    else if (k === 'rows' && o._tag === 'Insert') y = rowHoles(w, x as ReadonlyArray<Readonly<Record<string, unknown>>>)
    else if (k === 'error') {
      w.ok = false
      y = x
    } else y = node(w, x)
    w.path.pop()
    if (out) out[k] = y
  }
  w.key += '}'
  return out ? (plain ? Object.freeze(out) : Object.freeze(Object.assign(Object.create(proto), out))) : o
}

/** The shape of a plan, or undefined when it cannot be described safely. */
export const shapeOf = (plan: object): Shape | undefined => {
  const w: Walk = { key: '', values: [], template: false, ok: true, path: [] }
  node(w, plan)
  return w.ok ? { key: w.key, values: w.values } : undefined
}

/** The plan with every value of its shape replaced by a `HOLE` placeholder. */
export const templateOf = <P extends object>(plan: P): P => {
  const w: Walk = { key: '', values: [], template: true, ok: true, path: [] }
  return node(w, plan) as P
}

/** The shape of a plan with, per value taken out, where it sits in the plan. */
export const shapeWithPaths = (
  plan: object,
): (Shape & { readonly paths: ReadonlyArray<ReadonlyArray<string | number>> }) | undefined => {
  const paths: Array<ReadonlyArray<string | number>> = []
  const w: Walk = { key: '', values: [], template: false, ok: true, path: [], paths }
  node(w, plan)
  return w.ok ? { key: w.key, values: w.values, paths } : undefined
}

/** The expression that reads the value at `path` out of a plan named `p`, for generated code. */
export const accessOf = (path: ReadonlyArray<string | number>): string =>
  'p' + path.map((k) => `[${typeof k === 'number' ? k : JSON.stringify(k)}]`).join('')
