/**
 * The plan AST: frozen plain data discriminated by `_tag`. Plans are values — building one
 * touches no database; a runner interprets it. Each plan carries its result type `A` as a
 * phantom (`_A`), so `run(db)(plan)` is typed without any class or method.
 */
import { TerrapinError } from '../errors'
import { Model } from '../model/model'

// ------------------------------------------------------------------------------------------
// filters
// ------------------------------------------------------------------------------------------

/** The lookups a filter key may end with (`title__contains`); `exact` when none is given. */
export const LOOKUPS = [
  'exact',
  'not',
  'in',
  'notIn',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'isnull',
  'notIsnull',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'iexact',
  // text: a portable regular expression (`plan/regex.ts`), case-sensitive or not
  'regex',
  'iregex',
  // text: full-text search for all of the words (a field declared `fulltext: true`)
  'search',
  // json: the value is contained in the field's document (`@>` on PostgreSQL), or the reverse
  'containedBy',
] as const
/** One of `LOOKUPS`. */
export type Lookup = (typeof LOOKUPS)[number]

/** The parts of a date or datetime a filter key may name (`publishedAt__year__gte`). */
export const DATE_PARTS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'] as const
/** One of `DATE_PARTS`. */
export type DatePart = (typeof DATE_PARTS)[number]

/** A value a condition compares with: a literal, or a named placeholder bound at execution. */
export type Operand = unknown

/** A named placeholder: `where({ id: param('id') })`, bound by `prepare(plan)(values)`. */
export interface Param {
  readonly _tag: 'Param'
  readonly name: string
}

/** One condition on one column, reached through zero or more relations. */
export interface Cond {
  readonly _tag: 'Cond'
  /** Relation field names walked from the plan's model, outermost first. */
  readonly path: ReadonlyArray<string>
  /** The row key of the column on the last model of the path. */
  readonly key: string
  readonly part?: DatePart
  readonly lookup: Lookup
  readonly value: Operand
  /** `key` names an annotation of the plan (`annotate`), not a column. */
  readonly annotation?: boolean
  /** A path into the json column `key` (`data__author__name`), and the JSON type compared there. */
  readonly json?: JsonPath
}

/** Where a filter reads inside a json document: object keys and array indexes, and as what. */
export interface JsonPath {
  readonly steps: ReadonlyArray<string | number>
  /** The JSON type the value there is compared as (any other type there is NULL); `any` for isnull. */
  readonly as: 'text' | 'number' | 'boolean' | 'any'
}

export interface And {
  readonly _tag: 'And'
  readonly items: ReadonlyArray<FilterNode>
}
export interface Or {
  readonly _tag: 'Or'
  readonly items: ReadonlyArray<FilterNode>
}
export interface Not {
  readonly _tag: 'Not'
  readonly item: FilterNode
}

/** `EXISTS (plan)`: the plan, usually correlated to the row by `OuterRef`, has a row. */
export interface Exists {
  readonly _tag: 'Exists'
  readonly plan: Select<unknown>
}

/** A resolved filter: a condition on one field, `and`, `or`, `not`, or an `EXISTS` of a plan. */
export type FilterNode = Cond | And | Or | Not | Exists

// ------------------------------------------------------------------------------------------
// reads
// ------------------------------------------------------------------------------------------

export interface OrderItem {
  readonly path: ReadonlyArray<string>
  readonly key: string
  readonly desc: boolean
  /** `key` names an annotation of the plan. */
  readonly annotation?: boolean
}

/** A named expression selected with each row (`annotate`). */
export interface Annotation {
  readonly name: string
  readonly expr: Expr
}

/** Row locks taken by a read inside a transaction (`selectForUpdate`). */
export interface Lock {
  readonly mode: 'update' | 'share'
  /** Fail at once instead of waiting for a locked row. */
  readonly nowait: boolean
  /** Skip locked rows instead of waiting. */
  readonly skipLocked: boolean
}

