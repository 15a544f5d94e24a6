/**
 * Lifecycle hooks, tortoise's `pre_save`/`post_save`/`pre_delete`/`post_delete` signals as
 * values: `withHooks(Model, hooks)` is the model with hooks attached, and every write through it
 * runs them inside the statement's transaction (a savepoint inside the caller's), where a hook's
 * Left, throw or rejection rolls the whole statement back and is the write's Left.
 *
 * Writes through a model without hooks never come here: the interpreter reads one property.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { HookName, TerrapinError, TerrapinFailure, configurationError, hookError, isTerrapinError } from '../errors'
import { AnyModel, Model } from '../model/model'
import { RowOf } from '../model/types'
import { Cond, Insert, Select, isParam } from '../plan/ast'
import { Values } from '../plan/prepared'
import { Executor, MaybePromise, isPromise } from './executor'
import { select } from './prefetch'
import { Abort, Db, makeDb } from './statement'
import { atomic } from './transaction'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/**
 * What a hook returns: nothing, a promise, an `Either` or a `TaskEither`. A Left vetoes the
 * write (its terrapin error is the write's Left); so does a throw or a rejection (a `HookError`).
 */
export type HookResult = TaskEither<TerrapinError, unknown> | E.Either<TerrapinError, unknown> | Promise<unknown> | void

/**
 * What `beforeSave` sees: for an insert (`created: true`) the values given (before defaults are
 * filled in, without a generated key); for an update (`created: false`) the row as it is and the
 * fields about to be set.
 */
export type BeforeSave<R> =
  | { readonly created: true; readonly values: Readonly<Partial<R>>; readonly fields: ReadonlyArray<keyof R & string> }
  | { readonly created: false; readonly row: R; readonly fields: ReadonlyArray<keyof R & string> }

/**
 * What `afterSave` sees: the row as stored, whether it was inserted, and the fields written (for
 * an insert, the fields given; every field of the row after a `bulkCreate` whose
 * `ignoreConflicts` skipped rows).
 */
export interface AfterSave<R> {
  readonly created: boolean
  readonly row: R
  readonly fields: ReadonlyArray<keyof R & string>
}

/**
 * A model's lifecycle hooks, each given the row(s) of the write and `tx`, the write's
 * transaction, to run its own plans in (`run(tx)`): they commit or roll back with the write.
 */
export interface Hooks<R> {
  /** Before each row is inserted or updated. */
  readonly beforeSave?: (event: BeforeSave<R>, tx: Db) => HookResult
  /** After each row is inserted or updated, with the row as stored. */
  readonly afterSave?: (event: AfterSave<R>, tx: Db) => HookResult
  /** Before each row is deleted, with the row. */
  readonly beforeDelete?: (row: R, tx: Db) => HookResult
  /** After each row is deleted, with the row as it was. */
  readonly afterDelete?: (row: R, tx: Db) => HookResult
}

type Row = Readonly<Record<string, unknown>>
type AnyHooks = Readonly<Record<HookName, ((event: never, tx: Db) => HookResult) | undefined>>

/** Where a model keeps its hooks, in the order they were attached (a symbol: not a field). */
const HOOKS: unique symbol = Symbol('terrapin.hooks')

const NAMES: ReadonlySet<string> = new Set<HookName>(['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete'])

/** The hooks of a model, or undefined (the fast path's one property read). */
export const hooksOf = (model: Model): ReadonlyArray<AnyHooks> | undefined =>
  (model as { readonly [HOOKS]?: ReadonlyArray<AnyHooks> })[HOOKS]

