/**
 * The reference interpreter: a read plan evaluated over in-memory rows with the README's
 * semantics, written for obviousness, not speed. The differential laws hold every dialect to it.
 *
 * - text compares by Unicode code point (not by UTF-16 code unit, which puts U+E000–U+FFFF
 *   above astral characters); `i`-lookups fold case with `toLowerCase` (final sigma as sigma);
 * - two-valued logic: a comparison with NULL is false, `not` is the exact complement;
 * - a condition across a relation holds when some related row satisfies it (EXISTS);
 * - NULLs sort first ascending and last descending; ties have no order (see `Expected`);
 * - distinct, then order, then offset and limit; `count` counts what `all` returns.
 */
import { Column, FilterNode, Model, Plan, Select } from 'terrapin'

type Cond = Extract<FilterNode, { readonly _tag: 'Cond' }>
type OrderItem = Select<unknown>['order'][number]

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

export type Row = Readonly<Record<string, unknown>>

/** What the reference evaluates over: rows by model name, many-to-many pairs by `Model.field`. */
export interface Dataset {
  readonly rows: Readonly<Record<string, ReadonlyArray<Row>>>
  readonly links: Readonly<Record<string, ReadonlyArray<readonly [unknown, unknown]>>>
}

/** One result row with the values it is ordered by. */
export interface Item {
  readonly out: unknown
  readonly keys: ReadonlyArray<unknown>
  readonly kinds: ReadonlyArray<string>
}

/**
 * The expected outcome of a plan. For rows: every row `all` could return before offset and
 * limit, sorted by the plan's ordering (ties in any order), and the window taken; any order of
 * tied rows is correct, so the checker compares tie groups as multisets.
 */
export type Expected =
  | {
      readonly _tag: 'Rows'
      readonly items: ReadonlyArray<Item>
      readonly desc: ReadonlyArray<boolean>
      readonly offset: number
      readonly limit?: number
      readonly single?: 'first' | 'get' | 'getOrNone'
    }
  | { readonly _tag: 'Value'; readonly value: unknown }

// ------------------------------------------------------------------------------------------
// comparison
// ------------------------------------------------------------------------------------------

/** UTF-16 code units remapped so that their order is code point order. */
const unit = (u: number): number => (u >= 0xd800 && u <= 0xdfff ? u + 0x2000 : u >= 0xe000 ? u - 0x800 : u)

/** Compares strings by code point. */
export const compareText = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return unit(x) - unit(y)
  }
  return a.length - b.length
}

/** A decimal (text or number) as an exact fraction `n / 10^scale`. */
const rational = (v: unknown): { n: bigint; scale: number } => {
  const s = typeof v === 'number' ? v.toFixed(12) : String(v)
  const neg = s.startsWith('-')
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.')
  const n = BigInt(int + frac)
  return { n: neg ? -n : n, scale: frac.length }
}

const compareDecimal = (a: unknown, b: unknown): number => {
  const x = rational(a)
  const y = rational(b)
  const l = x.n * 10n ** BigInt(y.scale)
  const r = y.n * 10n ** BigInt(x.scale)
  return l < r ? -1 : l > r ? 1 : 0
}

const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0)

