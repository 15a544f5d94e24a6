/**
 * Compiling expressions: `F` paths, arithmetic, the text functions, aggregates and subqueries
 * (GROUP BY / HAVING and row locks are in `grouping.ts`, upserts in `bulk.ts`). Aggregates over a relation (`Count('books')`) are correlated scalar subqueries,
 * so aggregates over different relations never multiply each other's rows; aggregates over the
 * query's own rows (`Count()`, `Sum('rating')`) group it.
 */
import * as t from 'io-ts'
import { TerrapinFailure, validationError } from '../errors'
import { isInt64 } from '../model/codecs'
import { describeValue } from '../model/validate'
import { ScalarField } from '../model/fields'
import { Column, Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { Select } from '../plan/ast'
import { Expr, rebased } from '../plan/expr'
import { resolveFilter } from '../plan/filter'
import { Ctx, Scope, aggregatedPath, bind, colRef, fail, relationsOf, splitKey, valueExpr, walk } from './context'
import { readOrder, sliced } from './ordering'
import { unknownField } from '../model/suggest'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** Compiled SQL of an expression, and the column that types (and decodes) its value. */
export interface ExprSql {
  readonly sql: string
  readonly col: Column
}

// ------------------------------------------------------------------------------------------
// computed columns
// ------------------------------------------------------------------------------------------

/** Numbers as drivers return computed values: JS numbers, bigints, or decimal strings. */
const numeric = new t.Type<number, unknown, unknown>(
  'number',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number') return t.success(u)
    if (typeof u === 'bigint') return t.success(Number(u))
    if (typeof u === 'string' && u.trim() !== '' && Number.isFinite(Number(u))) return t.success(Number(u))
    return t.failure(u, c)
  },
  t.identity,
)

const text = new t.Type<string, unknown, unknown>(
  'string',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    typeof u === 'string' ? t.success(u) : Buffer.isBuffer(u) ? t.success(u.toString('utf8')) : t.failure(u, c),
  t.identity,
)

const computed = (kind: 'float' | 'text' | 'boolean', codec: t.Type<unknown, unknown, unknown>): Column => {
  const field = Object.freeze({
    _tag: 'Field',
    kind,
    isPk: false,
    options: Object.freeze({}),
    nullable: true,
    optional: true,
    codec,
  }) as unknown as ScalarField
  return Object.freeze({ key: '', column: '', field, kind, scalar: field, pk: false })
}

/** The column of a computed number (counts, sums, arithmetic). */
export const NUMBER_COLUMN = computed('float', numeric as t.Type<unknown, unknown, unknown>)
/** The column of a count: a number like the others, told apart because a count is never NULL (an order by it needs no NULLS clause). */
export const COUNT_COLUMN = computed('float', numeric as t.Type<unknown, unknown, unknown>)
/** The column of a computed text (lower, concat, …). */
export const TEXT_COLUMN = computed('text', text as t.Type<unknown, unknown, unknown>)
/** The column of a computed boolean (a JSON `true`/`false` read at a path). */
export const BOOLEAN_COLUMN = computed('boolean', t.boolean as t.Type<unknown, unknown, unknown>)
/** The column of a raw SQL fragment: its value as the driver returns it (`RawSQL<A>` names the type). */
const RAW_COLUMN = computed('text', t.unknown)

const ARITH = { add: '+', sub: '-', mul: '*', div: '/' } as const

// ------------------------------------------------------------------------------------------
// expressions
// ------------------------------------------------------------------------------------------

const scopeAt = (ctx: Ctx, depth: number): Scope => {
  const s = ctx.scopes[ctx.scopes.length - 1 - depth]
  if (!s)
    throw new TerrapinFailure({
      _tag: 'ValidationError',
      issues: [{ field: '', message: depth ? 'OuterRef outside a subquery' : 'an expression outside a query' }],
      message: depth ? 'OuterRef is only meaningful inside a subquery' : 'an expression needs a query',
    })
  return s
}

