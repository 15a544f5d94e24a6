/**
 * Expressions: `F('rating')`, arithmetic, the text functions, aggregates and plans used as
 * values. An expression is frozen plain data discriminated by `_tag` (the node's own keys);
 * `add`/`sub`/`mul`/`div` live on a shared prototype so that nodes compare and hash by their
 * data alone. The value type `A` and the field paths `K` an expression reads are phantoms:
 * the context that knows the model (`annotate`, `update`) checks `K` and resolves `A`.
 */
import {
  AggName,
  Arith,
  Coalesced,
  Expr,
  ExprArg,
  ExprNode,
  FieldValue,
  FuncName,
  KeysOf,
  OrNull,
  Raw,
  Select,
  SameNull,
  ValueOf,
  WhenNode,
  freeze,
} from './ast'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

// The expression types live with the rest of the plan AST (`ast.ts`), which they refer to and
// which refers to them: the AST's types are one module.
export type {
  AggName,
  Arith,
  Coalesced,
  Expr,
  ExprArg,
  ExprNode,
  FieldValue,
  FuncName,
  KeysOf,
  NotNumeric,
  Numeric,
  OrNull,
  SameNull,
  ValueOf,
  WhenNode,
} from './ast'

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

const arith = (op: Arith) =>
  function (this: Expr, x: unknown): Expr {
    return new ArithNode(op, this, lift(x)) as unknown as Expr
  }

const METHODS = {
  add: arith('add'),
  sub: arith('sub'),
  mul: arith('mul'),
  div: arith('div'),
  mod: arith('mod'),
  pow: arith('pow'),
  neg: function (this: Expr): Expr {
    return make({ _tag: 'Neg', arg: this })
  },
}

// The methods are not enumerable: a `for…in` over a node (the shape walk's) sees its data alone,
// and stays on V8's fast path, which enumerable properties on a prototype leave.
const PROTO: typeof METHODS = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(Object.entries(METHODS).map(([k, f]) => [k, { value: f, enumerable: false }])),
  ) as typeof METHODS,
)

const make = <A, K extends string>(node: ExprNode): Expr<A, K> =>
  freeze(Object.assign(Object.create(PROTO), node)) as Expr<A, K>

// The nodes an update or a filter builds on every call (a field, a literal, arithmetic) have
// constructors of their own: one allocation of a fixed layout, where `make` copies a literal
// into an empty object. Their instances are `make`'s: the same prototype, keys and freeze.
interface FieldNode {
  readonly _tag: 'F'
  readonly ref: string
}
interface FieldNodeCtor {
  new (ref: string): FieldNode
}
const FieldNode = function (this: { _tag: 'F'; ref: string }, ref: string) {
  this._tag = 'F'
  this.ref = ref
  Object.freeze(this)
} as unknown as FieldNodeCtor
FieldNode.prototype = PROTO

interface ValueNode {
  readonly _tag: 'Value'
  readonly value: unknown
}
interface ValueNodeCtor {
  new (value: unknown): ValueNode
}
const ValueNode = function (this: { _tag: 'Value'; value: unknown }, value: unknown) {
  this._tag = 'Value'
  this.value = value
  Object.freeze(this)
} as unknown as ValueNodeCtor
ValueNode.prototype = PROTO

interface ArithNode {
  readonly _tag: 'Arith'
  readonly op: Arith
  readonly left: Expr
  readonly right: Expr
}
interface ArithNodeCtor {
  new (op: Arith, left: Expr, right: Expr): ArithNode
}
const ArithNode = function (
  this: { _tag: 'Arith'; op: Arith; left: Expr; right: Expr },
  op: Arith,
  left: Expr,
  right: Expr,
) {
  this._tag = 'Arith'
  this.op = op
  this.left = left
  this.right = right
  Object.freeze(this)
} as unknown as ArithNodeCtor
ArithNode.prototype = PROTO

/** True for an expression node (made by `F`, `Count`, `Lower`, …). */
export const isExpr = (u: unknown): u is Expr =>
  typeof u === 'object' && u !== null && Object.getPrototypeOf(u) === PROTO

/** True for a read plan (used as a subquery). */
export const isSelectPlan = (u: unknown): u is Select<unknown> =>
  typeof u === 'object' && u !== null && (u as Select<unknown>)._tag === 'Select'

/** True for a `sql` template fragment. */
const isRawFragment = (u: unknown): u is Raw<unknown> =>
  typeof u === 'object' && u !== null && (u as Raw<unknown>)._tag === 'Raw'