/**
 * The model with lifecycle hooks: writes through it (`create`, `bulkCreate`, `update`,
 * `remove`, `bulkUpdate`, `save`, `getOrCreate`, `updateOrCreate`) run them in their
 * transaction. Hooks attached again run after those attached before. The model given is left as
 * it is: writes through it run no hooks.
 *
 * @example
 * ```ts
 * import { left, right } from 'fp-ts/lib/Either.js'
 *
 * const Named = withHooks(Author, {
 *   beforeSave: (e) => ((e.created ? e.values.name : e.row.name)?.trim() ? right(0) : left(invalid('name', 'is blank'))),
 * })
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const r = await pipe(create(Named, { name: ' ' }), run(db))()
 * console.log(r._tag === 'Left' && r.left.message, await pipe(query(Author), count, runPromise(db)))
 * //> name: is blank 0
 * await close(db)
 * ```
 */
export const withHooks = <M extends AnyModel>(model: M, hooks: Hooks<RowOf<M>>): M => {
  for (const [name, f] of Object.entries(hooks))
    if (!NAMES.has(name) || (f !== undefined && typeof f !== 'function'))
      throw new TerrapinFailure(
        configurationError(
          `withHooks(${model.name}): ${NAMES.has(name) ? `${name} is not a function` : `unknown hook ${name}`}; hooks are ${[...NAMES].join(', ')}`,
        ),
      )
  const list = [...(hooksOf(model) ?? []), Object.freeze({ ...hooks }) as unknown as AnyHooks]
  return Object.freeze({ ...model, [HOOKS]: Object.freeze(list) })
}

// ------------------------------------------------------------------------------------------
// running hooks
// ------------------------------------------------------------------------------------------

const isEither = (u: unknown): u is E.Either<unknown, unknown> =>
  typeof u === 'object' &&
  u !== null &&
  ((u as E.Either<unknown, unknown>)._tag === 'Left' || (u as E.Either<unknown, unknown>)._tag === 'Right')

/** A hook's failure as the typed error of the write. */
const failure = (model: Model, hook: HookName, e: unknown, how: string): TerrapinError => {
  if (e instanceof Abort || e instanceof TerrapinFailure) return e.error
  if (isTerrapinError(e)) return e
  // an Error of another realm (a vm context, a worker) is no `instanceof Error` here
  const message = typeof (e as { message?: unknown } | null)?.message === 'string' ? (e as Error).message : String(e)
  return hookError(model.name, hook, `${how}: ${message}`, e)
}

/** Runs one hook to its end; a veto throws the write's typed error. */
const settle = async (model: Model, hook: HookName, call: () => HookResult): Promise<void> => {
  let out: unknown
  try {
    out = call()
    if (typeof out === 'function') out = await (out as () => Promise<unknown>)()
    else if (isPromise(out)) out = await out
  } catch (e) {
    throw new Abort(failure(model, hook, e, 'threw'))
  }
  if (isEither(out) && E.isLeft(out)) throw new Abort(failure(model, hook, out.left, 'returned a Left'))
}

/** Runs every hook of a name, in the order attached, for each event in turn. */
const fire = async (tx: Db, model: Model, hook: HookName, events: ReadonlyArray<unknown>): Promise<void> => {
  const all = hooksOf(model) ?? []
  for (const event of events)
    for (const h of all) {
      const f = h[hook] as ((event: unknown, tx: Db) => HookResult) | undefined
      if (f) await settle(model, hook, () => f(event, tx))
    }
}

/** The rows of a plan, read in the write's transaction, as the hooks see them. */
const rowsOf = (tx: Executor, source: Select<unknown>, v: Values | undefined): Promise<Row[]> =>
  Promise.resolve(
    select(
      tx,
      {
        ...source,
        projection: { _tag: 'Rows' },
        prefetch: [],
        annotations: undefined,
        related: undefined,
        only: undefined,
      },
      v,
    ) as MaybePromise<Row[]>,
  )

/** The rows of a model whose primary key is one of `keys`. */
export const byKeys = (model: Model, keys: ReadonlyArray<unknown>): Select<unknown> => ({
  _tag: 'Select',
  model,
  where: { _tag: 'Cond', path: [], key: model.pk, lookup: 'in', value: keys } satisfies Cond,
  order: [],
  distinct: false,
  projection: { _tag: 'Rows' },
  prefetch: [],
})

