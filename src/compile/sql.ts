/**
 * The compiler: one pure function from plan to `{ sql, params }` over a dialect record.
 * Identifiers are always quoted, values are always parameters (limits and offsets, validated
 * integers, are literals), and filters follow two-valued logic: a condition on NULL is false and
 * `NOT` is the exact complement.
 */
import { Column, Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { checkColumnValue, guardDecides } from '../model/validate'
import {
  Cond,
  Delete,
  FilterNode,
  Insert,
  Lookup,
  OrderItem,
  Select,
  Terminal,
  Update,
  isLongList,
  isParam,
} from '../plan/ast'
import { HOLE } from '../plan/shape'
import { checkValue } from '../plan/filter'
import { Expr, isExpr, isSelectPlan } from '../plan/expr'
import { searchWords } from '../plan/search'
import { Dialect, caseless } from './dialect'
import { upsertSql } from './bulk'
import {
  Ctx,
  Output,
  Renderers,
  SelectParts,
  Slot,
  bind,
  colRef,
  readAs,
  readRef,
  fail,
  isSlot,
  nextAlias,
  splitKey,
  valueExpr,
  walk,
} from './context'
import {
  BOOLEAN_COLUMN,
  COUNT_COLUMN,
  NUMBER_COLUMN,
  TEXT_COLUMN,
  annotationTarget,
  exprSql,
  inSubquery,
  storeMismatch,
} from './expr'
import { jsonGuards } from './json'
import { groupingSql, isGrouped, lockSql } from './grouping'
import { orderName, readOrder, selectedKeys, sliced } from './ordering'
import { unknownField } from '../model/suggest'
import { joinedOutput, joinsOf, joinsRelated } from './joined'

export type { Ctx, Output, Slot }
export { bind, colRef, fail, isSlot, nextAlias }

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

const rowsOutputs = new WeakMap<Model, Output>()

/** The output of a model's whole rows: one per model, so its row decoder is built once. */
export const rowsOutput = (model: Model): Output => {
  let out = rowsOutputs.get(model)
  if (!out)
    rowsOutputs.set(
      model,
      (out = Object.freeze({ keys: Object.freeze(model.columns.map((c) => c.key)), columns: model.columns })),
    )
  return out
}

export interface Compiled {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
  /** For statements that return rows: how to read them. */
  readonly output?: Output
  /**
   * The statement returns at most one row (a `first`, or a `get` on a primary or unique key):
   * a driver with a one-row call may use it instead of reading a list.
   */
  readonly single?: boolean
}

/** Every field of a compiled statement, optional ones included (a new field fails to compile in `withParams` until it is copied). */
type CompiledFields = { [K in keyof Required<Compiled>]: Compiled[K] }

/** The statement with other parameters (every field copied without a spread, which costs more on a hot path). */
export const withParams = (c: Compiled, params: ReadonlyArray<unknown>): Compiled => {
  const out: CompiledFields = { sql: c.sql, params, output: c.output, single: c.single }
  return out
}

// ------------------------------------------------------------------------------------------
// context
// ------------------------------------------------------------------------------------------

/** What expressions call back into: the select-level renderers of this module. */
const RENDERERS: Renderers = {
  select: (ctx, plan, columns, parts) => selectSql(ctx, plan, columns, parts),
  filter: (ctx, alias, model, node) => filterSql(ctx, alias, model, node),
  projection: (ctx, plan, alias) => projection(ctx, plan, alias),
}

/** A fresh state for rendering one statement. */
export const newCtx = (d: Dialect): Ctx => ({ d, params: [], alias: 0, scopes: [], render: RENDERERS })

/** The check of a value written to a column (the first problem `validateInput` would report). */
const columnCheck = (col: Column): ((v: unknown) => string | undefined) => {
  const is = col.scalar.codec.is
  // A kind its codec's guard decides alone: a passing value needs nothing else.
  return guardDecides(col)
    ? (v) => (v !== null && is(v) ? undefined : checkColumnValue(col, v)[0])
    : (v) => checkColumnValue(col, v)[0]
}

/** Lookups whose only check of a non-null value, on a column its guard decides, is that guard. */
const COMPARED: ReadonlySet<Lookup> = new Set<Lookup>(['exact', 'not', 'gt', 'gte', 'lt', 'lte'])

/** What a column's value becomes for the driver: null stays null. */
const nullOr = (d: Dialect, col: Column): ((v: unknown) => unknown) => {
  const e = d.encoder(col)
  return (x) => (x === null ? null : e(x))
}

// ------------------------------------------------------------------------------------------
// filters
// ------------------------------------------------------------------------------------------

const MATCH: Readonly<Record<string, { kind: 'contains' | 'startswith' | 'endswith'; ci: boolean }>> = {
  contains: { kind: 'contains', ci: false },
  icontains: { kind: 'contains', ci: true },
  startswith: { kind: 'startswith', ci: false },
  istartswith: { kind: 'startswith', ci: true },
  endswith: { kind: 'endswith', ci: false },
  iendswith: { kind: 'endswith', ci: true },
}

const CMP: Readonly<Record<string, string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' }

/** The json lookups, as the dialect's `jsonMatch` operations (`not` negates equality). */
const JSON_MATCH: Readonly<Record<string, 'exact' | 'contains' | 'containedBy' | undefined>> = {
  exact: 'exact',
  not: 'exact',
  contains: 'contains',
  containedBy: 'containedBy',
}

/** The value at a json path as a computed column of its JSON type (`JsonPath.as`). */
const jsonTarget = (ctx: Ctx, alias: string, model: Model, cond: Cond): { sql: string; col: Column } => {
  const json = cond.json!
  const col = model.columnByKey[cond.key] ?? fail(model, `no field ${cond.key}`)
  const path = ctx.d.jsonPathValue(json.steps)
  const arrays = json.steps.flatMap((s, i) => {
    if (typeof s !== 'number') return []
    const parent = ctx.d.jsonPathValue(json.steps.slice(0, i))
    return [() => bind(ctx, parent, (x) => x)]
  })
  const sql = ctx.d.jsonAt(colRef(ctx, alias, col), json.as, () => bind(ctx, path, (x) => x), arrays)
  return { sql, col: json.as === 'number' ? NUMBER_COLUMN : json.as === 'boolean' ? BOOLEAN_COLUMN : TEXT_COLUMN }
}

/** One condition on a column of the row aliased `alias`. May be NULL only where the column is. */
const leaf = (ctx: Ctx, alias: string, model: Model, cond: Cond): string => {
  const { d } = ctx
  // An annotation's SQL may hold placeholders: `x <> ? OR x IS NULL` would repeat them, which
  // positional placeholders cannot. Its two-valued complement says the same with one copy.
  if ((cond.annotation || cond.json) && (cond.lookup === 'not' || cond.lookup === 'notIn') && cond.value !== null)
    return `NOT COALESCE(${leaf(ctx, alias, model, { ...cond, lookup: cond.lookup === 'not' ? 'exact' : 'in' })}, ${d.false})`
  const target = cond.annotation
    ? annotationTarget(ctx, cond.key)
    : cond.json
      ? jsonTarget(ctx, alias, model, cond)
      : undefined
  const col = target?.col ?? model.columnByKey[cond.key] ?? fail(model, unknownField(model, cond.key))
  const raw = target?.sql ?? colRef(ctx, alias, col)
  const part = cond.part
  const expr = part ? d.datePart(part, raw, col) : raw
  const enc = part ? (v: unknown) => v : d.encoder(col)
  const cmpExpr = part ? expr : d.comparable(col, raw)
  const one = checkerOf(
    col,
    part,
    cond.lookup === 'range' || cond.lookup === 'in' || cond.lookup === 'notIn' ? 'exact' : cond.lookup,
  )
  // A value may be an expression (`F('other')`) or, for `in`, a plan (a subquery).
  const operand = (v: unknown): string => (isExpr(v) ? exprSql(ctx, v, col).sql : bind(ctx, v, enc, one))
  if (col.kind === 'json' && !part && cond.value !== null) {
    const json = JSON_MATCH[cond.lookup]
    if (json) {
      const guards = (): string => bind(ctx, cond.value, (x) => (json === 'exact' ? '[]' : jsonGuards(json, x)), one)
      const m = d.jsonMatch(json, raw, () => operand(cond.value), guards)
      return cond.lookup === 'not' ? `(NOT (${m}) OR ${raw} IS NULL)` : m
    }
  }
  const cmpVal = (v: unknown): string => (part ? operand(v) : d.comparable(col, operand(v)))
  // Decimals are equal by value, not by spelling: compared through the dialect's comparable form.
  const byValue = col.kind === 'decimal' && !part
  return lookupSql({
    ctx,
    model,
    cond,
    col,
    expr,
    cmpExpr,
    enc,
    one,
    cmpVal,
    eqExpr: byValue ? cmpExpr : expr,
    eqVal: byValue ? cmpVal : operand,
  })
}

/**
 * How a value is checked: as a literal in its place would be. A literal null means IS NULL,
 * which a placeholder's `= ?` cannot express: refused.
 */
const checkerOf = (col: Column, part: Cond['part'], lookup: Lookup): ((x: unknown) => string | undefined) => {
  const full = (x: unknown): string | undefined =>
    x === null ? 'null cannot be bound to a placeholder (use __isnull)' : checkValue(col, lookup, part, x)
  if (part || !COMPARED.has(lookup) || !guardDecides(col)) return full
  // A value the column's guard accepts passes every check of a comparison: no need to ask them.
  const is = col.scalar.codec.is
  return (x) => (x !== null && is(x) ? undefined : full(x))
}

/** A condition's two sides as `leaf` made them: the column's SQL and how a value becomes SQL. */
interface Sides {
  readonly ctx: Ctx
  readonly model: Model
  readonly cond: Cond
  readonly col: Column
  /** The column (or its date part). */
  readonly expr: string
  /** The column as compared by order. */
  readonly cmpExpr: string
  /** The column as compared for equality. */
  readonly eqExpr: string
  readonly enc: (v: unknown) => unknown
  readonly one: (x: unknown) => string | undefined
  readonly cmpVal: (v: unknown) => string
  readonly eqVal: (v: unknown) => string
}

/** A statement has a fixed number of placeholders: a list or a range is one placeholder per item. */
const notWhole = (s: Sides): never =>
  fail(
    s.model,
    `${s.cond.key}__${s.cond.lookup} takes a list of placeholders, e.g. [param('a'), param('b')], not one placeholder`,
  )

const eqList = (s: Sides, xs: unknown): string =>
  isParam(xs) ? notWhole(s) : (xs as unknown[]).map((x) => s.eqVal(x)).join(', ')

/** A long list as one parameter. */
const inList = (s: Sides, v: unknown): string => {
  const items = s.cond.part ? undefined : s.col
  return s.ctx.d.inList(
    s.eqExpr,
    bind(s.ctx, v, (xs) => s.ctx.d.listValue((xs as unknown[]).map(s.enc), items)),
    items,
  )
}

/** The condition's SQL for its lookup. */
const lookupSql = (s: Sides): string => {
  const { ctx, cond, expr, eqExpr, cmpExpr, eqVal, cmpVal } = s
  const d = ctx.d
  const v = cond.value
  // A long list is one parameter (`LONG_LIST`): given as the list itself, or as the hole the
  // compile cache's template puts in its place.
  const whole = isLongList(v) || (isParam(v) && v.name.startsWith(HOLE))
  switch (cond.lookup) {
    case 'exact':
      return v === null ? `${expr} IS NULL` : `${eqExpr} = ${eqVal(v)}`
    case 'not':
      return v === null ? `${expr} IS NOT NULL` : `(${eqExpr} <> ${eqVal(v)} OR ${expr} IS NULL)`
    case 'in':
      if (isSelectPlan(v)) return `${expr} IN (${inSubquery(ctx, v)})`
      if (whole) return inList(s, v)
      return Array.isArray(v) && v.length === 0 ? d.false : `${eqExpr} IN (${eqList(s, v)})`
    case 'notIn':
      // NOT IN over a subquery holding a NULL is never true: negate IN two-valued instead.
      if (isSelectPlan(v)) return `NOT COALESCE(${expr} IN (${inSubquery(ctx, v)}), ${d.false})`
      if (whole) return `(NOT (${inList(s, v)}) OR ${expr} IS NULL)`
      return Array.isArray(v) && v.length === 0 ? d.true : `(${eqExpr} NOT IN (${eqList(s, v)}) OR ${expr} IS NULL)`
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${cmpExpr} ${CMP[cond.lookup]} ${cmpVal(v)}`
    case 'range': {
      const [lo, hi] = isParam(v) ? notWhole(s) : (v as readonly [unknown, unknown])
      return `${cmpExpr} BETWEEN ${cmpVal(lo)} AND ${cmpVal(hi)}`
    }
    case 'isnull':
      return v ? `${expr} IS NULL` : `${expr} IS NOT NULL`
    case 'notIsnull':
      return v ? `${expr} IS NOT NULL` : `${expr} IS NULL`
    case 'iexact':
      return `${caseless(d.fold(expr))} = ${caseless(d.fold(bind(ctx, v, (x) => x, s.one)))}`
    case 'regex':
    case 'iregex':
    case 'search':
      return patternSql(s)
    default: {
      const m = MATCH[cond.lookup]
      return d.match(
        expr,
        bind(ctx, v, (x) => d.pattern(m.kind, m.ci, x as string), s.one),
        m.ci,
        m.kind,
      )
    }
  }
}

/**
 * `regex` as the dialect spells the pattern; `iregex` as `regex` of the folded text and the
 * folded pattern (the fold of `icontains`); `search` with the dialect's full-text match, refused
 * where it has none.
 */
const patternSql = (s: Sides): string => {
  const { ctx, cond, expr } = s
  const d = ctx.d
  if (cond.lookup === 'search') {
    const search =
      d.search ??
      fail(
        s.model,
        `search is not available on ${d.name}: it has no full-text index terrapin makes (FTS5 needs a table)`,
      )
    return search.match(
      expr,
      bind(ctx, cond.value, (x) => search.value(searchWords(x as string)), s.one),
    )
  }
  const ph = bind(ctx, cond.value, (x) => d.regexPattern(x as string), s.one)
  return cond.lookup === 'regex' ? d.regex(expr, ph) : d.regex(caseless(d.fold(expr)), caseless(d.fold(ph)))
}

/** A condition, reached through its relation path by EXISTS (never NULL, never duplicating rows). */
const condition = (ctx: Ctx, alias: string, model: Model, cond: Cond): { sql: string; nullable: boolean } => {
  if (cond.path.length === 0) return { sql: leaf(ctx, alias, model, cond), nullable: true }
  const sub = walk(ctx, alias, model, cond.path, (a, target) => ({
    select: '1',
    where: leaf(ctx, a, target, { ...cond, path: [] }),
  }))
  return { sql: `EXISTS (${sub})`, nullable: false }
}

/**
 * Compiles a filter. Under `NOT`, a condition that may be NULL is made two-valued with
 * COALESCE; elsewhere NULL already acts as false, so indexes stay usable.
 */
export const filterSql = (ctx: Ctx, alias: string, model: Model, node: FilterNode, negated = false): string => {
  const { d } = ctx
  switch (node._tag) {
    case 'Cond': {
      const c = condition(ctx, alias, model, node)
      return negated ? (c.nullable ? `NOT COALESCE(${c.sql}, ${d.false})` : `NOT ${c.sql}`) : c.sql
    }
    case 'Not':
      return filterSql(ctx, alias, model, node.item, !negated)
    case 'And':
    case 'Or': {
      // De Morgan under negation keeps every NOT on a single condition.
      const isAnd = (node._tag === 'And') !== negated
      if (node.items.length === 0) return isAnd ? d.true : d.false
      const parts = node.items.map((i) => filterSql(ctx, alias, model, i, negated))
      return parts.length === 1 ? parts[0] : `(${parts.join(isAnd ? ' AND ' : ' OR ')})`
    }
    case 'Exists': {
      const sub = selectSql(ctx, node.plan, () => '1', { ...node.plan, order: [] })
      return `${negated ? 'NOT ' : ''}EXISTS (${sub})`
    }
  }
}

// ------------------------------------------------------------------------------------------
// selects
// ------------------------------------------------------------------------------------------

/**
 * What a distinct select selects, by order name: PostgreSQL orders SELECT DISTINCT only by
 * select-list expressions, and a relation path rendered twice differs in its aliases.
 */
const selectedExprs = new WeakMap<object, ReadonlyMap<string, { readonly sql: string; readonly col: Column }>>()

export const orderSql = (ctx: Ctx, alias: string, model: Model, order: ReadonlyArray<OrderItem>): string => {
  if (order.length === 0) return ''
  const scope = ctx.scopes[ctx.scopes.length - 1]
  const selected = scope && scope.alias === alias ? selectedExprs.get(scope) : undefined
  const items = order.map((o) => {
    if (o.annotation) {
      const t = annotationTarget(ctx, o.key)
      return ctx.d.order(t.sql, o.desc, t.col !== COUNT_COLUMN)
    }
    const v = selected?.get(orderName(o)) ?? valueExpr(ctx, alias, model, o.path, o.key)
    // A column of the select's own table declared not null holds no NULL (through a relation,
    // a missing row gives one).
    const nullable = o.path.length > 0 || (!v.col.pk && v.col.field.nullable !== false)
    // Through a relation too: SQLite would otherwise sort decimal text as text.
    return ctx.d.order(ctx.d.comparable(v.col, v.sql), o.desc, nullable)
  })
  return ` ORDER BY ${items.join(', ')}`
}

/**
 * The SELECT of a plan with the given column list; `parts` overrides limit/order. Conditions on
 * aggregates of the plan's own rows go to HAVING (see `groupingSql`).
 */
export const selectSql = (
  ctx: Ctx,
  plan: Select<unknown>,
  columns: (alias: string) => string,
  parts: SelectParts = plan,
): string => {
  const alias = nextAlias(ctx)
  const { model } = plan
  const joined = joinsRelated(plan) ? joinsOf(ctx, alias, plan) : undefined
  ctx.scopes.push({ alias, model, plan, related: isGrouped(plan) ? new Map() : undefined, joined: joined?.byPath })
  try {
    const cols = columns(alias)
    const g = groupingSql(ctx, alias, plan)
    const where = g.where ? filterSql(ctx, alias, model, g.where) : ''
    const having = g.having ? filterSql(ctx, alias, model, g.having) : ''
    const order = orderSql(ctx, alias, model, distinctOrder(plan, parts.order ?? plan.order))
    const trueWhere = where === '' || where === ctx.d.true
    const group = g.groupBy
      ? ` GROUP BY ${g.groupBy}${having === '' || having === ctx.d.true ? '' : ` HAVING ${having}`}`
      : ''
    const lock = lockSql(ctx.d, plan.lock)
    return `SELECT ${plan.distinct ? 'DISTINCT ' : ''}${cols} FROM ${ctx.d.quote(model.table)} AS ${ctx.d.quote(alias)}${joined?.sql ?? ''}${trueWhere ? '' : ` WHERE ${where}`}${group}${order}${ctx.d.limitOffset(parts.limit, parts.offset)}${lock}`
  } finally {
    ctx.scopes.pop()
  }
}

/**
 * SELECT DISTINCT can only be ordered by what it selects (PostgreSQL and MySQL refuse the rest,
 * SQLite would pick an arbitrary row per group): anything else is a ValidationError everywhere.
 */
const distinctOrder = (plan: Select<unknown>, order: ReadonlyArray<OrderItem>): ReadonlyArray<OrderItem> => {
  if (!plan.distinct || order.length === 0) return order
  const selected = new Set(selectedKeys(plan).map(orderName))
  const stray = order.filter((o) => !selected.has(orderName(o)))
  if (stray.length > 0)
    fail(
      plan.model,
      `a distinct plan can only be ordered by the fields it selects, not by ${stray.map(orderName).join(', ')}`,
    )
  return order
}

/** The selected columns of a plan, and how the runner reads them. */
export const projection = (
  ctx: Ctx,
  plan: Select<unknown>,
  alias: string,
): { sql: string; named: string; output: Output } => {
  const own = ownProjection(ctx, plan, alias)
  const scope = ctx.scopes[ctx.scopes.length - 1]
  if (!scope?.joined || scope.alias !== alias) return own
  const j = joinedOutput(ctx, scope.joined, own)
  return { ...j, named: own.named }
}

/** The selected columns of a plan's own rows (or values), without the relations it joins. */
const ownProjection = (
  ctx: Ctx,
  plan: Select<unknown>,
  alias: string,
): { sql: string; named: string; output: Output } => {
  const { model, projection: p } = plan
  const annotations = plan.annotations ?? []
  // In a derived table every column needs a distinct name (MySQL rejects `SELECT a, a`).
  const named = (sqls: ReadonlyArray<string>): string =>
    sqls.map((x, i) => `${x} AS ${ctx.d.quote(`c${i}`)}`).join(', ')
  const cols = plan.only ? model.columns.filter((c) => plan.only!.includes(c.key)) : model.columns
  if (p._tag === 'Rows' && annotations.length === 0 && !plan.groupBy) {
    const sqls = cols.map((c) => readRef(ctx, alias, c))
    const output = plan.only ? { keys: cols.map((c) => c.key), columns: cols } : rowsOutput(model)
    return { sql: sqls.join(', '), named: named(sqls), output }
  }
  // Grouped rows hold the group keys and the annotations; model rows gain the annotations.
  const keys =
    p._tag !== 'Rows' ? p.keys : [...(plan.groupBy ?? cols.map((c) => c.key)), ...annotations.map((a) => a.name)]
  const names: Array<string | undefined> = []
  const exprs = keys.map((k) => {
    if (annotations.some((a) => a.name === k)) {
      names.push(undefined)
      return annotationTarget(ctx, k)
    }
    const { path, key } = splitKey(k)
    const rel = path.length === 0 && !model.columnByKey[key] ? resolveRelation(model, key) : undefined
    names.push([...path, rel?.column ? rel.column.key : key].join('__'))
    return valueExpr(ctx, alias, model, path, rel?.column ? rel.column.key : key)
  })
  const scope = ctx.scopes[ctx.scopes.length - 1]
  if (plan.distinct && scope?.alias === alias)
    selectedExprs.set(scope, new Map(exprs.flatMap((e, i) => (names[i] === undefined ? [] : [[names[i], e] as const]))))
  const sqls = exprs.map((e) => readAs(ctx.d, e.col, e.sql))
  const as = p._tag === 'Values' ? p.as : undefined
  return { sql: sqls.join(', '), named: named(sqls), output: { keys: as ?? keys, columns: exprs.map((e) => e.col) } }
}

/** A select of rows in the given order (its own, unless a terminal chose another). */
const selectRows = (d: Dialect, plan: Select<unknown>, order: ReadonlyArray<OrderItem>): Compiled => {
  const ctx = newCtx(d)
  let output: Output | undefined
  const cols = (alias: string): string => {
    const p = projection(ctx, plan, alias)
    output = p.output
    return p.sql
  }
  const sql = selectSql(
    ctx,
    plan,
    cols,
    order === plan.order ? plan : { limit: plan.limit, offset: plan.offset, order },
  )
  return { sql, params: ctx.params, output }
}

/** A select's rows, in its order or, given none, its model's (`meta.ordering`). */
export const compileSelect = (d: Dialect, plan: Select<unknown>): Compiled => selectRows(d, plan, readOrder(plan))

/** Kinds whose equality in SQL is the equality of a unique index on them (not decimals stored as text, floats, …). */
const KEY_KINDS: ReadonlySet<string> = new Set(['int', 'smallint', 'bigint', 'uuid', 'char', 'text'])

/**
 * Whether a select returns at most one row: one of its top-level conditions pins a primary or
 * unique column of its own model to one value, and each row of the model is one row of the
 * result (model rows, no grouping).
 */
const pinned = (src: Select<unknown>): boolean => {
  if (src.projection._tag !== 'Rows' || src.groupBy !== undefined || !src.where) return false
  const conds = src.where._tag === 'And' ? src.where.items : [src.where]
  return conds.some((c) => {
    if (
      c._tag !== 'Cond' ||
      c.lookup !== 'exact' ||
      c.path.length > 0 ||
      c.part ||
      c.annotation ||
      c.value === null ||
      isExpr(c.value) ||
      isSelectPlan(c.value)
    )
      return false
    const col = src.model.columnByKey[c.key]
    return (
      col !== undefined &&
      KEY_KINDS.has(col.kind) &&
      (col.pk || (col.field.options as { unique?: boolean }).unique === true)
    )
  })
}

const pkOrder = (model: Model): ReadonlyArray<OrderItem> => [{ path: [], key: model.pk, desc: false }]

export const compileTerminal = (d: Dialect, plan: Terminal<unknown>): Compiled => {
  const src = plan.source
  const ctx = newCtx(d)
  const limited =
    src.limit !== undefined || src.offset !== undefined || src.distinct || src.groupBy !== undefined || isGrouped(src)
  switch (plan.kind) {
    case 'count': {
      if (!limited) return { sql: selectSql(ctx, src, () => 'COUNT(*)', { order: [] }), params: ctx.params }
      // Only a distinct or grouped plan's count depends on what it selects; never on the order.
      const grouped = src.groupBy !== undefined || isGrouped(src)
      const cols = (a: string): string =>
        grouped ? projection(ctx, src, a).sql : src.distinct ? projection(ctx, src, a).named : '1'
      return {
        sql: `SELECT COUNT(*) FROM (${selectSql(ctx, src, cols, { ...src, order: [] })}) AS ${d.quote('c')}`,
        params: ctx.params,
      }
    }
    case 'exists': {
      // Distinct rows are counted by what they select: `SELECT DISTINCT 1` would be one row.
      const cols = src.distinct ? (a: string) => projection(ctx, src, a).named : () => '1'
      const inner = selectSql(ctx, src, cols, { order: src.offset ? src.order : [], limit: 1, offset: src.offset })
      // EXISTS lets SQLite and MySQL drop a DISTINCT inside it; a derived table keeps it.
      const probe = src.distinct ? `SELECT 1 FROM (${inner}) AS ${d.quote('e')}` : inner
      return {
        sql: `SELECT ${src.limit === 0 ? d.false : 'EXISTS'} ${src.limit === 0 ? '' : `(${probe})`}`.trim(),
        params: src.limit === 0 ? [] : ctx.params,
      }
    }
    case 'first': {
      // Unordered: by key, as tortoise; a distinct projection has no key, so by what it selects.
      // A grouped plan has no row key either: by its group keys.
      const byGroup = (): ReadonlyArray<OrderItem> => (src.groupBy ?? []).map((k) => ({ ...splitKey(k), desc: false }))
      // The model's ordering first, where it applies.
      const own = readOrder(src)
      const order =
        own.length > 0
          ? own
          : src.distinct && src.projection._tag !== 'Rows'
            ? selectedKeys(src)
            : src.groupBy
              ? byGroup()
              : pkOrder(src.model)
      const one = { ...src, limit: Math.min(src.limit ?? 1, 1) }
      return { ...selectRows(d, one, order), single: true }
    }
    case 'inBulk':
      return compileSelect(d, src)
    case 'get':
    case 'getOrNone': {
      // Without a slice the order cannot change the answer (one row, or an error).
      const c = selectRows(d, { ...src, limit: Math.min(src.limit ?? 2, 2) }, sliced(src) ? readOrder(src) : src.order)
      return pinned(src) ? { ...c, single: true } : c
    }
  }
}

// ------------------------------------------------------------------------------------------
// writes
// ------------------------------------------------------------------------------------------

/**
 * `WHERE` for an UPDATE/DELETE over a plan: the plan's filter on the table itself, or — when
 * the plan limits, offsets or is distinct — its primary keys from a derived table.
 */
const targetWhere = (ctx: Ctx, alias: string, src: Select<unknown>): string => {
  const { model } = src
  if (
    src.limit === undefined &&
    src.offset === undefined &&
    !src.distinct &&
    src.groupBy === undefined &&
    !isGrouped(src)
  ) {
    ctx.scopes.push({ alias, model, plan: src })
    const w = src.where ? filterSql(ctx, alias, model, src.where) : ''
    ctx.scopes.pop()
    return w === '' || w === ctx.d.true ? '' : ` WHERE ${w}`
  }
  const pk = model.columnByKey[model.pk]
  // A slice is the rows `all` would return: in the model's ordering when the plan has none.
  const inner = selectSql(ctx, { ...src, distinct: false }, (a) => colRef(ctx, a, pk), {
    limit: src.limit,
    offset: src.offset,
    order: readOrder(src),
  })
  return ` WHERE ${colRef(ctx, alias, pk)} IN (SELECT ${ctx.d.quote(pk.column)} FROM (${inner}) AS ${ctx.d.quote('s')})`
}

/** An expression an update stores in `col`, refused when its value is of another kind. */
const storedExpr = (ctx: Ctx, model: Model, col: Column, e: Expr): string => {
  const r = exprSql(ctx, e, col)
  const mismatch = storeMismatch(col, r, e)
  return mismatch === undefined ? r.sql : fail(model, `${col.key}: ${mismatch}`)
}

export const compileUpdate = (
  d: Dialect,
  plan: Update<unknown>,
  patch: Readonly<Record<string, unknown>>,
): Compiled => {
  const ctx = newCtx(d)
  const { model } = plan.source
  const alias = nextAlias(ctx)
  ctx.scopes.push({ alias, model, plan: plan.source })
  const sets = Object.entries(patch).map(([k, v]) => {
    const col = model.columnByKey[k] ?? fail(model, unknownField(model, k))
    const value = isExpr(v) ? storedExpr(ctx, model, col, v) : bind(ctx, v, nullOr(d, col), columnCheck(col))
    return `${d.setTarget(d.quote(alias), d.quote(col.column))} = ${value}`
  })
  ctx.scopes.pop()
  const where = targetWhere(ctx, alias, plan.source)
  return {
    sql: `UPDATE ${d.quote(model.table)} AS ${d.quote(alias)} SET ${sets.join(', ')}${where}`,
    params: ctx.params,
  }
}

export const compileDelete = (d: Dialect, plan: Delete<unknown>): Compiled => {
  const ctx = newCtx(d)
  const { model } = plan.source
  const alias = nextAlias(ctx)
  const where = targetWhere(ctx, alias, plan.source)
  return { sql: d.deleteFrom(d.quote(model.table), d.quote(alias), where), params: ctx.params }
}

/** An INSERT of complete rows (every row has the same keys); RETURNING where the dialect has it. */
export const compileInsert = (
  d: Dialect,
  plan: Insert<unknown>,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): Compiled => {
  const ctx = newCtx(d)
  const { model } = plan
  const cols = Object.keys(rows[0] ?? {}).map((k) => model.columnByKey[k] ?? fail(model, unknownField(model, k)))
  const output = rowsOutput(model)
  const returning = d.returning
    ? ` RETURNING ${model.columns.map((c) => readAs(d, c, d.quote(c.column))).join(', ')}`
    : ''
  const table = d.quote(model.table)
  // One row with RETURNING: the row comes back from the first step (SQLite makes every change then).
  const single = rows.length === 1 && d.returning
  if (cols.length === 0) return { sql: d.insertDefaults(table) + returning, params: [], output, single }
  const names = `(${cols.map((c) => d.quote(c.column)).join(', ')})`
  const values = rows
    .map((r) => `(${cols.map((c) => bind(ctx, r[c.key], nullOr(d, c), columnCheck(c))).join(', ')})`)
    .join(', ')
  const sql = plan.onConflict
    ? upsertSql(d, model, table, names, values, plan.onConflict)
    : plan.ignoreConflicts
      ? d.insertIgnore(table, names, values)
      : `INSERT INTO ${table} ${names} VALUES ${values}`
  return { sql: sql + returning, params: ctx.params, output, single }
}

/** Reads rows by primary key (the re-read after an insert without RETURNING). */
export const compileByPk = (d: Dialect, model: Model, pks: ReadonlyArray<unknown>): Compiled => {
  const pk = model.columnByKey[model.pk]
  const ctx = newCtx(d)
  const alias = nextAlias(ctx)
  const cols = model.columns.map((c) => readRef(ctx, alias, c)).join(', ')
  const ph = pks.map((v) => bind(ctx, v, (x) => d.encode(pk, x))).join(', ')
  return {
    sql: `SELECT ${cols} FROM ${d.quote(model.table)} AS ${d.quote(alias)} WHERE ${colRef(ctx, alias, pk)} IN (${ph})`,
    params: ctx.params,
    output: rowsOutput(model),
  }
}
