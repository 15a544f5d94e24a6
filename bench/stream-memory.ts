/**
 * `node --expose-gc --import tsx bench/stream-memory.ts [--dialect=sqlite] [--rows=1000000]`
 *
 * Memory of reading many rows: `stream(db)` (batches) against `run(db)` (every row at once).
 * Fills a table with `--rows` rows in the database itself (one INSERT … SELECT), then iterates
 * it and samples the heap every 50,000 rows. Prints the peak heap above the baseline for each,
 * and the throughput.
 */
import { rmSync } from 'fs'
import { pipe } from 'fp-ts/function'
import { connect, fields, generateSchemas, model, query, run, schema, sql, stream } from '../src'
import { createIsolated, DialectName } from '../test/support/databases'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const dialect = arg('dialect', 'sqlite') as DialectName
const rows = Number(arg('rows', '1000000'))
const batchSize = Number(arg('batch', '1000'))

const { Row } = schema({
  Row: model('Row', {
    table: 'stream_row',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 100 }),
      value: fields.float({ null: true }),
      n: fields.int(),
    },
  }),
})

const fill: Record<DialectName, string> = {
  sqlite: `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) INSERT INTO stream_row (id, title, value, n) SELECT x, 'title number ' || x, x / 7.0, x % 1000 FROM c`,
  postgres: `INSERT INTO stream_row (id, title, value, n) SELECT x, 'title number ' || x, x / 7.0, x % 1000 FROM generate_series(1, ${rows}) AS x`,
  mysql: `INSERT INTO stream_row (id, title, value, n) SELECT seq, CONCAT('title number ', seq), seq / 7.0, seq % 1000 FROM seq_1_to_${rows}`,
}

const gc = (): void => (global as unknown as { gc?: () => void }).gc?.()
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`

const main = async (): Promise<void> => {
  const iso = await createIsolated(dialect, 'stream-bench')
  const db = connect(dialect === 'sqlite' ? `sqlite:///tmp/terrapin-stream-${process.pid}.db` : iso.url)
  try {
    const made = await generateSchemas(db, [Row])()
    if (made._tag === 'Left') throw new Error(made.left.message)
    const filled = await pipe(sql([fill[dialect]] as unknown as TemplateStringsArray), run(db))()
    if (filled._tag === 'Left') throw new Error(filled.left.message)
    const plan = pipe(query(Row))

    gc()
    const base = process.memoryUsage().heapUsed
    let peak = 0
    let seen = 0
    let sum = 0
    const t0 = performance.now()
    for await (const r of pipe(plan, stream(db, { batchSize }))) {
      sum += r.n
      if (++seen % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base)
    }
    const streamMs = performance.now() - t0
    peak = Math.max(peak, process.memoryUsage().heapUsed - base)

    gc()
    const base2 = process.memoryUsage().heapUsed
    const t1 = performance.now()
    const all = await pipe(plan, run(db))()
    const runMs = performance.now() - t1
    if (all._tag === 'Left') throw new Error(all.left.message)
    const held = process.memoryUsage().heapUsed - base2
    const sum2 = all.right.reduce((a, r) => a + r.n, 0)
    if (seen !== rows || all.right.length !== rows || sum !== sum2)
      throw new Error(`mismatch: streamed ${seen}, ran ${all.right.length}`)

    console.log(
      `| ${dialect} | ${rows.toLocaleString('en')} | ${batchSize} | stream: peak heap +${mb(peak)}, ${Math.round(rows / (streamMs / 1000)).toLocaleString('en')} rows/s | run: heap +${mb(held)}, ${Math.round(rows / (runMs / 1000)).toLocaleString('en')} rows/s |`,
    )
  } finally {
    await db.executor.close()
    await iso.drop()
    if (dialect === 'sqlite')
      for (const s of ['', '-wal', '-shm']) rmSync(`/tmp/terrapin-stream-${process.pid}.db${s}`, { force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