/** A literal, a plan or a `sql` fragment as an expression. */
export const lift = (x: unknown): Expr =>
  isExpr(x)
    ? x
    : isSelectPlan(x)
      ? make({ _tag: 'Subquery', plan: x })
      : isRawFragment(x)
        ? rawExpr(x)
        : (new ValueNode(own(x)) as unknown as Expr)

const rawExpr = (x: Raw<unknown>): Expr =>
  make({ _tag: 'RawExpr', strings: freeze([...x.strings]), values: freeze(x.values.map(lift)) })

/** Copies a value the caller may still mutate (a Date, an array), so the plan never changes. */
const own = (v: unknown): unknown =>
  v instanceof Date ? new Date(v.getTime()) : Array.isArray(v) ? freeze(v.map(own)) : v

/**
 * A field of the row (`'rating'`), or of a related row through to-one relations
 * (`'author__name'`); in an annotation or a filter, also an annotation's name.
 *
 * @example
 * ```ts
 * pipe(query(Book), update({ rating: F('rating').add(1) }))
 * ```
 * ```sql
 * -- sqlite
 * UPDATE "book" AS "t0" SET "rating" = ("t0"."rating" + ?)
 * -- postgres
 * UPDATE "book" AS "t0" SET "rating" = ("t0"."rating" + CAST($1 AS INTEGER))
 * -- mysql
 * UPDATE `book` AS `t0` SET `t0`.`rating` = (`t0`.`rating` + ?)
 * ```
 */
export const F = <const P extends string>(ref: P): Expr<FieldValue<P>, P> =>
  new FieldNode(ref) as unknown as Expr<FieldValue<P>, P>

/**
 * A field of the enclosing query's row, inside a subquery (Django's `OuterRef`).
 *
 * @example
 * ```ts
 * pipe(query(Author), where(exists(pipe(query(Book), where({ authorId: OuterRef('id'), rating__gte: 4 })))))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."name"
 * FROM "author" AS "t0"
 * WHERE EXISTS (SELECT 1
 * FROM "book" AS "t1"
 * WHERE ("t1"."author_id" = "t0"."id" AND "t1"."rating" >= ?))
 * -- postgres
 * SELECT "t0"."id", "t0"."name"
 * FROM "author" AS "t0"
 * WHERE EXISTS (SELECT 1
 * FROM "book" AS "t1"
 * WHERE ("t1"."author_id" = "t0"."id" AND "t1"."rating" >= $1))
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`name`
 * FROM `author` AS `t0`
 * WHERE EXISTS (SELECT 1
 * FROM `book` AS `t1`
 * WHERE (`t1`.`author_id` = `t0`.`id` AND `t1`.`rating` >= ?))
 * ```
 */
export const OuterRef = (ref: string): Expr<never, never> => make({ _tag: 'OuterRef', ref })

/**
 * A plan's single column as a value: `(SELECT …)`; the plan should return at most one row.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ latest: Subquery(pipe(query(Book), where({ authorId: OuterRef('id') }), orderBy('-id'), limit(1), valuesFlat('title'))) }), values('name', 'latest'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."name", (SELECT "t1"."title"
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id"
 * ORDER BY "t1"."id" DESC
 * LIMIT 1)
 * FROM "author" AS "t0"
 * -- postgres
 * SELECT "t0"."name", (SELECT "t1"."title"
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id"
 * ORDER BY "t1"."id" DESC
 * LIMIT 1)
 * FROM "author" AS "t0"
 * -- mysql
 * SELECT `t0`.`name`, (SELECT `t1`.`title`
 * FROM `book` AS `t1`
 * WHERE `t1`.`author_id` = `t0`.`id`
 * ORDER BY `t1`.`id` DESC
 * LIMIT 1)
 * FROM `author` AS `t0`
 * ```
 */
export const Subquery = <A>(plan: Select<ReadonlyArray<A>>): Expr<A | null, never> => make({ _tag: 'Subquery', plan })

const func = <A, K extends string>(fn: FuncName, args: ReadonlyArray<unknown>): Expr<A, K> =>
  make({ _tag: 'Func', fn, args: freeze(args.map(lift)) })

