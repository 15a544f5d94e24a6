/**
 * Load test of the books API over loopback, bounded in time (not a test: it prints a table).
 * For SQLite and PostgreSQL it runs a read route (`GET /books/:id`) and a write route
 * (`POST /books`) of the example, and the same two routes written with the raw driver
 * (better-sqlite3 / postgres.js, hand-written SQL) behind the same Fastify, schemas and
 * serializer; each server in a process of its own, autocannon in this one.
 *
 *   npx tsx examples/books-api/load.ts [--duration=5] [--connections=10] [--dialects=sqlite,postgres]
 *
 * PostgreSQL: `TERRAPIN_PG_URL` (default postgres://root@127.0.0.1:5432/test) names a server
 * where the user may create the database `terrapin_books_load`, which is made afresh each run.
 */
import autocannon from 'autocannon'
import { ChildProcess, spawn } from 'child_process'
import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import postgres from 'postgres'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback

const DURATION = Number(arg('duration', '5'))
const CONNECTIONS = Number(arg('connections', '10'))
const DIALECTS = arg('dialects', 'sqlite,postgres').split(',')
const PG_ADMIN = process.env.TERRAPIN_PG_URL ?? 'postgres://root@127.0.0.1:5432/test'
const BOOKS = 1000

/** A fresh PostgreSQL database for the run. */
const freshPostgres = async (): Promise<string> => {
  const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => undefined })
  await admin.unsafe('DROP DATABASE IF EXISTS terrapin_books_load')
  await admin.unsafe('CREATE DATABASE terrapin_books_load')
  await admin.end()
  const u = new URL(PG_ADMIN)
  u.pathname = '/terrapin_books_load'
  return u.href
}

/** Starts `server.ts` in a process of its own; resolves with its port once it listens. */
const serve = (kind: 'terrapin' | 'raw', url: string): Promise<{ port: number; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, 'load-server.ts'), kind, url, String(BOOKS)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening on (\d+)/.exec(d.toString())
      if (m) resolve({ port: Number(m[1]), child })
    })
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })

interface Measured {
  readonly rps: number
  readonly p99: number
  readonly errors: number
}

const measure = async (port: number, route: 'read' | 'write'): Promise<Measured> => {
  let n = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      route === 'read'
        ? { method: 'GET', setupRequest: (r) => ({ ...r, path: `/books/${1 + (n++ % BOOKS)}` }) }
        : {
            method: 'POST',
            path: '/books',
            headers: { 'content-type': 'application/json' },
            setupRequest: (r) => ({ ...r, body: JSON.stringify({ title: `Load ${n++}`, rating: 4.5, authorId: 1 }) }),
          },
    ],
  })
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.non2xx + result.errors }
}

const main = async (): Promise<void> => {
  const rows: string[] = []
  for (const dialect of DIALECTS)
    for (const kind of ['raw', 'terrapin'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'books-load-'))
      try {
        const url = dialect === 'sqlite' ? `sqlite://${join(dir, 'books.sqlite3')}` : await freshPostgres()
        const { port, child } = await serve(kind, url)
        try {
          for (const route of ['read', 'write'] as const) {
            const m = await measure(port, route)
            rows.push(
              `| ${dialect} | ${route === 'read' ? 'GET /books/:id' : 'POST /books'} | ${kind === 'raw' ? 'raw driver' : 'terrapin'} | ${Math.round(m.rps).toLocaleString('en')} | ${m.p99} ms | ${m.errors} |`,
            )
            console.error(rows[rows.length - 1])
          }
        } finally {
          child.removeAllListeners('exit')
          child.kill('SIGTERM')
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  console.log('| database | route | written with | requests/s | p99 latency | non-2xx or errors |')
  console.log('|---|---|---|---:|---:|---:|')
  for (const r of rows) console.log(r)
}

void main()
