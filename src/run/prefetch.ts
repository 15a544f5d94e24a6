/**
 * Prefetch: related rows loaded with one query per relation and level (`WHERE key IN (…)` over
 * the keys of the rows above), never one per row, then attached to their parents under the
 * relation's name. A many-to-many level is one query too: the related rows joined to the link
 * table, each carrying the key of the row it belongs to. A select's read (`select`) is here too,
 * since each level of related rows is read as a select (with the levels below it).
 */
import { invalid } from '../errors'
import { LINK_KEY, compileLinked } from '../compile/link'
import { Model } from '../model/model'
import { Relation, linkOf, resolveRelation } from '../model/relations'
import { Cond, PrefetchItem, Select, freeze, isLongList } from '../plan/ast'
import { HINT, OWNER, ShapeNode, hinted, namesStep, rootOf, step } from '../plan/hint'
import { rowDecoder } from './decode'
import { Executor, MaybePromise, isPromise } from './executor'
import { Abort, allRows, paramsOf, readRows, shapeOf, then } from './statement'
import { compileWith } from '../compile'
import { Compiled } from '../compile/sql'
import { Values } from '../plan/prepared'
import { unknownField } from '../model/suggest'

type Row = Record<string, unknown>

/**
 * Keys per statement. Databases cap the parameters of one statement (SQLite 32,766, PostgreSQL
 * and MySQL 65,535), so a level with more parents than this runs one query per chunk.
 */
export const PREFETCH_CHUNK = 10_000

interface Level {
  /** The relation this level loads (the name it lands under is the level's key in `byHead`). */
  readonly relation: string
  /** Deeper paths below this relation. */
  readonly rest: ReadonlyArray<ReadonlyArray<string>>
  /** The sub-plan given with `prefetchWith`, if any. */
  readonly plan?: Select<unknown>
}

/**
 * Groups prefetch items by the name their rows land under: the first hop (`'books__tags'`,
 * `'books'`, `'author'`), or the target a `prefetchWith` names (a level of its own).
 */
const byHead = (items: ReadonlyArray<PrefetchItem>): Map<string, Level> => {
  const out = new Map<string, Level>()
  for (const item of items) {
    const [head, ...tail] = item.path
    const name = item.to ?? head
    const level = out.get(name) ?? { relation: head, rest: [] }
    out.set(name, {
      relation: head,
      rest: tail.length > 0 ? [...level.rest, tail] : level.rest,
      plan: tail.length === 0 && item.plan ? item.plan : level.plan,
    })
  }
  return out
}

const distinct = (values: ReadonlyArray<unknown>): unknown[] => {
  const seen = new Map<Key, unknown>()
  for (const v of values) if (v !== null && v !== undefined) seen.set(keyOf(v), v)
  return [...seen.values()]
}

const chunks = <A>(xs: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const out: A[][] = []
  for (let i = 0; i < xs.length; i += PREFETCH_CHUNK) out.push(xs.slice(i, i + PREFETCH_CHUNK))
  return out
}

/** A key value as a Map key. */
type Key = string | number

/** A number as itself (no string made per row); anything else spelt apart by type. */
const keyOf = (v: unknown): Key => (typeof v === 'number' ? v : typeof v === 'bigint' ? `${v}n` : String(v))

/** The plan that reads the related rows of one level: the sub-plan (or all rows), deeper paths added. */
const levelPlan = (target: Model, level: Level): Select<unknown> => {
  const base: Select<unknown> = level.plan ?? {
    _tag: 'Select',
    model: target,
    order: [],
    distinct: false,
    projection: { _tag: 'Rows' },
    prefetch: [],
  }
  return {
    ...base,
    // unordered: the target's `meta.ordering` (applied when the level compiles), else its key
    order:
      base.order.length > 0 || target.meta.ordering?.length ? base.order : [{ path: [], key: target.pk, desc: false }],
    prefetch: [...base.prefetch, ...level.rest.map((path) => ({ path }))],
  }
}

/** A label no combinator's step takes: the trie's edge from a model's root to its prefetch levels. */
const LEVEL = '\u0001prefetch'

/**
 * The steps in the trie of shapes (`plan/hint.ts`) of a level read without a sub-plan: all it
 * holds but its values is the target, the key, the deeper paths and how many values there are
 * (a long list is one parameter, whatever its length), so a prefetch compiles without walking
 * its plan, as an ad hoc plan does. A sub-plan is more than the steps can describe: its levels
 * compile by the walk.
 */