/** A field path (`'rating'`, `'author__name'`, `'author'` = its key) read on the scope's row. */
const fieldRef = (ctx: Ctx, scope: Scope, ref: string): ExprSql => {
  const { path, key } = splitKey(ref)
  const rels = relationsOf(scope.model, path)
  const many = rels.find((r) => r.many)
  if (many) fail(scope.model, `${ref} crosses the to-many relation ${many.name}: use an aggregate (Count, Sum, …)`)
  const target = rels.length > 0 ? rels[rels.length - 1].target : scope.model
  const rel = target.columnByKey[key] ? undefined : resolveRelation(target, key)
  return valueExpr(ctx, scope.alias, scope.model, path, rel?.column ? rel.column.key : key)
}

/** The SQL of an annotation of the innermost select, by name. */
export const annotationTarget = (ctx: Ctx, name: string): ExprSql => {
  const scope = scopeAt(ctx, 0)
  const a = scope.plan?.annotations?.find((x) => x.name === name) ?? fail(scope.model, `no annotation ${name}`)
  return exprSql(ctx, a.expr)
}

const isAnnotation = (scope: Scope, name: string): boolean =>
  !scope.model.columnByKey[name] && (scope.plan?.annotations?.some((a) => a.name === name) ?? false)

/** Splits `'books__rating'` into the relations walked and the field at their end (if any). */
const relationPrefix = (model: Model, ref: string): { path: string[]; key?: string } => {
  const segments = ref.split('__')
  const path: string[] = []
  let current = model
  for (const seg of segments) {
    if (current.columnByKey[seg]) break
    const rel = resolveRelation(current, seg)
    if (!rel) fail(current, `${unknownField(current, seg, 'field or relation')} (in ${ref})`)
    path.push(seg)
    current = rel!.target
  }
  const rest = segments.slice(path.length)
  if (rest.length > 1) fail(model, `unexpected ${rest.slice(1).join('__')} in ${ref}`)
  return { path, key: rest[0] }
}

type AggExpr = Extract<Expr, { _tag: 'Agg' }>

/** The rows' filter of an aggregate (`filter` option), resolved on the aggregated model. */
const aggFilter = (ctx: Ctx, e: AggExpr, target: Model, alias: string): string | undefined => {
  if (e.filter === undefined) return undefined
  const node = resolveFilter(target, e.filter)
  if (node._tag === 'Left') throw new TerrapinFailure(node.left)
  return ctx.render.filter(ctx, alias, target, node.right)
}

/** An aggregate of an expression computed per row: `AVG(CAST((x + ?) AS REAL))`. */
const aggregateExpr = (ctx: Ctx, e: AggExpr & { readonly arg: Expr }): ExprSql => {
  const { d } = ctx
  const scope = scopeAt(ctx, 0)
  const fn = e.fn.toUpperCase()
  const dist = e.distinct ? 'DISTINCT ' : ''
  const call = (x: ExprSql, when: string | undefined): ExprSql => {
    const pick = (v: string): string => (when === undefined ? v : `CASE WHEN ${when} THEN ${v} END`)
    if (e.fn === 'count') return { sql: `COUNT(${dist}${pick(x.sql)})`, col: NUMBER_COLUMN }
    if (e.fn === 'avg' || e.fn === 'sum')
      return { sql: `${fn}(${dist}${pick(`CAST(${x.sql} AS ${d.floatType})`)})`, col: NUMBER_COLUMN }
    return { sql: `${fn}(${dist}${pick(x.sql)})`, col: x.col }
  }
  const path = aggregatedPath(scope.model, e.arg)
  if (path.length === 0) return call(exprSql(ctx, e.arg), aggFilter(ctx, e, scope.model, scope.alias))
  let out: ExprSql | undefined
  const sub = walk(ctx, scope.alias, scope.model, path, (alias, target) => {
    ctx.scopes.push({ alias, model: target })
    try {
      out = call(exprSql(ctx, rebased(e.arg, path)), undefined)
    } finally {
      ctx.scopes.pop()
    }
    return { select: out.sql, where: aggFilter(ctx, e, target, alias) }
  })
  return { sql: `(${sub})`, col: out!.col }
}

