/**
 * Runs one suite on every dialect: each gets its own freshly created database (PostgreSQL,
 * MariaDB) or in-memory file (SQLite), the models' tables, and is dropped afterwards.
 *
 *   forEachDialect('lookups', [Author, Book], (t) => {
 *     it('…', async () => { const db = t().db; … })
 *   })
 */
import * as E from 'fp-ts/Either'
import { AnyModel, ConnectOptions, Db, QueryEvent, connect, generateSchemas } from 'terrapin'
import { dependencyOrder } from '../../src/schema/ddl'
import { Model } from '../../src/model/model'
import { DIALECTS, DialectName, IsolatedDatabase, createIsolated } from './databases'

export interface DialectContext {
  readonly dialect: DialectName
  readonly db: Db
  readonly url: string
  /** Statements run since the last `reset()` or `clearLog()`. */
  readonly log: QueryEvent[]
  readonly clearLog: () => void
  /** Deletes every row of the suite's models (children first). */
  readonly reset: () => Promise<void>
}

export const forEachDialect = (
  label: string,
  models: ReadonlyArray<AnyModel>,
  body: (ctx: () => DialectContext) => void,
  options: ConnectOptions = {},
  dialects: ReadonlyArray<DialectName> = DIALECTS,
): void => {
  describe.each(dialects)(`${label} [%s]`, (dialect) => {
    let ctx: DialectContext | undefined
    let iso: IsolatedDatabase | undefined
    beforeAll(async () => {
      iso = await createIsolated(dialect, label)
      const log: QueryEvent[] = []
      const db = connect(iso.url, { ...options, onQuery: (e) => log.push(e) })
      const made = await generateSchemas(db, models)()
      if (E.isLeft(made)) throw new Error(`generateSchemas on ${dialect}: ${made.left.message}`)
      const ordered = [...dependencyOrder(models as ReadonlyArray<Model>)].reverse()
      const q = db.executor.dialect.quote
      ctx = {
        dialect,
        db,
        url: iso.url,
        log,
        clearLog: () => void log.splice(0),
        reset: async () => {
          for (const m of ordered) {
            for (const f of Object.values(m.fields))
              if (f.kind === 'manyToMany') {
                const { throughTable } = await import('../../src/model/relations')
                await db.executor.run(`DELETE FROM ${q(throughTable(m, f, m.registry[f.target]))}`, [])
              }
            await db.executor.run(`DELETE FROM ${q(m.table)}`, [])
          }
          log.splice(0)
        },
      }
    })
    afterAll(async () => {
      await ctx?.db.executor.close()
      await iso?.drop()
    })
    body(() => {
      if (!ctx) throw new Error('the dialect context is not ready (beforeAll failed?)')
      return ctx
    })
  })
}

/** Unwraps a Right or fails the test with the Left. */
export const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e))
    throw new Error(
      `expected Right, got Left: ${JSON.stringify(e.left, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`,
    )
  return e.right
}

/** Unwraps a Left or fails the test with the Right. */
export const left = <L>(e: E.Either<L, unknown>): L => {
  if (E.isRight(e))
    throw new Error(
      `expected Left, got Right: ${JSON.stringify(e.right, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`,
    )
  return e.left
}
