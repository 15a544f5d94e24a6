/**
 * Write plans. Input is validated when the plan is built; an invalid plan carries its
 * `ValidationError` and running it sends no SQL. Defaults, `autoNow` and `autoNowAdd` are
 * applied when the plan runs, so a plan value can be run more than once.
 */
import * as E from 'fp-ts/Either'
import { TerrapinError, ValidationIssue, invalid, validationError } from '../errors'
import { Model } from '../model/model'
import { CreateInput, FieldsOf, FkKeys, InsertOf, MissingKeys, PatchOf, RowOf } from '../model/types'
import { Invalid, checkInput, validateInput } from '../model/validate'
import { BulkUpdate, Delete, Insert, Param, Update, Upsert, deepFreeze, freeze, isEmpty } from './ast'
import { HINT, OWNER, hintOf, hinted, recordStep, rootOf, valueEdge } from './hint'
import { shapeOf } from './shape'
import { Expr, isExpr, refsOf } from './expr'
import { PathsOf } from './expr-types'
import { Query, query, where } from './query'
import { unknownField } from '../model/suggest'

/** Keys written that the model does not have, typed `never` so that writing them fails to compile. */
type ExtraKeys<T, D> = { readonly [K in Exclude<keyof D, keyof T>]: never }

const withError = <P extends { readonly error?: TerrapinError }>(plan: P, error: TerrapinError | undefined): P =>
  error && !plan.error ? freeze({ ...plan, error: deepFreeze(error) }) : plan

/**
 * What `create` takes: a value or a named placeholder (`param('title')`, for a prepared insert)
 * per stored field; a relation given as its row (`author: frank`) takes no placeholder.
 */
export type CreateData<M> = {
  readonly [K in keyof CreateInput<M>]: K extends FkKeys<FieldsOf<M>> ? CreateInput<M>[K] : CreateInput<M>[K] | Param
}

/**
 * Inserts one row and returns it as stored (generated key and defaults included).
 *
 * @example
 * ```ts
 * create(Author, { name: 'Frank Herbert' })
 * ```
 * ```sql
 * -- sqlite
 * INSERT INTO "author" ("name") VALUES (?) RETURNING "id", "name"
 * -- postgres
 * INSERT INTO "author" ("name") VALUES ($1) RETURNING "id", "name"
 * -- mysql
 * INSERT INTO `author` (`name`) VALUES (?)
 * ```
 */
export const create = <M extends Model, const D extends CreateData<M>>(
  model: M,
  data: D & MissingKeys<M, D> & ExtraKeys<CreateData<M>, D>,
): Insert<RowOf<M>> => {
  const checked = checkInput(model, data, 'create')
  const row = checked instanceof Invalid ? undefined : checked
  const error = checked instanceof Invalid ? checked.error : undefined
  const plan: Insert<RowOf<M>> = hinted<Insert<RowOf<M>>>(
    { _tag: 'Insert', model, rows: freeze(row ? [row] : []), returns: 'one', [HINT]: undefined, [OWNER]: undefined },
    row && recordStep(rootOf(model), 'c', row),
  )
  return withError(plan, error)
}

/** Options of `bulkCreate`: `batchSize`, `ignoreConflicts`, `onConflict: { fields, update }` (an upsert). */
export interface BulkCreateOptions {
  /**
   * Rows per INSERT statement, at most (default 1,000 on PostgreSQL and MySQL, 8 on SQLite,
   * where a long VALUES list costs more per row; fewer when the rows would bind more parameters
   * than the database takes in one statement: SQLite 32,766, PostgreSQL 65,534, MySQL 65,535).
   * All batches run in one transaction.
   */
  readonly batchSize?: number
  /** Skip rows that violate a unique constraint instead of failing. */
  readonly ignoreConflicts?: boolean
  /**
   * On a conflict over the unique `fields`, update the `update` fields of the existing row to
   * the new values (an upsert). MySQL reacts to any unique key; name the one you mean.
   */
  readonly onConflict?: { readonly fields: ReadonlyArray<string>; readonly update: ReadonlyArray<string> }
}

/**
 * Inserts many rows in batches, in one transaction, and returns them as stored (with
 * `ignoreConflicts`, the rows that were inserted).
 *
 * @example
 * ```ts
 * bulkCreate(Author, [{ name: 'A' }, { name: 'B' }])
 * ```
 * ```sql
 * -- sqlite
 * INSERT INTO "author" ("name") VALUES (?), (?) RETURNING "id", "name"
 * -- postgres
 * INSERT INTO "author" ("name") VALUES ($1), ($2) RETURNING "id", "name"
 * -- mysql
 * INSERT INTO `author` (`name`) VALUES (?), (?)
 * ```
 */