/** What a select returns per row: model rows, `values()` objects, or `valuesList()` tuples. */
export type Projection =
  | { readonly _tag: 'Rows' }
  | {
      readonly _tag: 'Values'
      readonly keys: ReadonlyArray<string>
      /** The object key of each selected field, when `values({ alias: 'field' })` renamed them. */
      readonly as?: ReadonlyArray<string>
    }
  | { readonly _tag: 'ValuesList'; readonly keys: ReadonlyArray<string>; readonly flat: boolean }

export interface PrefetchItem {
  readonly path: ReadonlyArray<string>
  /** A sub-plan that filters/orders the related rows (tortoise's `Prefetch`). */
  readonly plan?: Select<unknown>
  /** The name the related rows land under, when not the relation's (tortoise's `to_attr`). */
  readonly to?: string
}

interface PlanBase<A> {
  /** Phantom: the value the plan produces when run. */
  readonly _A?: A
  /** An invalid plan carries its error; runners return it without sending SQL. */
  readonly error?: TerrapinError
}

/** A plan that reads rows of a model (`query(Book)` and the combinators on it); `A` is the type of one result row. */
export interface Select<A> extends PlanBase<A> {
  readonly _tag: 'Select'
  readonly model: Model
  readonly where?: FilterNode
  readonly order: ReadonlyArray<OrderItem>
  readonly limit?: number
  readonly offset?: number
  readonly distinct: boolean
  readonly projection: Projection
  readonly prefetch: ReadonlyArray<PrefetchItem>
  /** Expressions selected with each row, in order (`annotate`). */
  readonly annotations?: ReadonlyArray<Annotation>
  /** Row keys the rows are grouped by (`groupBy`); aggregates are then per group. */
  readonly groupBy?: ReadonlyArray<string>
  readonly lock?: Lock
  /**
   * To-one relation paths read with the rows by joins (`selectRelated`), every prefix listed
   * before the paths below it.
   */
  readonly related?: ReadonlyArray<ReadonlyArray<string>>
  /** The row keys a row holds (`only`), the primary key among them; all when absent. */
  readonly only?: ReadonlyArray<string>
}

/**
 * A terminal over a select: `first` (row or null), `get`, `getOrNone`, `count`, `exists`,
 * `inBulk` (the rows keyed by `key`).
 */
export interface Terminal<A> extends PlanBase<A> {
  readonly _tag: 'Terminal'
  readonly kind: 'first' | 'get' | 'getOrNone' | 'count' | 'exists' | 'inBulk'
  readonly source: Select<unknown>
  /** `inBulk`: the row key the record is keyed by. */
  readonly key?: string
  /** `inBulk` over no ids: the answer is `{}` and no SQL is sent. */
  readonly empty?: boolean
}

// ------------------------------------------------------------------------------------------
// writes
// ------------------------------------------------------------------------------------------

/** A plan that inserts rows (`create`, `bulkCreate`); `A` is its result. */
export interface Insert<A> extends PlanBase<A> {
  readonly _tag: 'Insert'
  readonly model: Model
  /** Complete rows by row key (defaults applied, validated). */
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** `one` returns the created row, `many` the created rows. */
  readonly returns: 'one' | 'many'
  readonly batchSize?: number
  readonly ignoreConflicts?: boolean
  /** On a unique conflict over `fields`, update the `update` fields of the existing row. */
  readonly onConflict?: { readonly fields: ReadonlyArray<string>; readonly update: ReadonlyArray<string> }
}

/** A plan that updates the rows of a select (`update(patch)`); its result is the number of rows updated. */
export interface Update<A> extends PlanBase<A> {
  readonly _tag: 'Update'
  readonly source: Select<unknown>
  readonly patch: Readonly<Record<string, unknown>>
}

/** Sets per-row values on many rows by primary key (`bulkUpdate`), in batches. */
export interface BulkUpdate<A> extends PlanBase<A> {
  readonly _tag: 'BulkUpdate'
  readonly model: Model
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly fields: ReadonlyArray<string>
  readonly batchSize: number
}

/** A plan that deletes the rows of a select (`remove`); its result is the number of rows deleted. */
export interface Delete<A> extends PlanBase<A> {
  readonly _tag: 'Delete'
  readonly source: Select<unknown>
}

