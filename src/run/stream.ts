/**
 * Reading without holding every row: `stream(db)` iterates a plan's rows in batches, and
 * `explain(db)` shows how the database would run a plan.
 */
import * as TE from 'fp-ts/TaskEither'
import { TerrapinError, TerrapinFailure, invalid, queryError } from '../errors'
import { compileWith } from '../compile'
import { Compiled } from '../compile/sql'
import { Select } from '../plan/ast'
import { Query } from '../plan/query'
import { Statement } from '../compile'
import { rowDecoder } from './decode'
import { Db, shapeOf, toError } from './statement'
import { joined } from './transaction'

/** Options of `stream`: `batchSize`, the rows read per round trip (default 1000). */
export interface StreamOptions {
  /** Rows fetched per round trip (default 1000). */
  readonly batchSize?: number
}

/**
 * The rows of a read plan as an `AsyncIterable`, fetched in batches so that memory stays flat
 * however many rows there are. An error ends the loop by throwing a `TerrapinFailure` holding
 * the typed error (`e.error._tag`): a connection lost between batches is a `ConnectionError`,
 * never a loop that waits forever or ends early as if the rows had run out, and so is closing
 * the database while the loop runs. On SQLite the connection is busy while the loop runs: run
 * other statements after it, or on another connection.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * await pipe(bulkCreate(Author, [{ name: 'A' }, { name: 'B' }]), runPromise(db))
 * for await (const author of pipe(query(Author), orderBy('id'), stream(db, { batchSize: 1000 }))) console.log(author.name)
 * //> A
 * //> B
 * await close(db)
 * ```
 */
export const stream =
  (db: Db, options: StreamOptions = {}) =>
  <M, R>(plan: Query<M, R>): AsyncIterable<R> => ({
    [Symbol.asyncIterator]: () =>
      iterate(db, plan, options.batchSize ?? 1000)[Symbol.asyncIterator]() as AsyncIterator<R>,
  })

async function* iterate(db: Db, plan: Select<unknown>, batchSize: number): AsyncIterable<unknown> {
  const ex = joined(db.executor)
  const fail = (e: TerrapinError): never => {
    throw new TerrapinFailure(e)
  }
  if (plan.error) fail(plan.error)
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0) fail(invalid('batchSize', 'must be a positive integer'))
  if (plan.prefetch.length > 0)
    fail(
      invalid('prefetch', 'stream does not prefetch: prefetch per batch with run, or read the relation with values()'),
    )
  if (!ex.stream) fail(queryError(`the ${ex.dialect.name} runner cannot stream`, { code: 'UNSUPPORTED' }))
  const open = ex.stream
  let c: Compiled
  try {
    if (ex.ready) await ex.ready
    c = compileWith(ex.dialect, plan)
  } catch (e) {
    throw new TerrapinFailure(toError(ex, e))
  }
  // a select always has its output
  const output = c.output!
  const dec = rowDecoder(ex.dialect, plan.model.name, output, shapeOf(plan))
  const bigint = output.columns.some((col) => col.kind === 'bigint')
  try {
    for await (const batch of open!(c.sql, c.params, bigint, batchSize)) for (const row of batch) yield dec(row)
  } catch (e) {
    if (e instanceof TerrapinFailure) throw e
    fail(toError(ex, e))
  }
}

/**
 * How the database would run a plan: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL
 * and MySQL, as lines of text. Nothing is executed.
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const plan = await pipe(query(Book), where({ authorId: 1 }), explain(db))() // Right(the database's plan, as text)
 * await close(db)
 * ```
 */
export const explain =
  (db: Db) =>
  (plan: Statement): TE.TaskEither<TerrapinError, string> =>
  async () => {
    const ex = db.executor
    if (plan.error) return { _tag: 'Left', left: plan.error }
    try {
      if (ex.ready) await ex.ready
      const c = compileWith(ex.dialect, plan)
      const rows = await ex.all(ex.dialect.explain + c.sql, c.params, false)
      const text = rows.map(ex.dialect.explainLine).join('\n')
      return { _tag: 'Right', right: text }
    } catch (e) {
      return { _tag: 'Left', left: toError(ex, e) }
    }
  }
