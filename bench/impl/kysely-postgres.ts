/**
 * Kysely on PostgreSQL through postgres.js: Kysely's own PostgreSQL dialect expects node-postgres,
 * which is not installed, so a pool of the shape it expects is made over postgres.js connections
 * (`reserve()`), each statement prepared as the raw driver's are.
 */
import { Kysely, PostgresDialect } from 'kysely'
import { openPg } from './raw-postgres'

/** A node-postgres-like pool over postgres.js. */
const pgPool = (url: string) => {
  const sql = openPg(url)
  return {
    sql,
    pool: {
      connect: async () => {
        const r = await sql.reserve()
        return {
          query: async (text: string, params: ReadonlyArray<unknown>) => {
            const res = await r.unsafe(text, params as never[], { prepare: true })
            return { rows: [...res], command: res.command, rowCount: res.count }
          },
          release: () => r.release(),
        }
      },
      end: () => Promise.resolve(),
    },
  }
}

export const kyselyOnPostgres = <DB>(url: string): { db: Kysely<DB>; end: () => Promise<void> } => {
  const { sql, pool } = pgPool(url)
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) }), end: () => sql.end() }
}