const levelStep = (level: Level, target: Model, key: string, values: ReadonlyArray<unknown>): ShapeNode | undefined => {
  if (level.plan) return undefined
  let n = step(step(rootOf(target), LEVEL), key)
  for (const path of level.rest) n = namesStep(n, '>', path)
  const list: unknown = values
  return step(step(n, '\u0000'), isLongList(list) ? '[*]' : values.length)
}

const withIn = (
  plan: Select<unknown>,
  key: string,
  values: ReadonlyArray<unknown>,
  hint: ShapeNode | undefined,
): Select<unknown> => {
  const cond: Cond = freeze({ _tag: 'Cond', path: [], key, lookup: 'in', value: values })
  if (plan.where) return { ...plan, where: { _tag: 'And', items: [plan.where, cond] } }
  return hinted<Select<unknown>>({ ...plan, where: cond, [HINT]: undefined, [OWNER]: undefined }, hint)
}

/** The related rows whose `key` is one of `values` (one query per chunk of keys). */
const fetchWhere = (
  ex: Executor,
  level: Level,
  plan: Select<unknown>,
  key: string,
  values: ReadonlyArray<unknown>,
): MaybePromise<Row[]> =>
  then(
    inTurn(
      chunks(values),
      (part) =>
        select(ex, withIn(plan, key, part, levelStep(level, plan.model, key, part)), undefined) as MaybePromise<Row[]>,
    ),
    joined,
  )

const joined = <A>(parts: ReadonlyArray<ReadonlyArray<A>>): A[] =>
  parts.length === 1 ? (parts[0] as A[]) : parts.flat()

/**
 * `f` of each item in turn, each once the one before it is done: at once while `f` answers at
 * once (a synchronous driver that is free), so that a prefetch on SQLite needs no promise.
 */
const inTurn = <A, B>(items: ReadonlyArray<A>, f: (item: A) => MaybePromise<B>): MaybePromise<B[]> => {
  const out: B[] = []
  const from = (i: number): MaybePromise<B[]> => {
    for (; i < items.length; i++) {
      const r = f(items[i])
      if (isPromise(r)) return r.then((b) => (out.push(b), from(i + 1)))
      out.push(r)
    }
    return out
  }
  return from(0)
}

/** The rows by the key `keyAt` gives each (the row and its index), in their order. */
const groupBy = (rows: ReadonlyArray<Row>, keyAt: (row: Row, i: number) => unknown): Map<Key, Row[]> => {
  const groups = new Map<Key, Row[]>()
  for (let i = 0; i < rows.length; i++) {
    const k = keyOf(keyAt(rows[i], i))
    const g = groups.get(k)
    if (g) g.push(rows[i])
    else groups.set(k, [rows[i]])
  }
  return groups
}

/** Many-to-many: the related rows joined to the link table, grouped by the owner's key. */
const fetchLinked = (
  ex: Executor,
  rel: Relation,
  plan: Select<unknown>,
  owners: ReadonlyArray<unknown>,
): MaybePromise<Map<Key, Row[]>> => {
  const link = linkOf(rel)!
  const { prefetch: nested, ...flat } = plan
  const read = (part: ReadonlyArray<unknown>): MaybePromise<Row[]> => {
    const c = compileLinked(ex.dialect, { ...flat, prefetch: [] }, link, part)
    const dec = rowDecoder(ex.dialect, rel.target.name, c.output!, 'Rows')
    const decodeAll = (raw: ReadonlyArray<ReadonlyArray<unknown>>): Row[] => raw.map((r) => dec(r) as Row)
    return then(
      allRows(
        ex,
        c.sql,
        c.params,
        c.output!.columns.some((col) => col.kind === 'bigint'),
      ),
      decodeAll,
    )
  }
  return then(then(inTurn(chunks(owners), read), joined), (found) => {
    const owned = found.map((r) => {
      const { [LINK_KEY]: owner, ...row } = r
      return { owner, row }
    })
    const rows = owned.map((o) => o.row)
    return nested.length > 0
      ? then(prefetchRows(ex, plan, rows), (deeper) => groupBy(deeper, (_, i) => owned[i].owner))
      : groupBy(rows, (_, i) => owned[i].owner)
  })
}

type WithRelation = (row: Row, value: unknown) => Row

const copiers = new Map<string, WithRelation>()

/**
 * `(row, value) => ({ ...row, [name]: value })` for rows with these keys, as one object literal
 * made once (`{ "id": row["id"], …, "books": value }`): a spread with a computed key is the slow
 * path of object creation, which a prefetch would take once per parent row. The rows of a
 * level share their keys (one row decoder made them, each relation added to all), so the first
 * row's keys stand for all.
 */