export const bulkCreate = <M extends Model>(
  model: M,
  rows: ReadonlyArray<NoInfer<InsertOf<M>>>,
  options: BulkCreateOptions = {},
): Insert<ReadonlyArray<RowOf<M>>> => {
  const issues: ValidationIssue[] = []
  const valid: Readonly<Record<string, unknown>>[] = []
  for (let i = 0; i < rows.length; i++) {
    if (!(i in rows)) continue // a hole in a sparse array is no row
    const r = validateInput(model, rows[i], 'create')
    if (E.isRight(r)) valid.push(r.right)
    else for (const x of r.left.issues) issues.push({ field: `[${i}].${x.field}`, message: x.message })
  }
  const size = options.batchSize
  const sizeError =
    size === undefined || (Number.isSafeInteger(size) && size > 0)
      ? undefined
      : invalid('batchSize', 'must be a positive integer', model.name)
  const on = options.onConflict
  const onError = on && [...on.fields, ...on.update].find((k) => !model.columnByKey[k])
  const conflictError =
    onError !== undefined
      ? invalid('onConflict', unknownField(model, onError), model.name)
      : on && on.fields.length === 0
        ? invalid('onConflict', 'name the unique fields', model.name)
        : undefined
  const plan: Insert<ReadonlyArray<RowOf<M>>> = freeze({
    _tag: 'Insert',
    model,
    rows: freeze(valid),
    returns: 'many',
    batchSize: size,
    ignoreConflicts: options.ignoreConflicts ?? false,
    ...(on ? { onConflict: freeze({ fields: freeze([...on.fields]), update: freeze([...on.update]) }) } : {}),
  })
  return withError(
    plan,
    sizeError ?? conflictError ?? (issues.length > 0 ? validationError(issues, model.name) : undefined),
  )
}

/**
 * A patch whose values may be expressions over the row (`{ rating: F('rating').add(1) }`) or
 * named placeholders (`{ rating: param('rating') }`, for a prepared update).
 */
export type PatchExpr<M, K extends string> = {
  readonly [F in keyof PatchOf<M>]?: PatchOf<M>[F] | Expr<unknown, K> | Param
}

const NO_PATCH: Readonly<Record<string, unknown>> = freeze({})

const hasExpr = (patch: Readonly<Record<string, unknown>>): boolean => {
  for (const k in patch) if (isExpr(patch[k])) return true
  return false
}

/**
 * Sets fields on every row of a plan, to values or to expressions over the row; yields the
 * number of rows changed.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ id: 7 }), update({ rating: 5 }))
 * ```
 * ```sql
 * -- sqlite
 * UPDATE "book" AS "t0" SET "rating" = ? WHERE "t0"."id" = ?
 * -- postgres
 * UPDATE "book" AS "t0" SET "rating" = $1 WHERE "t0"."id" = $2
 * -- mysql
 * UPDATE `book` AS `t0` SET `t0`.`rating` = ? WHERE `t0`.`id` = ?
 * ```
 */
export const update =
  <M, R, K extends PathsOf<M>>(patch: PatchExpr<M, K>) =>
  (plan: Query<M, R>): Update<number> => {
    const given = patch as Readonly<Record<string, unknown>>
    if (!hasExpr(given)) {
      // No expressions: the validated patch is the plan's (a frozen copy of the given values).
      const checked = checkInput(plan.model, given, 'patch')
      const valid = checked instanceof Invalid ? undefined : checked
      const error = checked instanceof Invalid ? checked.error : undefined
      const merged = valid ?? NO_PATCH
      const p: Update<number> = hinted<Update<number>>(
        { _tag: 'Update', source: plan, patch: merged, [HINT]: undefined, [OWNER]: undefined },
        valid && recordStep(hintOf(plan), 'u', merged),
      )
      const empty = valid !== undefined && isEmpty(valid)
      return withError(
        p,
        plan.error ?? error ?? (empty ? invalid('', 'update needs at least one field', plan.model.name) : undefined),
      )
    }
    return updateWithExprs(plan as Query<unknown, unknown>, given)
  }

/**
 * A patch value's trie edge: an expression's is its shape key (the full walk's description of the
 * SQL it compiles to and of where its values sit), so an update by an expression built afresh on
 * every call still finds its compiled statement without walking the whole plan.
 */
const patchEdge = (v: unknown): string | undefined => {
  if (!isExpr(v)) return valueEdge(v)
  const quick = arithEdge(v)
  if (quick !== undefined) return quick
  const key = shapeOf(v)?.key
  return key === undefined ? undefined : `e${key}`
}

/**
 * The edge of the common patch expression, fields and literals under arithmetic
 * (`F('rating').add(1)`), written directly: the same facts the full walk's key holds (tags,
 * operators, field names, the literals, which the SQL carries as they are), without its
 * generic record walk. Undefined for any other node, which takes the full walk. Its `x` prefix
 * keeps it apart from the walk's edges (`e…`).
 */