/** Compares two non-null values of a column kind. */
export const compareValues = (kind: string, a: unknown, b: unknown): number => {
  switch (kind) {
    case 'decimal':
      return compareDecimal(a, b)
    case 'bigint': {
      const x = BigInt(a as bigint)
      const y = BigInt(b as bigint)
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 'datetime':
      return sign((a as Date).getTime() - (b as Date).getTime())
    case 'boolean':
      return Number(a) - Number(b)
    default:
      if (typeof a === 'string' && typeof b === 'string') return sign(compareText(a, b))
      return sign((a as number) - (b as number))
  }
}

/** NULLs first ascending, last descending. */
export const compareOrdered = (kind: string, a: unknown, b: unknown, desc: boolean): number => {
  const an = a === null || a === undefined
  const bn = b === null || b === undefined
  if (an || bn) return an && bn ? 0 : an ? (desc ? 1 : -1) : desc ? -1 : 1
  const c = compareValues(kind, a, b)
  return desc ? -c : c
}

// ------------------------------------------------------------------------------------------
// relations
// ------------------------------------------------------------------------------------------

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/** What a key column holds. */
type Key = string | number | bigint

const keyText = (k: Key): string => String(k)

/** Key equality; a bigint key and its number agree. */
const same = (a: unknown, b: unknown): boolean =>
  a !== null &&
  a !== undefined &&
  b !== null &&
  b !== undefined &&
  (a === b || (typeof a !== typeof b && keyText(a as Key) === keyText(b as Key)))

/** The rows related to `row` of `model` through the relation `name`, and their model. */
export const related = (
  ds: Dataset,
  model: Model,
  row: Row,
  name: string,
): { model: Model; rows: ReadonlyArray<Row> } => {
  const f = model.fields[name]
  if (f && (f.kind === 'foreignKey' || f.kind === 'oneToOne')) {
    const target = model.registry[f.target]
    const to = f.options.toField ?? target.pk
    const v = row[`${name}Id`]
    return { model: target, rows: (ds.rows[target.name] ?? []).filter((r) => same(v, r[to])) }
  }
  if (f && f.kind === 'manyToMany') {
    const target = model.registry[f.target]
    const ids = (ds.links[`${model.name}.${name}`] ?? []).filter(([o]) => same(o, row[model.pk])).map(([, t]) => t)
    return { model: target, rows: (ds.rows[target.name] ?? []).filter((r) => ids.some((id) => same(id, r[target.pk]))) }
  }
  for (const other of Object.values(model.registry))
    for (const [fname, of] of Object.entries(other.fields)) {
      if (of.kind === 'manyToMany' || of.kind === 'foreignKey' || of.kind === 'oneToOne') {
        if (of.target !== model.name || (of.options.relatedName ?? `${lowerFirst(other.name)}s`) !== name) continue
        if (of.kind === 'manyToMany') {
          const ids = (ds.links[`${other.name}.${fname}`] ?? [])
            .filter(([, t]) => same(t, row[model.pk]))
            .map(([o]) => o)
          return {
            model: other,
            rows: (ds.rows[other.name] ?? []).filter((r) => ids.some((id) => same(id, r[other.pk]))),
          }
        }
        const to = (of.options as { toField?: string }).toField ?? model.pk
        return { model: other, rows: (ds.rows[other.name] ?? []).filter((r) => same(r[`${fname}Id`], row[to])) }
      }
    }
  throw new Error(`reference: ${model.name} has no relation ${name}`)
}

/** Walks a path of relations from one row: every row at its end. */
const walk = (
  ds: Dataset,
  model: Model,
  rows: ReadonlyArray<Row>,
  path: ReadonlyArray<string>,
): { model: Model; rows: ReadonlyArray<Row> } => {
  let current = { model, rows }
  for (const name of path) {
    const next = current.rows.map((r) => related(ds, current.model, r, name))
    current = { model: next[0]?.model ?? related(ds, current.model, {}, name).model, rows: next.flatMap((n) => n.rows) }
  }
  return current
}

// ------------------------------------------------------------------------------------------
// filters
// ------------------------------------------------------------------------------------------

/** ISO-8601 week number of a UTC calendar day. */
export const isoWeek = (y: number, m: number, d: number): number => {
  const date = new Date(Date.UTC(y, m - 1, d))
  const day = date.getUTCDay() || 7
  date.setUTCDate(date.getUTCDate() + 4 - day)
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1)
  return Math.ceil(((date.getTime() - yearStart) / 86400000 + 1) / 7)
}

/** A date part of a datetime (UTC), a `YYYY-MM-DD` date or an `HH:MM:SS[.fff]` time. */
export const datePart = (kind: string, v: unknown, part: string): number | null => {
  if (v === null || v === undefined) return null
  let y = 0,
    mo = 0,
    d = 0,
    h = 0,
    mi = 0,
    s = 0
  if (kind === 'datetime') {
    const t = v as Date
    ;[y, mo, d, h, mi, s] = [
      t.getUTCFullYear(),
      t.getUTCMonth() + 1,
      t.getUTCDate(),
      t.getUTCHours(),
      t.getUTCMinutes(),
      t.getUTCSeconds(),
    ]
  } else if (kind === 'date') [y, mo, d] = (v as string).split('-').map(Number)
  else [h, mi, s] = (v as string).split(':').map((x) => Math.floor(Number(x)))
  const parts: Record<string, number> = {
    year: y,
    quarter: Math.floor((mo - 1) / 3) + 1,
    month: mo,
    week: kind === 'time' ? 0 : isoWeek(y, mo, d),
    day: d,
    hour: h,
    minute: mi,
    second: s,
  }
  return parts[part]
}