const aggregate = (ctx: Ctx, e: AggExpr): ExprSql => {
  if (e.arg !== undefined) return aggregateExpr(ctx, e as AggExpr & { readonly arg: Expr })
  const { d } = ctx
  const scope = scopeAt(ctx, 0)
  const fn = e.fn.toUpperCase()
  const dist = e.distinct ? 'DISTINCT ' : ''
  /** The rows' filter (`filter` option), resolved on the aggregated model. */
  const only = (target: Model, alias: string): string | undefined => {
    if (e.filter === undefined) return undefined
    const node = resolveFilter(target, e.filter)
    if (node._tag === 'Left') throw new TerrapinFailure(node.left)
    return ctx.render.filter(ctx, alias, target, node.right)
  }
  // Over a group, the filter selects the values: FN(CASE WHEN filter THEN x END).
  const call = (target: Model, alias: string, key: string | undefined, when?: string): ExprSql => {
    const pick = (x: string): string => (when === undefined ? x : `CASE WHEN ${when} THEN ${x} END`)
    if (key === undefined) {
      if (e.fn !== 'count') fail(target, `${fn} needs a field`)
      const pk = colRef(ctx, alias, target.columnByKey[target.pk])
      return {
        sql: e.distinct ? `COUNT(DISTINCT ${pick(pk)})` : when === undefined ? 'COUNT(*)' : `COUNT(${pick('1')})`,
        col: COUNT_COLUMN,
      }
    }
    const col = target.columnByKey[key] ?? fail(target, unknownField(target, key))
    const ref = colRef(ctx, alias, col)
    if (e.fn === 'count') return { sql: `COUNT(${dist}${pick(ref)})`, col: COUNT_COLUMN }
    // AVG and SUM as doubles: MySQL's decimal AVG keeps only 4 more digits. A float column is
    // one already, and the cast is a large part of a grouped average's time on MariaDB.
    if (e.fn === 'avg' || e.fn === 'sum')
      return {
        sql: `${fn}(${dist}${pick(col.kind === 'float' ? ref : `CAST(${ref} AS ${d.floatType})`)})`,
        col: NUMBER_COLUMN,
      }
    return { sql: d.extremum(e.fn === 'min' ? 'MIN' : 'MAX', col, ref, (x) => dist + pick(x)), col }
  }
  if (e.ref === undefined) return call(scope.model, scope.alias, undefined, only(scope.model, scope.alias))
  const { path, key } = relationPrefix(scope.model, e.ref)
  if (path.length === 0) return call(scope.model, scope.alias, key, only(scope.model, scope.alias))
  let out: ExprSql | undefined
  const sub = walk(ctx, scope.alias, scope.model, path, (alias, target) => {
    out = call(target, alias, key)
    return { select: out.sql, where: only(target, alias) }
  })
  // COUNT over no related rows is 0; the others are NULL, as over an empty group.
  return { sql: `(${sub})`, col: out!.col }
}

/** The one column a plan selects when used as a value or in `IN (…)`: its values, or its key. */
const singleColumn = (ctx: Ctx, plan: Select<unknown>, alias: string): ExprSql => {
  if (plan.projection._tag === 'Rows' && !plan.annotations?.length && !plan.groupBy) {
    const pk = plan.model.columnByKey[plan.model.pk]
    return { sql: colRef(ctx, alias, pk), col: pk }
  }
  const p = ctx.render.projection(ctx, plan, alias)
  if (p.output.columns.length !== 1)
    fail(plan.model, `a subquery selects one column, not ${p.output.columns.length} (use values('field'))`)
  return { sql: p.sql, col: p.output.columns[0] }
}