/**
 * Lower case, for all of Unicode.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ low: Lower(F('name')) }), values('low'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT terrapin_fold("t0"."name") FROM "author" AS "t0"
 * -- postgres
 * SELECT (LOWER("t0"."name" COLLATE "und-x-icu") COLLATE "C") FROM "author" AS "t0"
 * -- mysql
 * SELECT LOWER(`t0`.`name`) FROM `author` AS `t0`
 * ```
 */
export const Lower = <X extends ExprArg<unknown, string>>(x: X): Expr<SameNull<ValueOf<X>, string>, KeysOf<X>> =>
  func('lower', [x])
/**
 * Upper case, for all of Unicode.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ up: Upper(F('name')) }), values('up'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT terrapin_upper("t0"."name") FROM "author" AS "t0"
 * -- postgres
 * SELECT (UPPER("t0"."name" COLLATE "und-x-icu") COLLATE "C") FROM "author" AS "t0"
 * -- mysql
 * SELECT REPLACE(UPPER(`t0`.`name`), 'ß', 'SS') FROM `author` AS `t0`
 * ```
 */
export const Upper = <X extends ExprArg<unknown, string>>(x: X): Expr<SameNull<ValueOf<X>, string>, KeysOf<X>> =>
  func('upper', [x])
/**
 * The length in code points: `Length(F('name'))` → `length("name")` / `char_length("name")`.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ n: Length(F('name')) }), values('n'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT length("t0"."name") FROM "author" AS "t0"
 * -- postgres
 * SELECT char_length("t0"."name") FROM "author" AS "t0"
 * -- mysql
 * SELECT CAST(CHAR_LENGTH(`t0`.`name`) AS CHAR) FROM `author` AS `t0`
 * ```
 */
export const Length = <X extends ExprArg<unknown, string>>(x: X): Expr<SameNull<ValueOf<X>, number>, KeysOf<X>> =>
  func('length', [x])
/**
 * Removes leading and trailing spaces: `TRIM("name")`.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ t: Trim(F('name')) }), values('t'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT TRIM("t0"."name") FROM "author" AS "t0"
 * -- postgres
 * SELECT TRIM("t0"."name") FROM "author" AS "t0"
 * -- mysql
 * SELECT TRIM(`t0`.`name`) FROM `author` AS `t0`
 * ```
 */
export const Trim = <X extends ExprArg<unknown, string>>(x: X): Expr<SameNull<ValueOf<X>, string>, KeysOf<X>> =>
  func('trim', [x])
/**
 * The first argument that is not null.
 *
 * @example
 * ```ts
 * pipe(query(Book), annotate({ r: Coalesce(F('rating'), 0) }), values('r'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT COALESCE("t0"."rating", ?) FROM "book" AS "t0"
 * -- postgres
 * SELECT COALESCE("t0"."rating", CAST($1 AS INTEGER)) FROM "book" AS "t0"
 * -- mysql
 * SELECT CAST(COALESCE(`t0`.`rating`, ?) AS CHAR) FROM `book` AS `t0`
 * ```
 */
export const Coalesce = <const L extends ReadonlyArray<ExprArg<unknown, string>>>(
  ...args: L
): Expr<Coalesced<{ [I in keyof L]: ValueOf<L[I]> }>, KeysOf<L[number]>> => func('coalesce', args)
/**
 * Text concatenation; a null argument counts as the empty string (as Django's `Concat`).
 *
 * @example
 * ```ts
 * pipe(query(Book), annotate({ label: Concat(F('title'), ' by ', F('author__name')) }), values('label'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT (COALESCE("t0"."title", '') || COALESCE(?, '') || COALESCE((SELECT "t1"."name"
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id"), ''))
 * FROM "book" AS "t0"
 * -- postgres
 * SELECT (COALESCE("t0"."title", '') || COALESCE(CAST($1 AS TEXT), '') || COALESCE((SELECT "t1"."name"
 * FROM "author" AS "t1"
 * WHERE "t1"."id" = "t0"."author_id"), ''))
 * FROM "book" AS "t0"
 * -- mysql
 * SELECT CONCAT(COALESCE(`t0`.`title`, ''), COALESCE(?, ''), COALESCE((SELECT `t1`.`name`
 * FROM `author` AS `t1`
 * WHERE `t1`.`id` = `t0`.`author_id`), ''))
 * FROM `book` AS `t0`
 * ```
 */
export const Concat = <const L extends ReadonlyArray<ExprArg<unknown, string>>>(
  ...args: L
): Expr<string, KeysOf<L[number]>> => func('concat', args)