/**
 * Case folding for the `i`-lookups: `toLowerCase`, with final sigma (ς, which `toLowerCase`
 * produces for a word-final Σ) as σ, so that matching never depends on a letter's position.
 */
export const fold = (s: string): string => s.toLowerCase().replace(/ς/g, 'σ')

/** One condition on one row (the column is on the row's own model). */
/** JSON documents as PostgreSQL's jsonb compares them: `@>` (`top`: an array holds a scalar element too). */
const jsonHolds = (t: unknown, c: unknown, top: boolean): boolean => {
  const k = (v: unknown): string => (Array.isArray(v) ? 'a' : typeof v === 'object' && v !== null ? 'o' : 's')
  if (top && k(t) === 'a' && k(c) === 's') return (t as unknown[]).some((e) => k(e) === 's' && e === c)
  if (k(t) !== k(c)) return false
  if (k(t) === 's') return t === c
  if (k(t) === 'a') return (c as unknown[]).every((e) => (t as unknown[]).some((x) => jsonHolds(x, e, false)))
  const o = t as Record<string, unknown>
  return Object.entries(c as Record<string, unknown>).every(([key, v]) => key in o && jsonHolds(o[key], v, false))
}

/** jsonb equality: containment both ways, with arrays of the same length in the same order. */
const jsonSame = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((x, i) => jsonSame(x, b[i]))
    : Array.isArray(a) !== Array.isArray(b)
      ? false
      : typeof a === 'object' && a !== null && typeof b === 'object' && b !== null
        ? Object.keys(a).length === Object.keys(b).length &&
          Object.entries(a).every(([k, v]) => k in b && jsonSame(v, (b as Record<string, unknown>)[k]))
        : a === b

/** A json field's equality and containment (SQL NULL matches nothing). */
const jsonLeaf = (v: unknown, cond: Cond): boolean | undefined => {
  const arg = cond.value
  if (arg === null || !['exact', 'not', 'contains', 'containedBy'].includes(cond.lookup)) return undefined
  if (v === null || v === undefined) return cond.lookup === 'not'
  switch (cond.lookup) {
    case 'exact':
      return jsonSame(v, arg)
    case 'not':
      return !jsonSame(v, arg)
    case 'contains':
      return jsonHolds(v, arg, true)
    default:
      return jsonHolds(arg, v, true)
  }
}

const leaf = (col: Column, row: Row, cond: Cond): boolean => {
  const raw = row[cond.key]
  const json = col.kind === 'json' && !cond.part ? jsonLeaf(raw, cond) : undefined
  if (json !== undefined) return json
  const kind = cond.part ? 'int' : col.kind
  const v = cond.part ? datePart(col.kind, raw, cond.part) : raw
  const isNull = v === null || v === undefined
  const eq = (x: unknown): boolean => !isNull && compareValues(kind, v, x) === 0
  const arg = cond.value
  switch (cond.lookup) {
    case 'exact':
      return arg === null ? isNull : eq(arg)
    case 'not':
      return arg === null ? !isNull : isNull || !eq(arg)
    case 'in':
      return (arg as unknown[]).some(eq)
    case 'notIn':
      return isNull || !(arg as unknown[]).some(eq)
    case 'gt':
      return !isNull && compareValues(kind, v, arg) > 0
    case 'gte':
      return !isNull && compareValues(kind, v, arg) >= 0
    case 'lt':
      return !isNull && compareValues(kind, v, arg) < 0
    case 'lte':
      return !isNull && compareValues(kind, v, arg) <= 0
    case 'range': {
      const [lo, hi] = arg as [unknown, unknown]
      return !isNull && compareValues(kind, v, lo) >= 0 && compareValues(kind, v, hi) <= 0
    }
    case 'isnull':
      return arg ? isNull : !isNull
    case 'notIsnull':
      return arg ? !isNull : isNull
    case 'contains':
      return !isNull && (v as string).includes(arg as string)
    case 'icontains':
      return !isNull && fold(v as string).includes(fold(arg as string))
    case 'startswith':
      return !isNull && (v as string).startsWith(arg as string)
    case 'istartswith':
      return !isNull && fold(v as string).startsWith(fold(arg as string))
    case 'endswith':
      return !isNull && (v as string).endsWith(arg as string)
    case 'iendswith':
      return !isNull && fold(v as string).endsWith(fold(arg as string))
    case 'iexact':
      return !isNull && fold(v as string) === fold(arg as string)
    case 'regex':
      return !isNull && new RegExp(arg as string, 'su').test(v as string)
    case 'iregex':
      return !isNull && new RegExp(fold(arg as string), 'su').test(fold(v as string))
    case 'search':
      throw new Error('search is not in the differential laws: its words are the database parser’s')
    case 'containedBy':
      return false
  }
}