/** Composite writes run as one transaction: get-or-create, update-or-create and save. */
export interface Upsert<A> extends PlanBase<A> {
  readonly _tag: 'Upsert'
  readonly kind: 'getOrCreate' | 'updateOrCreate' | 'save'
  readonly lookup: Select<unknown>
  /** Values from the lookup's equality conditions, merged under `defaults` on create. */
  readonly create: Readonly<Record<string, unknown>>
  readonly defaults: Readonly<Record<string, unknown>>
}

/** Links or unlinks rows of a many-to-many relation (`related(…).add/remove/clear`); yields a count. */
export interface Link<A> extends PlanBase<A> {
  readonly _tag: 'Link'
  readonly kind: 'add' | 'remove' | 'clear'
  /** The model the relation is named from, and the relation's name. */
  readonly model: Model
  readonly relation: string
  /** The key of the row whose links change. */
  readonly owner: unknown
  /** The keys of the related rows (empty for `clear`). */
  readonly others: ReadonlyArray<unknown>
}

/** A raw SQL statement (`sql` template) whose rows are decoded by a codec. */
export interface Raw<A> extends PlanBase<A> {
  readonly _tag: 'Raw'
  /** The text between the values, one more than there are values. */
  readonly strings: ReadonlyArray<string>
  readonly values: ReadonlyArray<unknown>
  /** Decodes one row (an object keyed by column name); `undefined` runs it as a write. */
  readonly decode?: (row: unknown) => import('fp-ts/Either').Either<string, unknown>
}

/**
 * Any plan: an immutable value that describes a statement and the type `A` of its result; a runner
 * (`run`, `runPromise`, `runSync`) executes it.
 */
export type Plan<A = unknown> =
  Select<A> | Terminal<A> | Insert<A> | Update<A> | Delete<A> | Upsert<A> | Link<A> | BulkUpdate<A> | Raw<A>

/** The value a plan produces. */
export type ResultOf<P> = P extends { readonly _A?: infer A } ? A : never

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

/**
 * Freezes a node the plan layer built. Nodes are frozen one by one as they are made (never
 * deeply): values the user passed in are copied where they are containers, not frozen in place.
 */
export const freeze = <T extends object>(node: T): T => Object.freeze(node)

/** Whether a value is a named placeholder (`param('id')`). */
export const isParam = (v: unknown): v is Param => typeof v === 'object' && v !== null && (v as Param)._tag === 'Param'

/**
 * Lists of more items than this, all plain values (no placeholder, no expression), go to the
 * database as one parameter holding the whole list (`IN (SELECT value FROM json_each(?))` on
 * SQLite, `= ANY(CAST($1 AS …[]))` on PostgreSQL): a parameter per item would stop at the
 * database's limit (32,766 on SQLite, 65,534 on PostgreSQL), and every length would be a
 * statement of its own (on PostgreSQL a prepared statement per length, each planned with a
 * parameter per item). Up to this many, a parameter per item.
 */
export const LONG_LIST = 10

/** Whether an `in`/`notIn` value is a long list of plain values (see `LONG_LIST`). */
export const isLongList = (v: unknown): v is ReadonlyArray<unknown> => {
  if (!Array.isArray(v) || v.length <= LONG_LIST) return false
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i]
    if (typeof x === 'object' && x !== null && !(x instanceof Date)) return false
  }
  return true
}

/** Whether a record has no enumerable keys (without building a key array). */
export const isEmpty = (o: object): boolean => {
  for (const _ in o) return false
  return true
}

export { deepFreeze } from '../model/freeze'

// ------------------------------------------------------------------------------------------
// expressions (made by the constructors of `expr.ts`)
// ------------------------------------------------------------------------------------------