/**
 * A literal as an expression (Django's `Value`), bound as a parameter: where a value must be an
 * expression, e.g. `Coalesce(Value(0))` or `Case`'s branches. A string, a finite number, a
 * bigint or null anywhere; a boolean, a `Date`, bytes or a JSON value only beside a field of that
 * type (`update({ at: Value(new Date()) })`, compared with a json field). Anything else (an
 * object where no json field is, undefined, NaN) is a `ValidationError`, and nothing is sent.
 *
 * @example
 * annotate({ one: Value(1) }) // SELECT …, ? — [1]
 */
export const Value = <A>(value: A): Expr<A, never> => make({ _tag: 'Value', value: own(value) })

/** A `Case` branch: `then` when the filter holds (the filter is resolved on the query's model). */
export interface When<A = unknown, K extends string = string> extends WhenNode {
  readonly _A?: A
  readonly _K?: () => K
}

/**
 * One branch of a `Case`: the value `then` where the filter (an object of lookups, or a `q`
 * combination) holds of the row.
 *
 * @example
 * When({ rating__gte: 4 }, 'good') // WHEN "t0"."rating" >= ? THEN ?
 */
export const When = <const X>(
  filter: Readonly<Record<string, unknown>> | { readonly _tag: 'Q' },
  then: X,
): When<ValueOf<X>, KeysOf<X>> => freeze({ _tag: 'When', filter: ownFilter(filter), then: lift(then) })

/** The value type of a `Case`: its branches', and null without a default. */
type CaseValue<W extends ReadonlyArray<When>, D> =
  { [I in keyof W]: W[I] extends When<infer A> ? A : never }[number] | ([D] extends [undefined] ? null : ValueOf<D>)

/**
 * The value of the first branch whose filter holds, else `default` (else null), as SQL's CASE
 * and tortoise's `Case`. Usable in `annotate`, in `update` and as a filter value.
 *
 * @example
 * annotate({ grade: Case([When({ rating__gte: 4 }, 'good'), When({ rating__gte: 2 }, 'fair')], { default: 'poor' }) })
 * // CASE WHEN "t0"."rating" >= ? THEN ? WHEN "t0"."rating" >= ? THEN ? ELSE ? END
 */
export const Case = <const W extends ReadonlyArray<When>, const D = undefined>(
  whens: W,
  options?: { readonly default?: D },
): Expr<CaseValue<W, D>, { [I in keyof W]: W[I] extends When<unknown, infer K> ? K : never }[number] | KeysOf<D>> =>
  make({
    _tag: 'Case',
    whens: freeze([...whens]),
    ...(options?.default === undefined ? {} : { otherwise: lift(options.default) }),
  })

/**
 * A raw SQL fragment as an expression of value `A` (tortoise's `RawSQL`): values interpolated in
 * the `sql` template are parameters, and expressions in it (`F('rating')`) are rendered in place,
 * with the query's table aliases.
 *
 * @example
 * annotate({ r: RawSQL<number>(sql`abs(${F('rating')} - ${3})`) }) // SELECT …, abs("t0"."rating" - ?) — [3]
 */
export const RawSQL = <A = unknown>(fragment: Raw<unknown>): Expr<A, never> => rawExpr(fragment) as Expr<A, never>

/** Options of an aggregate: `distinct`, and `filter`, the rows it counts (tortoise's `_filter`). */
export interface AggregateOptions {
  /** Aggregate distinct values only (`COUNT(DISTINCT …)`). */
  readonly distinct?: boolean
  /**
   * Aggregate only the rows matching a filter on the aggregated model (tortoise's `_filter`):
   * `Count('books', { filter: { rating__gte: 4 } })`. Checked when the plan compiles.
   */
  readonly filter?: Readonly<Record<string, unknown>> | { readonly _tag: 'Q' }
}

/** A filter object copied and frozen (its arrays and dates too), so the plan never changes. */
const ownFilter = (f: unknown): unknown =>
  typeof f === 'object' && f !== null && !Object.isFrozen(f) && !Array.isArray(f) && !(f instanceof Date)
    ? freeze(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, own(v)])))
    : f

/**
 * Aggregates without a filter, made once per function, field and `distinct` (found by them, no
 * key string built per call): an expression is a frozen value, so every plan may share one (an
 * ad hoc `annotate` then finds its shape by it).
 */
const plainAggs = [
  new Map<AggName, Map<string | undefined, Expr>>(),
  new Map<AggName, Map<string | undefined, Expr>>(),
] as const
let plainCount = 0