/** A plan as the list of `IN (…)`. MySQL refuses LIMIT inside IN, but not in a derived table. */
export const inSubquery = (ctx: Ctx, plan: Select<unknown>): string => {
  if (!sliced(plan)) return ctx.render.select(ctx, plan, (a) => singleColumn(ctx, plan, a).sql)
  // the slice is the rows `all` would return: in the model's ordering when the plan has none
  return ctx.d.limitedIn(
    ctx.render.select(ctx, plan, (a) => singleColumn(ctx, plan, a).sql, {
      limit: plan.limit,
      offset: plan.offset,
      order: readOrder(plan),
    }),
  )
}

/**
 * A plan used as a value: one column, at most one row. Where the database would take the first
 * of many rows (SQLite), the dialect's `singleRow` makes more than one an error, as the servers do.
 */
const scalarSubquery = (ctx: Ctx, plan: Select<unknown>): ExprSql => {
  // a limit of one (the usual "latest" subquery) needs no count
  const one = plan.limit !== undefined && plan.limit <= 1 ? undefined : ctx.d.singleRow
  let col: Column | undefined
  const name = ctx.d.quote('v')
  const sql = ctx.render.select(
    ctx,
    plan,
    (a) => {
      const c = singleColumn(ctx, plan, a)
      col = c.col
      return one ? `${c.sql} AS ${name}` : c.sql
    },
    {
      limit: one ? Math.min(plan.limit ?? 2, 2) : plan.limit,
      offset: plan.offset,
      order: sliced(plan) ? readOrder(plan) : plan.order,
    },
  )
  return { sql: one ? one(sql, name) : `(${sql})`, col: col! }
}

const NUMERIC_KINDS: ReadonlySet<string> = new Set(['int', 'smallint', 'bigint', 'float', 'decimal'])

/** The kind of value a column of `kind` holds, as far as storing one column's value in another goes. */
const family = (kind: string): string =>
  NUMERIC_KINDS.has(kind) ? 'number' : kind === 'char' || kind === 'text' || kind === 'uuid' ? 'text' : kind

/**
 * Why an expression's value cannot be stored in `target`: a text in a number column or the
 * reverse, a date in a boolean, … (SQLite would store it, and the row would no longer read back).
 * Literals, enums and raw fragments are not judged here.
 */
export const storeMismatch = (target: Column, value: ExprSql, e: Expr): string | undefined => {
  if (e._tag === 'Value' || value.col === RAW_COLUMN) return undefined
  const [to, from] = [target.scalar.kind, value.col.scalar.kind]
  if (to === 'enum' || from === 'enum') return undefined
  return family(to) === family(from) ? undefined : `a value of kind ${from} cannot be stored in a field of kind ${to}`
}

/** Compiles an expression in the innermost select; `hint` types literal values beside a column. */
export const exprSql = (ctx: Ctx, e: Expr, hint?: Column): ExprSql => {
  const { d } = ctx
  switch (e._tag) {
    case 'F': {
      const scope = scopeAt(ctx, 0)
      return isAnnotation(scope, e.ref) ? annotationTarget(ctx, e.ref) : fieldRef(ctx, scope, e.ref)
    }
    case 'OuterRef':
      return fieldRef(ctx, scopeAt(ctx, 1), e.ref)
    case 'Value':
      return valueSql(ctx, e.value, hint)
    case 'Arith': {
      if (e.op === 'pow') return powSql(ctx, e, hint)
      const l = exprSql(ctx, e.left, hint)
      const r = exprSql(ctx, e.right, l.col)
      const sql =
        e.op === 'div'
          ? `(CAST(${l.sql} AS ${d.floatType}) / NULLIF(${r.sql}, 0))`
          : e.op === 'mod'
            ? d.mod(l.sql, `NULLIF(${r.sql}, 0)`)
            : `(${l.sql} ${ARITH[e.op]} ${r.sql})`
      return { sql, col: NUMBER_COLUMN }
    }
    case 'Neg':
      return { sql: `(- ${exprSql(ctx, e.arg, hint).sql})`, col: NUMBER_COLUMN }
    case 'Func':
      return funcSql(ctx, e, hint)
    case 'Agg':
      return aggregate(ctx, e)
    case 'Subquery':
      return scalarSubquery(ctx, e.plan)
    case 'Case':
      return caseSql(ctx, e, hint)
    case 'RawExpr':
      return {
        sql: `(${e.strings.map((s, i) => (i === 0 ? s : exprSql(ctx, e.values[i - 1]).sql + s)).join('')})`,
        col: RAW_COLUMN,
      }
  }
}

