/**
 * Annotations, grouping and row locks: combinators that add computed columns to a read
 * (`annotate`), group its rows (`groupBy`) or lock them (`selectForUpdate`). Like every
 * combinator they return a new frozen plan; problems (an unknown field in untyped code, a
 * name clash) become the plan's `ValidationError`.
 */
import { TerrapinError, invalid } from '../errors'
import { Model } from '../model/model'
import { resolveRelation } from '../model/relations'
import { RowOf, Simplify } from '../model/types'
import { Annotation, Lock, NotNumeric, Select, freeze } from './ast'
import { Expr, KeysOf, ValueOf, isExpr, refsOf } from './expr'
import { AnnotationKeys, Resolve, ValidPaths } from './expr-types'
import { KeyOf, PathKeyValue, RelationKey, ValidKey } from './filter-types'
import { hintOf, namesStep, sharedList, step } from './hint'
import { Query, isProblem, nextGrouped, parseOrder } from './query'
import { shapeOf } from './shape'
import { unknownField } from '../model/suggest'

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

const withError = <P extends Select<unknown>>(plan: P, error: TerrapinError | undefined): P =>
  error && !plan.error ? freeze({ ...plan, error }) : plan

/** Checks a field path of an expression: relations hop by hop, then at most one field. */
const checkRef = (model: Model, ref: string, isName: (name: string) => boolean): string | undefined => {
  if (isName(ref) || model.columnByKey[ref]) return undefined
  let current = model
  const segments = ref.split('__')
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]
    if (current.columnByKey[seg])
      return i === segments.length - 1 ? undefined : `${ref}: ${seg} is a field, not a relation`
    const rel = resolveRelation(current, seg)
    if (!rel) return unknownField(current, seg || ref, 'field or relation')
    current = rel.target
  }
  return undefined
}

/** Each annotation's values, once the model is known. */
type Annotated<M, R, X> = { readonly [N in keyof X]: Resolve<M, ValueOf<X[N]>, R> }

/**
 * Rejects expressions reading paths that `M` lacks (`F('nope')`, `Count('bookz')`), and arithmetic
 * over operands that are not numbers (`F('title').add(1)`).
 */
export type CheckedExprs<M, R, X> = {
  readonly [N in keyof X]: KeysOf<X[N]> extends ValidPaths<M, KeysOf<X[N]>> | AnnotationKeys<M, R>
    ? [Extract<Resolve<M, ValueOf<X[N]>, R>, NotNumeric>] extends [never]
      ? X[N]
      : NotNumeric
    : Expr<unknown, ValidPaths<M, KeysOf<X[N]>> | AnnotationKeys<M, R>>
}

// ------------------------------------------------------------------------------------------
// combinators
// ------------------------------------------------------------------------------------------

/**
 * Adds computed values to each row. Aggregates over a relation are per row (a correlated
 * subquery); aggregates over the plan's own rows group them (see `groupBy`). Later
 * annotations, filters (HAVING for aggregates), orderings and `values` may name them.
 *
 * @example
 * ```ts
 * pipe(query(Author), annotate({ n: Count('books') }), where({ n__gte: 2 }))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."name", (SELECT COUNT(*)
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id")
 * FROM "author" AS "t0"
 * WHERE (SELECT COUNT(*)
 * FROM "book" AS "t2"
 * WHERE "t2"."author_id" = "t0"."id") >= ?
 * -- postgres
 * SELECT "t0"."id", "t0"."name", (SELECT COUNT(*)
 * FROM "book" AS "t1"
 * WHERE "t1"."author_id" = "t0"."id")
 * FROM "author" AS "t0"
 * WHERE (SELECT COUNT(*)
 * FROM "book" AS "t2"
 * WHERE "t2"."author_id" = "t0"."id") >= $1
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`name`, CAST((SELECT COUNT(*)
 * FROM `book` AS `t1`
 * WHERE `t1`.`author_id` = `t0`.`id`) AS CHAR)
 * FROM `author` AS `t0`
 * WHERE (SELECT COUNT(*)
 * FROM `book` AS `t2`
 * WHERE `t2`.`author_id` = `t0`.`id`) >= ?
 * ```
 */
export const annotate =
  <M, R, const X extends Readonly<Record<string, Expr<unknown, string>>>>(exprs: X & CheckedExprs<M, R, X>) =>
  (plan: Query<M, R>): Query<M, Simplify<R & Annotated<M, R, X>>> =>
    annotated(plan, exprs) as Query<M, Simplify<R & Annotated<M, R, X>>>

const NO_ANNOTATIONS: ReadonlyArray<Annotation> = freeze([])

/**
 * The plan with the annotations added. Names are few: a clash is found by scanning the plan's
 * annotations and the names taken before in this call, with no set made per call.
 */
const annotated = (plan: Select<unknown>, exprs: Readonly<Record<string, unknown>>): Select<unknown> => {
  const existing = plan.annotations ?? NO_ANNOTATIONS
  const added: Annotation[] = []
  // every name taken before in this call, valid or not (a later expression may name it)
  const seen: string[] = []
  const isName = (n: string): boolean => {
    if (seen.includes(n)) return true
    for (let i = 0; i < existing.length; i++) if (existing[i].name === n) return true
    return false
  }
  let error: TerrapinError | undefined
  for (const name in exprs) {
    if (!Object.prototype.hasOwnProperty.call(exprs, name)) continue
    const expr = exprs[name]
    const problem = !isExpr(expr)
      ? 'is not an expression (use F, Count, Lower, …)'
      : plan.model.columnByKey[name] || isName(name) || name.includes('__')
        ? 'clashes with a field or another annotation (or contains __)'
        : name in Object.prototype
          ? 'is a property of every object (a row could not hold it)'
          : refProblem(plan.model, expr, isName)
    if (problem) error ??= invalid(name, problem, plan.model.name)
    else added.push(annotationOf(name, expr as Expr))
    seen.push(name)
  }
  // One step per annotation: its name, then its expression's shape (found by the expression
  // value, which a plain aggregate shares across calls), then an end.
  let edge = error ? undefined : step(hintOf(plan), 'a')
  for (let i = 0; i < added.length && edge !== undefined; i++)
    edge = step(step(edge, added[i].name), exprKey(added[i].expr))
  const hint = step(edge, '\u0000')
  const list = sharedList(hint, existing.length === 0 ? added : existing.concat(added))
  return withError(nextGrouped(plan, list, plan.groupBy, hint), error)
}