const agg = <A, K extends string>(fn: AggName, ref: string | Expr | undefined, o?: AggregateOptions): Expr<A, K> => {
  const distinct = o?.distinct === true
  if (typeof ref === 'object')
    return make({
      _tag: 'Agg',
      fn,
      distinct,
      arg: ref,
      ...(o?.filter === undefined ? {} : { filter: ownFilter(o.filter) }),
    })
  if (o?.filter !== undefined) return make({ _tag: 'Agg', fn, ref, distinct, filter: ownFilter(o.filter) })
  const byFn = plainAggs[distinct ? 1 : 0]
  let byRef = byFn.get(fn)
  if (!byRef) byFn.set(fn, (byRef = new Map<string | undefined, Expr>()))
  let e = byRef.get(ref)
  if (e === undefined) {
    e = make({ _tag: 'Agg', fn, ref, distinct })
    if (plainCount++ < 1000) byRef.set(ref, e)
  }
  return e as Expr<A, K>
}

/**
 * The number of rows: `Count()` of the group, `Count('books')` of related rows, `Count('rating')`
 * of non-null values. Over a relation it is a correlated subquery, so several aggregates over
 * different relations never multiply each other's rows.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ rated: Count('books', { filter: { rating__gte: 4 } }) }), values('name', 'rated'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."name", (SELECT COUNT(*)
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id" AND "t1"."rating" >= ?)
 * FROM "author" AS "t0"
 * -- postgres
 * SELECT "t0"."name", (SELECT COUNT(*)
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id" AND "t1"."rating" >= $1)
 * FROM "author" AS "t0"
 * -- mysql
 * SELECT `t0`.`name`, CAST((SELECT COUNT(*)
 * FROM `book` AS `t1`
 * WHERE `t1`.`author_id` = `t0`.`id` AND `t1`.`rating` >= ?) AS CHAR)
 * FROM `author` AS `t0`
 * ```
 */
export const Count: {
  /** Rows of the group: `Count()`, or only those matching a filter: `Count({ filter: { rating__gte: 4 } })`. */
  (options?: AggregateOptions): Expr<number, never>
  <const P extends string>(ref: P, options?: AggregateOptions): Expr<number, P>
  /** Non-null values of an expression: `Count(F('books__rating').mul(2))`. */
  <X extends Expr<unknown, string>>(expr: X, options?: AggregateOptions): Expr<number, KeysOf<X>>
} = (ref?: string | AggregateOptions | Expr, options?: AggregateOptions): Expr<number, never> =>
  typeof ref === 'object' && !isExpr(ref) ? agg('count', undefined, ref) : agg('count', ref, options)

/**
 * An aggregate of a field (`'books__rating'`), or of an expression computed per row
 * (`F('books__rating').add(1)`: over the related rows its paths reach through a to-many
 * relation, else over the query's own rows or group).
 */
type AggregateOf<R> = {
  <const P extends string>(ref: P, options?: AggregateOptions): Expr<R, P>
  <X extends Expr<unknown, string>>(expr: X, options?: AggregateOptions): Expr<R, KeysOf<X>>
}
type ExtremumOf = {
  <const P extends string>(ref: P, options?: AggregateOptions): Expr<OrNull<FieldValue<P>>, P>
  <X extends Expr<unknown, string>>(expr: X, options?: AggregateOptions): Expr<OrNull<ValueOf<X>>, KeysOf<X>>
}

/**
 * The sum of a numeric field, null over no rows: `Sum('books__rating')`.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ total: Sum('books__rating') }), values('name', 'total'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."name", (SELECT SUM("t1"."rating")
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id")
 * FROM "author" AS "t0"
 * -- postgres
 * SELECT "t0"."name", (SELECT SUM("t1"."rating")
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id")
 * FROM "author" AS "t0"
 * -- mysql
 * SELECT `t0`.`name`, CAST((SELECT SUM(`t1`.`rating`)
 * FROM `book` AS `t1`
 * WHERE `t1`.`author_id` = `t0`.`id`) AS CHAR)
 * FROM `author` AS `t0`
 * ```
 */
export const Sum = ((ref: string | Expr, options?: AggregateOptions) => agg('sum', ref, options)) as AggregateOf<
  number | null
