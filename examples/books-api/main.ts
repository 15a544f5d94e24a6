/**
 * Starts the books API: `npx tsx examples/books-api/main.ts` (SQLite, books.sqlite3), or with
 * `DATABASE_URL=postgres://…`. The OpenAPI document and its UI are at http://127.0.0.1:3000/docs.
 */
import { buildApp } from './app'

const main = async (): Promise<void> => {
  const app = await buildApp({ url: process.env.DATABASE_URL, logger: true })
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
  const stop = (): void => void app.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