/**
 * `b ** x` as a float, NULL where that is no finite real number, on every dialect: PostgreSQL and
 * MySQL raise errors there (a negative base to a fractional power, 0 to a negative power,
 * overflow) and SQLite returns NaN or infinity; an underflow is 0 (PostgreSQL raises one). Each
 * operand is rendered where it is used, so that its parameters are bound in order.
 */
const powSql = (ctx: Ctx, e: Extract<Expr, { _tag: 'Arith' }>, hint?: Column): ExprSql => {
  const f = ctx.d.floatType
  const b = (): string => `CAST(${exprSql(ctx, e.left, hint).sql} AS ${f})`
  const x = (): string => `CAST(${exprSql(ctx, e.right, hint).sql} AS ${f})`
  const sql =
    `(CASE WHEN ${b()} = 0 THEN (CASE WHEN ${x()} < 0 THEN NULL ELSE POWER(${b()}, ${x()}) END)` +
    ` WHEN ${b()} < 0 AND ${x()} <> FLOOR(${x()}) THEN NULL` +
    ` WHEN ${x()} * LN(ABS(${b()})) > 709.782712893384 THEN NULL` +
    ` WHEN ${x()} * LN(ABS(${b()})) < -745.1332191019412 THEN 0` +
    ` ELSE POWER(${b()}, ${x()}) END)`
  return { sql, col: NUMBER_COLUMN }
}

/** `CASE WHEN <filter> THEN … ELSE … END`, each filter resolved on the query's model (annotations included). */
const caseSql = (ctx: Ctx, e: Extract<Expr, { _tag: 'Case' }>, hint?: Column): ExprSql => {
  const scope = scopeAt(ctx, 0)
  const names = new Set((scope.plan?.annotations ?? []).map((a) => a.name))
  const values: ExprSql[] = []
  const branches = e.whens.map((w) => {
    const node = resolveFilter(scope.model, w.filter, names)
    if (node._tag === 'Left') throw new TerrapinFailure(node.left)
    const cond = ctx.render.filter(ctx, scope.alias, scope.model, node.right)
    const then = exprSql(ctx, w.then, hint ?? values[0]?.col)
    values.push(then)
    return `WHEN ${cond} THEN ${then.sql}`
  })
  const otherwise = e.otherwise && exprSql(ctx, e.otherwise, hint ?? values[0]?.col)
  if (otherwise) values.push(otherwise)
  return {
    sql: `(CASE ${branches.join(' ')}${otherwise ? ` ELSE ${otherwise.sql}` : ''} END)`,
    col: commonColumn(values),
  }
}

/** The column a value chosen among `values` is read as: theirs when they agree, a number for mixed numbers. */
const commonColumn = (values: ReadonlyArray<ExprSql>): Column => {
  const kinds = new Set(values.map((x) => x.col.kind))
  return kinds.size <= 1
    ? (values[0]?.col ?? NUMBER_COLUMN)
    : [...kinds].every((k) => NUMERIC_KINDS.has(k))
      ? NUMBER_COLUMN
      : values[0].col
}