const withRelation = (keys: ReadonlyArray<string>, name: string): WithRelation => {
  const id = JSON.stringify([keys, name])
  let f = copiers.get(id)
  if (!f) {
    const all = keys.includes(name) ? keys : [...keys, name]
    f = all.includes('__proto__')
      ? (row, value) => ({ ...row, [name]: value })
      : // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds names only as JSON.stringify literals
        (new Function(
          'row',
          'value',
          `return { ${all.map((k) => `${JSON.stringify(k)}: ${k === name ? 'value' : `row[${JSON.stringify(k)}]`}`).join(', ')} }`,
        ) as WithRelation)
    // bounded, should an application make ever new row shapes (annotations named at run time)
    if (copiers.size >= 1000) copiers.clear()
    copiers.set(id, f)
  }
  return f
}

const attach = (
  ex: Executor,
  rel: Relation,
  rows: ReadonlyArray<Row>,
  level: Level,
  name: string,
): MaybePromise<Row[]> => {
  const plan = levelPlan(rel.target, level)
  const copy = withRelation(Object.keys(rows[0]), name)
  if (rel.column) {
    // Forward key: parent.authorId → the author row (null when the key is null or filtered out).
    const fk = rel.column.key
    const toKey = rel.target.columns.find((c) => c.column === rel.hops[0].to)!.key
    const ids = distinct(rows.map((r) => r[fk]))
    return then(ids.length === 0 ? [] : fetchWhere(ex, level, plan, toKey, ids), (found) => {
      const index = new Map(found.map((t) => [keyOf(t[toKey]), t]))
      return rows.map((r) => copy(r, r[fk] === null || r[fk] === undefined ? null : (index.get(keyOf(r[fk])) ?? null)))
    })
  }
  const fromKey = rel.source.columns.find((c) => c.column === rel.hops[0].from)!.key
  const ids = distinct(rows.map((r) => r[fromKey]))
  const attachAll = (groups: Map<Key, Row[]>): Row[] =>
    rows.map((r) => {
      const g = groups.get(keyOf(r[fromKey])) ?? []
      return copy(r, rel.many ? g : (g[0] ?? null))
    })
  if (ids.length === 0) return attachAll(new Map())
  if (rel.kind === 'manyToMany') return then(fetchLinked(ex, rel, plan, ids), attachAll)
  // Reverse key: the rows whose foreign key holds one of the parents' keys.
  const fkKey = rel.target.columns.find((c) => c.column === rel.hops[0].to)!.key
  return then(fetchWhere(ex, level, plan, fkKey, ids), (found) => attachAll(groupBy(found, (t) => t[fkKey])))
}

/**
 * Loads every prefetch path of a plan for its rows, one query per relation and level; at once
 * on a synchronous driver that is free (SQLite: `runSync` runs a prefetch too), else awaited.
 */
export const prefetchRows = (ex: Executor, plan: Select<unknown>, rows: Row[]): MaybePromise<Row[]> => {
  if (rows.length === 0) return rows
  const heads = [...byHead(plan.prefetch)]
  const from = (i: number, out: Row[]): MaybePromise<Row[]> => {
    for (; i < heads.length; i++) {
      const [name, level] = heads[i]
      const head = level.relation
      const rel = resolveRelation(plan.model, head)
      if (!rel) throw new Abort(invalid(head, unknownField(plan.model, head, 'relation'), plan.model.name))
      const next = attach(ex, rel, out, level, name)
      if (isPromise(next)) return next.then((r) => from(i + 1, r))
      out = next
    }
    return out
  }
  return from(0, rows)
}

/** A select's rows, with its prefetched relations. */
export const select = (
  ex: Executor,
  plan: Select<unknown>,
  v: Values | undefined,
  c: Compiled = compileWith(ex.dialect, plan, v !== undefined),
  params: ReadonlyArray<unknown> = paramsOf(c, v),
): MaybePromise<unknown[]> => {
  const rows = readRows(ex, c, plan.model.name, shapeOf(plan), params)
  return plan.prefetch.length > 0 ? withPrefetched(ex, plan, rows) : rows
}

// a callback in a function of its own: a closure in `select` would make V8 allocate what it
// captures on every call, whether the closure is made or not
const withPrefetched = (ex: Executor, plan: Select<unknown>, rows: MaybePromise<unknown[]>): MaybePromise<unknown[]> =>
  then(rows, (r) => prefetchRows(ex, plan, r as Record<string, unknown>[]))