/** The first problem of the field paths an expression reads. */
const refProblem = (model: Model, expr: Expr, isName: (name: string) => boolean): string | undefined => {
  const refs = refsOfExpr(expr)
  for (let i = 0; i < refs.length; i++) {
    const problem = checkRef(model, refs[i], isName)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** An expression's field paths, once per expression value (expressions are frozen; plain aggregates are shared). */
const refsOfExpr = (e: Expr): ReadonlyArray<string> => {
  let refs = exprRefs.get(e)
  if (!refs) exprRefs.set(e, (refs = freeze(refsOf(e))))
  return refs
}

const exprRefs = new WeakMap<object, ReadonlyArray<string>>()

/** The annotation node of a name and an expression: a frozen value, made once per pair. */
const annotationOf = (name: string, expr: Expr): Annotation => {
  let byName = annotationNodes.get(expr)
  if (!byName) annotationNodes.set(expr, (byName = new Map<string, Annotation>()))
  let a = byName.get(name)
  if (!a) {
    a = freeze({ name, expr })
    if (byName.size < 100) byName.set(name, a)
  }
  return a
}

const annotationNodes = new WeakMap<object, Map<string, Annotation>>()

/** Shape keys of expressions, by expression value (null: the walk cannot describe it). */
const exprKeys = new WeakMap<object, string | null>()

/** An expression's shape key, walked once per expression value. */
const exprKey = (e: Expr): string | undefined => {
  let k = exprKeys.get(e)
  if (k === undefined) exprKeys.set(e, (k = shapeOf(e)?.key ?? null))
  return k ?? undefined
}

/**
 * A grouped plan's row: the model's own fields it groups by, each relation path it groups by
 * (`'author__name'`) under that name with the related field's type, and the annotations.
 */
export type Grouped<M, R, K> = Simplify<
  Pick<RowOf<M>, K & keyof RowOf<M>> & {
    readonly [P in Exclude<K, keyof RowOf<M>> & string]: PathKeyValue<M, P>
  } & Omit<R, keyof RowOf<M>>
>

/**
 * Groups the rows by fields: each row of the result is a group, holding those fields and the
 * annotations, whose aggregates are then per group.
 *
 * @example
 * ```ts
 * pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }), values('authorId', 'n'))
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."author_id", COUNT(*) FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- postgres
 * SELECT "t0"."author_id", COUNT(*) FROM "book" AS "t0" GROUP BY "t0"."author_id"
 * -- mysql
 * SELECT `t0`.`author_id`, CAST(COUNT(*) AS CHAR) FROM `book` AS `t0` GROUP BY `t0`.`author_id`
 * ```
 */
export const groupBy =
  <M, R, const K extends KeyOf<M> | RelationKey>(...keys: ReadonlyArray<K & ValidKey<M, NoInfer<K>>>) =>
  (plan: Query<M, R>): Query<M, Grouped<M, R, K>> => {
    let error: TerrapinError | undefined =
      keys.length === 0 ? invalid('groupBy', 'name at least one field', plan.model.name) : undefined
    for (let i = 0; i < keys.length && !error; i++) {
      const item = parseOrder(plan.model, keys[i])
      if (isProblem(item)) error = item
    }
    const hint = error ? undefined : namesStep(hintOf(plan), 'g', keys)
    return withError(nextGrouped(plan, plan.annotations, sharedList(hint, keys), hint), error) as unknown as Query<
      M,
      Grouped<M, R, K>
    >
  }

/** Options of `selectForUpdate`: `share` (FOR SHARE), `nowait`, `skipLocked`. */
export interface LockOptions {
  /** Fail at once (`NOWAIT`) when a row is locked by another transaction. */
  readonly nowait?: boolean
  /** Leave out rows locked by other transactions (`SKIP LOCKED`), e.g. for job queues. */
  readonly skipLocked?: boolean
  /** A shared lock (`FOR SHARE`) instead of an exclusive one. */
  readonly share?: boolean
}

/**
 * Locks the rows read until the transaction ends (PostgreSQL, MySQL). SQLite has no row locks:
 * running such a plan there is a `QueryError`.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ id: 7 }), selectForUpdate())
 * ```
 * ```sql
 * -- sqlite
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = ?
 * -- postgres
 * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
 * FROM "book" AS "t0"
 * WHERE "t0"."id" = $1
 * FOR UPDATE
 * -- mysql
 * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
 * FROM `book` AS `t0`
 * WHERE `t0`.`id` = ?
 * FOR UPDATE
 * ```
 */
export const selectForUpdate =
  (options: LockOptions = {}) =>
  <P extends Select<unknown>>(plan: P): P => {
    const lock: Lock = freeze({
      mode: options.share ? 'share' : 'update',
      nowait: options.nowait === true,
      skipLocked: options.skipLocked === true,
    })
    const error =
      lock.nowait && lock.skipLocked
        ? invalid('selectForUpdate', 'nowait and skipLocked exclude each other')
        : undefined
    return withError(freeze({ ...plan, lock }), error)
  }