/** A literal, bound as a parameter, once it is one every driver binds alike (else a `ValidationError`). */
const valueSql = (ctx: Ctx, value: unknown, hint: Column | undefined): ExprSql => {
  const { d } = ctx
  // Every database's integers stop at 64 bits: a bigint beyond is refused before anything is sent.
  if (typeof value === 'bigint' && !isInt64(value))
    refuseValue(ctx, `${String(value)}n is outside the 64-bit integer range`, hint)
  // NaN and the infinities are no SQL value on any of them.
  if (typeof value === 'number' && !Number.isFinite(value)) refuseValue(ctx, `${value} is not a finite number`, hint)
  if (!bindable(value, hint))
    refuseValue(
      ctx,
      `${describeValue(value)} is no value of an expression: a string, number, bigint or null, or beside a field a value of its type (a boolean, Date, bytes, JSON)`,
      hint,
    )
  // Typed by the value itself where it can be (1.5 beside an int column is still 1.5).
  const col =
    typeof value === 'number' ? NUMBER_COLUMN : typeof value === 'string' ? TEXT_COLUMN : (hint ?? NUMBER_COLUMN)
  const sql = bind(ctx, value, (x) => (x === null || !hint ? x : d.encode(hint, x)))
  return { sql: typeof value === 'number' ? d.numberParam(sql, value) : sql, col }
}

/**
 * Whether a literal binds the same way on every driver: a string, a number, a bigint or null; or
 * a value of the type of the field it stands beside (a boolean, a Date, bytes, a JSON value),
 * which that field's encoding writes. Anything else (an object where no json field is, undefined,
 * a function) each driver writes its own way, or refuses; mysql2 writes an object's keys as
 * column names.
 */
const bindable = (v: unknown, hint: Column | undefined): boolean =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'number' ||
  typeof v === 'bigint' ||
  (hint !== undefined && v !== undefined && hint.scalar.codec.is(v))

/**
 * A literal refused before anything is sent (a bigint past 64 bits, NaN, an infinity, a value no
 * driver binds alike): a `ValidationError` naming the column it is written or compared beside.
 */
const refuseValue = (ctx: Ctx, message: string, hint: Column | undefined): never => {
  const model = ctx.scopes[ctx.scopes.length - 1]?.model.name
  throw new TerrapinFailure(validationError([{ field: hint?.key ?? '', message }], model))
}

const funcSql = (ctx: Ctx, e: Extract<Expr, { _tag: 'Func' }>, hint?: Column): ExprSql => {
  const { d } = ctx
  const textArg = (a: Expr): string => {
    const x = exprSql(ctx, a)
    if (a._tag === 'Value') return d.textParam(x.sql)
    return x.col.kind === 'char' || x.col.kind === 'text' ? x.sql : d.castText(x.sql)
  }
  switch (e.fn) {
    case 'lower':
      return { sql: d.lower(textArg(e.args[0])), col: TEXT_COLUMN }
    case 'upper':
      return { sql: d.upper(textArg(e.args[0])), col: TEXT_COLUMN }
    case 'trim':
      return { sql: `TRIM(${textArg(e.args[0])})`, col: TEXT_COLUMN }
    case 'length':
      return { sql: d.length(textArg(e.args[0])), col: NUMBER_COLUMN }
    case 'concat':
      return { sql: d.concat(e.args.map((a) => `COALESCE(${textArg(a)}, '')`)), col: TEXT_COLUMN }
    case 'coalesce': {
      const first = exprSql(ctx, e.args[0], hint)
      const rest = e.args.slice(1).map((a) => exprSql(ctx, a, first.col))
      // Read as the arguments' column when they agree; numbers of mixed kinds as a number.
      const col = commonColumn([first, ...rest])
      return {
        sql: rest.length === 0 ? first.sql : `COALESCE(${[first.sql, ...rest.map((x) => x.sql)].join(', ')})`,
        col,
      }
    }
  }
}