/** Whether a filter holds for a row: two-valued, with EXISTS across relations. */
export const holds = (ds: Dataset, model: Model, row: Row, node: FilterNode): boolean => {
  switch (node._tag) {
    case 'And':
      return node.items.every((i) => holds(ds, model, row, i))
    case 'Or':
      return node.items.some((i) => holds(ds, model, row, i))
    case 'Not':
      return !holds(ds, model, row, node.item)
    case 'Cond': {
      const end = walk(ds, model, [row], node.path)
      const col = end.model.columnByKey[node.key]
      return end.rows.some((r) => leaf(col, r, node))
    }
    default:
      throw new Error(`reference: ${node._tag} filters are not generated by the laws yet`)
  }
}

/** A filter as `where` takes it: an object of lookups, or a `q` combination of such. */
type FilterInput =
  | Readonly<Record<string, unknown>>
  | { readonly _tag: 'Q'; readonly op: 'and' | 'or' | 'not'; readonly items: ReadonlyArray<FilterInput> }

const isQ = (f: FilterInput): f is Extract<FilterInput, { _tag: 'Q' }> => f._tag === 'Q'

/**
 * What a filter is of every row whatever the data: `true` for an empty object or an empty
 * `q.and` (an empty conjunction), `false` for an empty `q.or`, either through `q.not`;
 * `undefined` when it depends on the rows.
 */
export const constantFilter = (f: FilterInput): boolean | undefined => {
  if (!isQ(f)) return Object.keys(f).length === 0 ? true : undefined
  const parts = f.items.map(constantFilter)
  if (f.op === 'not') return parts[0] === undefined ? undefined : !parts[0]
  if (f.op === 'and') return parts.includes(false) ? false : parts.every((p) => p === true) ? true : undefined
  return parts.includes(true) ? true : parts.every((p) => p === false) ? false : undefined
}

/**
 * Whether `where`/`exclude` rejects a filter with a `ValidationError`: some `q.or`, at any depth,
 * has a member true of every row (it would make the whole `or` so). An empty filter alone is
 * every row; only inside an `or` is it a mistake.
 */
export const rejectsFilter = (f: FilterInput): boolean =>
  isQ(f) && ((f.op === 'or' && f.items.some((i) => constantFilter(i) === true)) || f.items.some(rejectsFilter))

// ------------------------------------------------------------------------------------------
// selects
// ------------------------------------------------------------------------------------------

/** The value of `path`/`key` seen from a row through to-one relations (NULL when absent). */
const valueAt = (
  ds: Dataset,
  model: Model,
  row: Row,
  path: ReadonlyArray<string>,
  key: string,
): { value: unknown; kind: string } => {
  const end = walk(ds, model, [row], path)
  const col = end.model.columnByKey[key] ?? end.model.columnByKey[`${key}Id`]
  return { value: end.rows[0]?.[col.key] ?? null, kind: col.kind }
}