>
/**
 * The mean of a numeric field, null over no rows.
 *
 * @example
 * ```ts
 * pipe(query(Book), groupBy('authorId'), annotate({ mean: Avg('rating') }), values('authorId', 'mean'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."author_id", AVG("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- postgres
 * SELECT "t0"."author_id", AVG("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- mysql
 * SELECT `t0`.`author_id`, CAST(AVG(`t0`.`rating`) AS CHAR) FROM `book` AS `t0` GROUP BY `t0`.`author_id`
 * ```
 */
export const Avg = ((ref: string | Expr, options?: AggregateOptions) => agg('avg', ref, options)) as AggregateOf<
  number | null
>
/**
 * The least value of a field, null over no rows: `Min('books__publishedAt')`.
 *
 * @example
 * ```ts
 * pipe(query(Book), groupBy('authorId'), annotate({ low: Min('rating') }), values('authorId', 'low'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."author_id", MIN("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- postgres
 * SELECT "t0"."author_id", MIN("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- mysql
 * SELECT `t0`.`author_id`, CAST(MIN(`t0`.`rating`) AS CHAR) FROM `book` AS `t0` GROUP BY `t0`.`author_id`
 * ```
 */
export const Min = ((ref: string | Expr, options?: AggregateOptions) => agg('min', ref, options)) as ExtremumOf
/**
 * The greatest value of a field, null over no rows.
 *
 * @example
 * ```ts
 * pipe(query(Book), groupBy('authorId'), annotate({ best: Max('rating') }), values('authorId', 'best'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."author_id", MAX("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- postgres
 * SELECT "t0"."author_id", MAX("t0"."rating") FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- mysql
 * SELECT `t0`.`author_id`, CAST(MAX(`t0`.`rating`) AS CHAR) FROM `book` AS `t0` GROUP BY `t0`.`author_id`
 * ```
 */
export const Max = ((ref: string | Expr, options?: AggregateOptions) => agg('max', ref, options)) as ExtremumOf

/** The field paths an expression reads (for run-time checks of untyped code). */
export const refsOf = (e: Expr): ReadonlyArray<string> => {
  switch (e._tag) {
    case 'F':
      return [e.ref]
    case 'Agg':
      return e.arg !== undefined ? refsOf(e.arg) : e.ref === undefined ? [] : [e.ref]
    case 'Arith':
      return [...refsOf(e.left), ...refsOf(e.right)]
    case 'Neg':
      return refsOf(e.arg)
    case 'Func':
      return e.args.flatMap(refsOf)
    case 'RawExpr':
      return e.values.flatMap(refsOf)
    case 'Case':
      return [...e.whens.flatMap((w) => refsOf(w.then)), ...(e.otherwise ? refsOf(e.otherwise) : [])]
    default:
      return []
  }
}

/** The expression with each field path's leading relations `prefix` (`['books']`) removed: read from the related row. */
export const rebased = (e: Expr, prefix: ReadonlyArray<string>): Expr => {
  if (prefix.length === 0) return e
  const head = prefix.join('__') + '__'
  const go = (x: Expr): Expr => {
    switch (x._tag) {
      case 'F':
        return x.ref.startsWith(head) ? make({ _tag: 'F', ref: x.ref.slice(head.length) }) : x
      case 'Arith':
        return make({ _tag: 'Arith', op: x.op, left: go(x.left), right: go(x.right) })
      case 'Neg':
        return make({ _tag: 'Neg', arg: go(x.arg) })
      case 'Func':
        return make({ _tag: 'Func', fn: x.fn, args: freeze(x.args.map(go)) })
      case 'RawExpr':
        return make({ _tag: 'RawExpr', strings: x.strings, values: freeze(x.values.map(go)) })
      case 'Case':
        return make({
          _tag: 'Case',
          whens: freeze(
            x.whens.map((w) => freeze({ _tag: 'When', filter: rebasedFilter(w.filter, head), then: go(w.then) })),
          ),
          ...(x.otherwise ? { otherwise: go(x.otherwise) } : {}),
        })
      default:
        return x
    }
  }
  return go(e)
}

/** A `When` filter's keys with the relation prefix `head` (`'books__'`) removed, through `q` combinations. */
const rebasedFilter = (f: unknown, head: string): unknown => {
  if (typeof f !== 'object' || f === null) return f
  const o = f as Record<string, unknown>
  if (o._tag === 'Q')
    return freeze({ ...o, items: freeze((o.items as ReadonlyArray<unknown>).map((i) => rebasedFilter(i, head))) })
  return freeze(
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k.startsWith(head) ? k.slice(head.length) : k, v])),
  )
}
