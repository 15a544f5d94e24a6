/**
 * What every part of the compiler shares: the state of one statement being rendered (`Ctx`),
 * parameters, aliases, and the correlated subqueries that reach a related row. Selects and
 * expressions render each other (an annotation holds a subquery, a subquery has a filter), so
 * `Ctx` carries the select-level renderers of `compile/sql.ts` as a record: `expr.ts`,
 * `grouping.ts` and `bulk.ts` import this module and never `sql.ts`, and the modules of the
 * compiler import one another in one direction.
 */
import { TerrapinFailure } from '../errors'
import { Column, Model } from '../model/model'
import { Relation, resolveRelation } from '../model/relations'
import { FilterNode, OrderItem, Select, isParam } from '../plan/ast'
import { Expr, refsOf } from '../plan/expr'
import { Dialect } from './dialect'
import { unknownField } from '../model/suggest'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A parameter bound at execution: `param(name)`, encoded for its column when bound. */
export interface Slot {
  readonly _tag: 'Slot'
  readonly name: string
  readonly encode: (v: unknown) => unknown
  /** Why a value does not fit the placeholder's column and lookup (undefined when it does). */
  readonly check: (v: unknown) => string | undefined
  /** The placeholder's value in a record of values (a property read made for this name). */
  readonly read: (values: Readonly<Record<string, unknown>>) => unknown
}

/** Whether a parameter is a placeholder to bind at execution. */
export const isSlot = (v: unknown): v is Slot => typeof v === 'object' && v !== null && (v as Slot)._tag === 'Slot'

/** What a select returns per row, for the runner's decoder. */
export interface Output {
  /** The object key (or tuple position) of each selected column, in order. */
  readonly keys: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Column>
  /**
   * Rows read with related rows by joins (`selectRelated`): the columns from `start` to `end`
   * are the row at `path` (null when its key, at `pk`, is NULL); the columns before the first
   * are the row itself.
   */
  readonly nest?: ReadonlyArray<Nest>
}

/** One related row inside a row (see `Output.nest`). */
export interface Nest {
  readonly path: ReadonlyArray<string>
  readonly start: number
  readonly end: number
  readonly pk: number
}

/** A SELECT being rendered: the alias and model of its rows, and its plan (for annotations). */
export interface Scope {
  readonly alias: string
  readonly model: Model
  readonly plan?: Select<unknown>
  /** The aliases and models of the relations joined by `selectRelated`, by path (`author__publisher`). */
  readonly joined?: ReadonlyMap<string, { readonly alias: string; readonly model: Model }>
  /**
   * A grouped select's related values by path: each rendered once and repeated as the same text
   * wherever the select names it, since PostgreSQL matches a grouped expression by its text and
   * would refuse the same subquery under other aliases as "ungrouped".
   */
  readonly related?: Map<string, { readonly sql: string; readonly col: Column }>
}

/** The limit, offset and order a select is rendered with, in place of its plan's. */
export interface SelectParts {
  readonly limit?: number
  readonly offset?: number
  readonly order?: ReadonlyArray<OrderItem>
}

/** The select-level renderers (`compile/sql.ts`), which expressions call back into. */
export interface Renderers {
  /** The SELECT of a plan with the given column list; `parts` overrides limit/order. */
  readonly select: (ctx: Ctx, plan: Select<unknown>, columns: (alias: string) => string, parts?: SelectParts) => string
  /** A filter on the row aliased `alias`. */
  readonly filter: (ctx: Ctx, alias: string, model: Model, node: FilterNode) => string
  /** The selected columns of a plan, and how the runner reads them. */
  readonly projection: (
    ctx: Ctx,
    plan: Select<unknown>,
    alias: string,
  ) => { sql: string; named: string; output: Output }
}

/** The compiler's state while it renders one statement. */
export interface Ctx {
  readonly d: Dialect
  readonly params: unknown[]
  alias: number
  /** The selects being rendered, innermost last (for annotations and `OuterRef`). */
  readonly scopes: Scope[]
  readonly render: Renderers
}

// ------------------------------------------------------------------------------------------
// parameters and names
// ------------------------------------------------------------------------------------------

const noCheck = (): undefined => undefined

/**
 * Reads one name of a record of values: a function made for the name, so that its property read
 * sees one kind of record and stays fast (`values[name]` with a changing name does not).
 */
const readers = new Map<string, (values: Readonly<Record<string, unknown>>) => unknown>()
const readerOf = (name: string): ((values: Readonly<Record<string, unknown>>) => unknown) => {
  let r = readers.get(name)
  if (!r) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds names only as JSON.stringify literals
    r = new Function('v', `return v[${JSON.stringify(name)}]`) as (values: Readonly<Record<string, unknown>>) => unknown
    if (readers.size < 10000) readers.set(name, r)
  }
  return r
}

/** Adds a parameter and returns its placeholder. */
export const bind = (
  ctx: Ctx,
  value: unknown,
  encode: (v: unknown) => unknown,
  check: (v: unknown) => string | undefined = noCheck,
): string => {
  ctx.params.push(
    isParam(value)
      ? ({ _tag: 'Slot', name: value.name, encode, check, read: readerOf(value.name) } satisfies Slot)
      : encode(value),
  )
  return ctx.d.placeholder(ctx.params.length)
}