const projectRow = (ds: Dataset, plan: Select<unknown>, row: Row): unknown => {
  const p = plan.projection
  const { model } = plan
  if (p._tag === 'Rows') return Object.fromEntries(model.columns.map((c) => [c.key, row[c.key] ?? null]))
  const vals = p.keys.map((k) => {
    const parts = k.split('__')
    return valueAt(ds, model, row, parts.slice(0, -1), parts[parts.length - 1]).value
  })
  if (p._tag === 'Values') return Object.fromEntries(p.keys.map((k, i) => [k, vals[i]]))
  return p.flat ? vals[0] : vals
}

const orderKeys = (
  ds: Dataset,
  model: Model,
  row: Row,
  order: ReadonlyArray<OrderItem>,
): { keys: unknown[]; kinds: string[] } => {
  const vs = order.map((o) => valueAt(ds, model, row, o.path, o.key))
  return { keys: vs.map((v) => v.value), kinds: vs.map((v) => v.kind) }
}

/** Canonical text of a result value, for distinct and multiset comparison. */
export type Canon = (v: unknown) => string

/** Filters, projects, de-duplicates and sorts: every row before offset and limit. */
export const selectItems = (
  ds: Dataset,
  plan: Select<unknown>,
  canon: Canon,
  order: ReadonlyArray<OrderItem> = plan.order,
): Item[] => {
  const { model } = plan
  const rows = (ds.rows[model.name] ?? []).filter((r) => !plan.where || holds(ds, model, r, plan.where))
  let items: Item[] = rows.map((r) => ({ out: projectRow(ds, plan, r), ...orderKeys(ds, model, r, order) }))
  if (plan.distinct) {
    // Distinct applies to the selected values; the laws order a distinct plan only by them.
    const byOut = new Map<string, Item>()
    for (const it of items) if (!byOut.has(canon(it.out))) byOut.set(canon(it.out), it)
    items = [...byOut.values()]
  }
  const desc = order.map((o) => o.desc)
  return items.sort((a, b) => compareItems(a, b, desc))
}

export const compareItems = (a: Item, b: Item, desc: ReadonlyArray<boolean>): number => {
  for (let i = 0; i < desc.length; i++) {
    const c = compareOrdered(a.kinds[i], a.keys[i], b.keys[i], desc[i])
    if (c !== 0) return c
  }
  return 0
}

/** What running a read plan must give. */
export const expected = (ds: Dataset, plan: Plan<unknown>, canon: Canon): Expected => {
  if (plan._tag === 'Select') {
    const items = selectItems(ds, plan, canon)
    return { _tag: 'Rows', items, desc: plan.order.map((o) => o.desc), offset: plan.offset ?? 0, limit: plan.limit }
  }
  if (plan._tag !== 'Terminal') throw new Error(`reference: cannot evaluate a ${plan._tag}`)
  const src = plan.source
  const off = src.offset ?? 0
  const all = selectItems(ds, src, canon)
  const n = Math.max(0, Math.min(src.limit ?? Infinity, all.length - off))
  switch (plan.kind) {
    case 'inBulk':
      throw new Error('reference: inBulk is not evaluated (its rows are a select)')
    case 'count':
      return { _tag: 'Value', value: n }
    case 'exists':
      return { _tag: 'Value', value: n > 0 }
    case 'first': {
      // Unordered: by key; a distinct projection has none, so by what it selects.
      const p = src.projection
      const order: ReadonlyArray<OrderItem> =
        src.order.length > 0
          ? src.order
          : src.distinct && p._tag !== 'Rows'
            ? p.keys.map((k) => ({ path: k.split('__').slice(0, -1), key: k.split('__').pop()!, desc: false }))
            : [{ path: [], key: src.model.pk, desc: false }]
      return {
        _tag: 'Rows',
        items: selectItems(ds, src, canon, order),
        desc: order.map((o) => o.desc),
        offset: off,
        limit: Math.min(src.limit ?? 1, 1),
        single: 'first',
      }
    }
    case 'get':
    case 'getOrNone':
      return {
        _tag: 'Rows',
        items: all,
        desc: src.order.map((o) => o.desc),
        offset: off,
        limit: Math.min(src.limit ?? 2, 2),
        single: plan.kind,
      }
  }
}