/** The value of the field at path `P` of the model the expression is used on. */
export interface FieldValue<P extends string> {
  readonly _field: P
}
/** `A`, or null (an aggregate over no rows, a nullable argument). */
export interface OrNull<A> {
  readonly _orNull: A
}
/** `B`, or null when `A` may be null (a function of a nullable argument). */
export interface SameNull<A, B> {
  readonly _sameNull: readonly [A, B]
}
/** `B` computed from the operands `L` (arithmetic), or null when one may be null; every operand must be a number. */
export interface Numeric<L, B> {
  readonly _numeric: readonly [L, B]
}
/** The value of arithmetic over an operand that is not a number: `annotate` refuses it. */
export interface NotNumeric {
  readonly _error: 'an arithmetic operand is not a number'
}
/** COALESCE of the values `L`: the first that is not null. */
export interface Coalesced<L extends ReadonlyArray<unknown>> {
  readonly _coalesce: L
}

/** The arithmetic operators of `F(…).add/sub/mul/div/mod/pow`. */
export type Arith = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'pow'
/** The scalar functions. */
export type FuncName = 'lower' | 'upper' | 'length' | 'trim' | 'coalesce' | 'concat'
/** The aggregates. */
export type AggName = 'count' | 'sum' | 'avg' | 'min' | 'max'

/** The expression nodes. */
export type ExprNode =
  | { readonly _tag: 'F'; readonly ref: string }
  | { readonly _tag: 'OuterRef'; readonly ref: string }
  | { readonly _tag: 'Value'; readonly value: unknown }
  | { readonly _tag: 'Arith'; readonly op: Arith; readonly left: Expr; readonly right: Expr }
  | { readonly _tag: 'Func'; readonly fn: FuncName; readonly args: ReadonlyArray<Expr> }
  | {
      readonly _tag: 'Agg'
      readonly fn: AggName
      readonly ref?: string
      readonly distinct: boolean
      readonly filter?: unknown
      /** An expression aggregated in place of a field (`Avg(F('books__rating').add(1))`). */
      readonly arg?: Expr
    }
  | { readonly _tag: 'Subquery'; readonly plan: Select<unknown> }
  | { readonly _tag: 'Neg'; readonly arg: Expr }
  | { readonly _tag: 'Case'; readonly whens: ReadonlyArray<WhenNode>; readonly otherwise?: Expr }
  | { readonly _tag: 'RawExpr'; readonly strings: ReadonlyArray<string>; readonly values: ReadonlyArray<Expr> }

/** One branch of a `Case`: an unresolved filter (checked against the model when the plan compiles) and its value. */
export interface WhenNode {
  readonly _tag: 'When'
  readonly filter: unknown
  readonly then: Expr
}

interface ExprOps<A, K extends string> {
  /** `this + x` */
  add<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number>, K | KeysOf<X>>
  /** `this - x` */
  sub<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number>, K | KeysOf<X>>
  /** `this * x` */
  mul<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number>, K | KeysOf<X>>
  /** `this / x`, always a real division; null when `x` is 0 (on every dialect). */
  div<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number | null>, K | KeysOf<X>>
  /** `this mod x`: the remainder of a truncating division (its sign is `this`'s), null when `x` is 0. */
  mod<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number | null>, K | KeysOf<X>>
  /** `this` to the power `x`, a float; null where that is no finite real number (`(-8) ** 0.5`, `0 ** -1`, overflow). */
  pow<X extends number | Expr<unknown, string>>(x: X): Expr<Numeric<A | ValueOf<X>, number | null>, K | KeysOf<X>>
  /** `-this` */
  neg(): Expr<Numeric<A, number>, K>
}

/** An expression of value `A` reading the field paths `K`. */
export type Expr<A = unknown, K extends string = string> = ExprNode &
  ExprOps<A, K> & {
    /** Phantom: the value type. */
    readonly _A?: A
    /** Phantom: the field paths read (covariant: an expression reading fewer paths fits more places). */
    readonly _K?: () => K
  }

/** Anything usable where an expression is expected: an expression or a literal. */
export type ExprArg<A = unknown, K extends string = never> = Expr<A, K> | A

/** The field paths an expression argument reads. */
export type KeysOf<X> = X extends { readonly _K?: () => infer K } ? (K extends string ? K : never) : never
/** The (unresolved) value type of an expression argument. */
export type ValueOf<X> = X extends { readonly _tag: string; readonly _A?: infer A } ? A : X