const arithEdge = (e: Expr): string | undefined => {
  const body = arithKey(e)
  return body === undefined ? undefined : `x${body}`
}

const arithKey = (e: Expr): string | undefined => {
  switch (e._tag) {
    case 'F':
      return `F${e.ref.length}:${e.ref}`
    case 'Value':
      return literalKey(e.value)
    case 'Neg': {
      const a = arithKey(e.arg)
      return a === undefined ? undefined : `-(${a})`
    }
    case 'Arith': {
      const l = arithKey(e.left)
      const r = l === undefined ? undefined : arithKey(e.right)
      return r === undefined ? undefined : `${e.op}(${l},${r})`
    }
    default:
      return undefined
  }
}

const literalKey = (v: unknown): string | undefined => {
  switch (typeof v) {
    case 'number':
      return `#${v};`
    case 'bigint':
      return `n${v};`
    case 'boolean':
      return v ? 'T' : 'F'
    case 'string':
      return `s${v.length}:${v}`
    default:
      return v === null ? 'N' : undefined
  }
}

/** An update whose patch has expressions (apart from `update`, whose every call its closures would cost). */
const updateWithExprs = (plan: Query<unknown, unknown>, patch: Readonly<Record<string, unknown>>): Update<number> => {
  let values: Record<string, unknown> | undefined
  const exprs: Record<string, unknown> = {}
  const exprIssues: ValidationIssue[] = []
  for (const k in patch) {
    const v = patch[k]
    if (!isExpr(v)) {
      ;(values ??= {})[k] = v
      continue
    }
    exprs[k] = v
    if (!plan.model.columnByKey[k]) exprIssues.push({ field: k, message: unknownField(plan.model, k) })
    else {
      const bad = refsOf(v).find((r) => !r.includes('__') && !plan.model.columnByKey[r])
      if (bad) exprIssues.push({ field: k, message: unknownField(plan.model, bad) })
    }
  }
  // only expressions: no values to check (their fields are checked above)
  const checked = values ? checkInput(plan.model, values, 'patch') : NO_PATCH
  const valid = checked instanceof Invalid ? undefined : checked
  const merged = valid ? freeze({ ...valid, ...exprs }) : NO_PATCH
  const p: Update<number> = hinted<Update<number>>(
    { _tag: 'Update', source: plan, patch: merged, [HINT]: undefined, [OWNER]: undefined },
    recordStep(hintOf(plan), 'u', merged, patchEdge),
  )
  const error =
    checked instanceof Invalid
      ? checked.error
      : exprIssues.length > 0
        ? validationError(exprIssues, plan.model.name)
        : undefined
  return withError(
    p,
    plan.error ??
      error ??
      (isEmpty(patch) ? invalid('', 'update needs at least one field', plan.model.name) : undefined),
  )
}

/** Options of `bulkUpdate`: `batchSize` (rows per UPDATE, default 500). */
export interface BulkUpdateOptions {
  /** Rows per UPDATE statement, at most (default 500; fewer when they would bind more parameters than the database takes); all batches run in one transaction. */
  readonly batchSize?: number
}

/**
 * Sets `fields` of many rows, each to its own value, by primary key; yields the number of rows
 * changed. One `UPDATE … SET f = CASE pk WHEN … END WHERE pk IN (…)` per batch.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const [a] = await pipe(bulkCreate(Author, [{ name: 'A' }]), runPromise(db))
 * await pipe(bulkCreate(Book, [{ title: 'x', authorId: a.id }, { title: 'y', authorId: a.id }]), runPromise(db))
 * // UPDATE "book" SET "rating" = CASE "id" WHEN ? THEN ? WHEN ? THEN ? ELSE "rating" END WHERE "id" IN (?, ?)
 * console.log(await pipe(bulkUpdate(Book, [{ id: 1, rating: 5 }, { id: 2, rating: 3 }], ['rating']), runPromise(db)))
 * //> 2
 * await close(db)
 * ```
 */