/** A fresh table alias of the statement (`t0`, `t1`, …). */
export const nextAlias = (ctx: Ctx): string => `t${ctx.alias++}`

/** `"alias"."column"`. */
export const colRef = (ctx: Ctx, alias: string, col: Column): string =>
  `${ctx.d.quote(alias)}.${ctx.d.quote(col.column)}`

/** A column in a select list: read back exactly (`Dialect.readColumn`). */
export const readRef = (ctx: Ctx, alias: string, col: Column): string => readAs(ctx.d, col, colRef(ctx, alias, col))

/** An expression of a column's value in a select list or RETURNING, read back exactly (`Dialect.readColumn`). */
export const readAs = (d: Dialect, col: Column | undefined, expr: string): string =>
  col && d.readColumn ? d.readColumn(col, expr) : expr

/** Throws the ValidationError of a plan the compiler cannot render (returned by `run` as a Left). */
export const fail = (model: Model, message: string): never => {
  throw new TerrapinFailure({
    _tag: 'ValidationError',
    model: model.name,
    issues: [{ field: '', message }],
    message: `${model.name}: ${message}`,
  })
}

/** `'author__name'` → the relation path `['author']` and the key `name`. */
export const splitKey = (key: string): { path: ReadonlyArray<string>; key: string } => {
  const parts = key.split('__')
  return { path: parts.slice(0, -1), key: parts[parts.length - 1] }
}

// ------------------------------------------------------------------------------------------
// relations
// ------------------------------------------------------------------------------------------

/** The relations a path walks from `model`, outermost first. */
export const relationsOf = (model: Model, path: ReadonlyArray<string>): ReadonlyArray<Relation> => {
  const out: Relation[] = []
  let current = model
  for (const name of path) {
    const rel = resolveRelation(current, name) ?? fail(current, `no relation ${name}`)
    out.push(rel)
    current = rel.target
  }
  return out
}

/**
 * `FROM … WHERE <link to outer>` of a correlated subquery walking `path` from `outer`; `body`
 * receives the alias and model at the end of the path.
 */
export const walk = (
  ctx: Ctx,
  outer: string,
  model: Model,
  path: ReadonlyArray<string>,
  body: (alias: string, target: Model) => { select: string; where?: string },
): string => {
  const q = ctx.d.quote
  const rels = relationsOf(model, path)
  const hops = rels.flatMap((r) => r.hops)
  const aliases = hops.map(() => nextAlias(ctx))
  const from = hops.map((h, i) =>
    i === 0
      ? `${q(h.table)} AS ${q(aliases[0])}`
      : `JOIN ${q(h.table)} AS ${q(aliases[i])} ON ${q(aliases[i])}.${q(h.to)} = ${q(aliases[i - 1])}.${q(h.from)}`,
  )
  const link = `${q(aliases[0])}.${q(hops[0].to)} = ${q(outer)}.${q(hops[0].from)}`
  const target = rels[rels.length - 1].target
  const b = body(aliases[aliases.length - 1], target)
  return `SELECT ${b.select} FROM ${from.join(' ')} WHERE ${link}${b.where ? ` AND ${b.where}` : ''}`
}

/** A column of the row or, through to-one relations, of a related row (a scalar subquery). */
export const valueExpr = (
  ctx: Ctx,
  alias: string,
  model: Model,
  path: ReadonlyArray<string>,
  key: string,
): { sql: string; col: Column } => {
  if (path.length === 0) {
    const col = model.columnByKey[key] ?? fail(model, unknownField(model, key))
    return { sql: colRef(ctx, alias, col), col }
  }
  const scope = ctx.scopes[ctx.scopes.length - 1]
  const related = scope !== undefined && scope.alias === alias ? scope.related : undefined
  const name = related && `${path.join('__')}__${key}`
  const known = name && related.get(name)
  if (known) return known
  let col: Column | undefined
  const sub = walk(ctx, alias, model, path, (a, target) => {
    col = target.columnByKey[key] ?? fail(target, unknownField(target, key))
    return { select: colRef(ctx, a, col) }
  })
  const out = { sql: `(${sub})`, col: col! }
  if (name) related.set(name, out)
  return out
}

/**
 * The relations an aggregated expression is computed across: the common relation prefix of the
 * paths it reads, up to its last to-many relation (`F('books__rating').add(F('books__pages'))` →
 * `['books']`); empty when it reads the query's own rows (or only to-one paths).
 */
export const aggregatedPath = (model: Model, arg: Expr): ReadonlyArray<string> => {
  const paths = refsOf(arg).map((r) => {
    const segments = r.split('__')
    const path: string[] = []
    let current: Model | undefined = model
    for (const seg of segments) {
      if (!current || current.columnByKey[seg]) break
      const rel = resolveRelation(current, seg)
      if (!rel) break
      path.push(seg)
      current = rel.target
    }
    return path
  })
  if (paths.length === 0) return []
  let common = paths[0]
  for (const p of paths) {
    let n = 0
    while (n < common.length && n < p.length && common[n] === p[n]) n++
    common = common.slice(0, n)
  }
  const rels = relationsOf(model, common)
  let last = -1
  rels.forEach((r, i) => {
    if (r.many) last = i
  })
  return common.slice(0, last + 1)
}