/** A row of a prepared insert with its placeholders' values put in. */
const boundRow = (row: Row, v: Values | undefined): Row => {
  if (v === undefined) return row
  const out: Record<string, unknown> = {}
  for (const k in row) {
    const x = row[k]
    out[k] = isParam(x) ? v[x.name] : x
  }
  return out
}

// ------------------------------------------------------------------------------------------
// hooked writes
// ------------------------------------------------------------------------------------------

/** An insert through a model with hooks: `beforeSave` for each row given, `afterSave` for each row stored. */
export const hookedInsert = (
  ex: Executor,
  plan: Insert<unknown>,
  v: Values | undefined,
  insert: (tx: Executor, plan: Insert<unknown>, v: Values | undefined) => MaybePromise<unknown>,
): Promise<unknown> => {
  if (plan.onConflict)
    return Promise.reject(
      new Abort(
        configurationError(
          `bulkCreate with onConflict on ${plan.model.name}, a model with hooks: which rows were inserted and which updated is not known, so afterSave cannot be told; write without onConflict, or through the model without hooks`,
        ),
      ),
    )
  return atomic(ex, async (tx) => {
    const db = makeDb(tx)
    const given = plan.rows.map((r) => boundRow(r, v))
    await fire(
      db,
      plan.model,
      'beforeSave',
      given.map((values) => ({ created: true, values, fields: Object.keys(values) })),
    )
    const out = await insert(tx, plan, v)
    const made = (plan.returns === 'one' ? [out] : out) as ReadonlyArray<Row>
    await fire(
      db,
      plan.model,
      'afterSave',
      // rows come back in the order given, unless ignoreConflicts skipped some (which, is not known)
      made.map((row, i) => ({
        created: true,
        row,
        fields: Object.keys(made.length === given.length ? given[i] : row),
      })),
    )
    return out
  })
}

/**
 * An update of the rows of `source` through a model with hooks: the rows are read first (in the
 * transaction), `beforeSave` runs for each, `write` updates exactly those rows (by key), and
 * `afterSave` runs for each as read again. No row, no statement and no hook.
 */
export const hookedUpdate = (
  ex: Executor,
  source: Select<unknown>,
  fields: ReadonlyArray<string>,
  v: Values | undefined,
  write: (tx: Executor, keys: ReadonlyArray<unknown>) => MaybePromise<number>,
): Promise<number> =>
  atomic(ex, async (tx) => {
    const model = source.model
    const db = makeDb(tx)
    const rows = await rowsOf(tx, source, v)
    if (rows.length === 0) return 0
    await fire(
      db,
      model,
      'beforeSave',
      rows.map((row) => ({ created: false, row, fields })),
    )
    const keys = rows.map((r) => r[model.pk])
    const n = await write(tx, keys)
    const after = new Map((await rowsOf(tx, byKeys(model, keys), undefined)).map((r) => [String(r[model.pk]), r]))
    const stored = keys.map((k) => after.get(String(k))).filter((r) => r !== undefined)
    await fire(
      db,
      model,
      'afterSave',
      stored.map((row) => ({ created: false, row, fields })),
    )
    return n
  })

/**
 * A delete of the rows of `source` through a model with hooks: the rows are read first,
 * `beforeDelete` runs for each, `remove` deletes exactly those rows (by key), then `afterDelete`
 * runs for each.
 */
export const hookedDelete = (
  ex: Executor,
  source: Select<unknown>,
  v: Values | undefined,
  remove: (tx: Executor, keys: ReadonlyArray<unknown>) => MaybePromise<number>,
): Promise<number> =>
  atomic(ex, async (tx) => {
    const model = source.model
    const db = makeDb(tx)
    const rows = await rowsOf(tx, source, v)
    if (rows.length === 0) return 0
    await fire(db, model, 'beforeDelete', rows)
    const n = await remove(
      tx,
      rows.map((r) => r[model.pk]),
    )
    await fire(db, model, 'afterDelete', rows)
    return n
  })