export const bulkUpdate = <M extends Model, const K extends keyof PatchOf<M> & string>(
  model: M,
  rows: ReadonlyArray<Pick<RowOf<M>, K> & Partial<RowOf<M>>>,
  fields: ReadonlyArray<K>,
  options: BulkUpdateOptions = {},
): BulkUpdate<number> => {
  const issues: ValidationIssue[] = []
  const valid = rows.map((row, i) => {
    const r = row as Readonly<Record<string, unknown>>
    const picked = Object.fromEntries([model.pk, ...fields].map((k) => [k, r[k]]))
    if (r[model.pk] === undefined || r[model.pk] === null)
      issues.push({ field: `[${i}].${model.pk}`, message: "bulkUpdate needs each row's primary key" })
    const v = validateInput(model, picked, 'patch')
    if (E.isLeft(v)) issues.push(...v.left.issues.map((x) => ({ field: `[${i}].${x.field}`, message: x.message })))
    return E.isRight(v) ? v.right : picked
  })
  const size = options.batchSize ?? 500
  const plan: BulkUpdate<number> = freeze({
    _tag: 'BulkUpdate',
    model,
    rows: freeze(valid),
    fields: freeze([...fields]),
    batchSize: size,
  })
  const error =
    !Number.isSafeInteger(size) || size <= 0
      ? invalid('batchSize', 'must be a positive integer', model.name)
      : fields.length === 0
        ? invalid('fields', 'name at least one field', model.name)
        : fields.includes(model.pk as K)
          ? invalid('fields', 'the primary key selects the rows; it cannot be updated here', model.name)
          : issues.length > 0
            ? validationError(issues, model.name)
            : undefined
  return withError(plan, error)
}

/**
 * Deletes every row of a plan; yields the number of rows deleted.
 *
 * @example
 * ```ts
 * pipe(query(Book), where({ rating__lt: 2 }), remove)
 * ```
 * ```sql
 * -- sqlite
 * DELETE FROM "book" AS "t0" WHERE "t0"."rating" < ?
 * -- postgres
 * DELETE FROM "book" AS "t0" WHERE "t0"."rating" < $1
 * -- mysql
 * DELETE `t0` FROM `book` AS `t0` WHERE `t0`.`rating` < ?
 * ```
 */
export const remove = <M, R>(plan: Query<M, R>): Delete<number> =>
  withError<Delete<number>>(freeze({ _tag: 'Delete', source: plan as Query<unknown, unknown> }), plan.error)

const upsert = <M extends Model>(
  kind: Upsert<unknown>['kind'],
  model: M,
  lookup: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
): Upsert<readonly [RowOf<M>, boolean]> => {
  const lk = validateInput(model, lookup, 'patch')
  const df = validateInput(model, defaults, 'patch')
  const source = E.isRight(lk)
    ? (pipeWhere(model, lk.right) as Query<unknown, unknown>)
    : (query(model) as Query<unknown, unknown>)
  const plan: Upsert<readonly [RowOf<M>, boolean]> = freeze({
    _tag: 'Upsert',
    kind,
    lookup: source,
    create: E.isRight(lk) ? lk.right : {},
    defaults: E.isRight(df) ? df.right : {},
  })
  return withError(plan, E.isLeft(lk) ? lk.left : E.isLeft(df) ? df.left : source.error)
}

const pipeWhere = (model: Model, eq: Readonly<Record<string, unknown>>) =>
  where<Model, unknown>(Object.fromEntries(Object.entries(eq).map(([k, v]) => [k, v])) as never)(query(model))

/**
 * The row matching `lookup`, or a new row made of `lookup` and `defaults`; yields
 * `[row, created]`. Runs in a transaction and survives a concurrent insert of the same row.
 */
export const getOrCreate = <M extends Model>(
  model: M,
  lookup: NoInfer<Partial<InsertOf<M>>>,
  defaults: NoInfer<Partial<InsertOf<M>>> = {},
): Upsert<readonly [RowOf<M>, boolean]> => upsert('getOrCreate', model, lookup, defaults)

/** Updates the row matching `lookup` with `defaults`, or creates it; yields `[row, created]`. */
export const updateOrCreate = <M extends Model>(
  model: M,
  lookup: NoInfer<Partial<InsertOf<M>>>,
  defaults: NoInfer<Partial<InsertOf<M>>> = {},
): Upsert<readonly [RowOf<M>, boolean]> => upsert('updateOrCreate', model, lookup, defaults)

/**
 * Stores a row: updates it by primary key when it has one that exists, inserts it otherwise;
 * yields the row as stored.
 */
export const save = <M extends Model>(model: M, row: NoInfer<InsertOf<M> | RowOf<M>>): Upsert<RowOf<M>> => {
  const pk = (row as Record<string, unknown>)[model.pk]
  const { [model.pk]: _, ...given } = row as Record<string, unknown>
  // As in tortoise, `autoNow` fields are set on every save, whatever the row holds.
  const rest = Object.fromEntries(
    Object.entries(given).filter(
      ([k]) => !(model.columnByKey[k]?.field.options as { autoNow?: boolean } | undefined)?.autoNow,
    ),
  )
  const base = upsert('save', model, pk === undefined || pk === null ? {} : { [model.pk]: pk }, rest)
  return base as unknown as Upsert<RowOf<M>>
}

export type { Delete, Insert, Update, Upsert }
