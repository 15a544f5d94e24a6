/**
 * `npm run bench [-- --dialect=sqlite,postgres,mysql --time=200 --rounds=5 --slice=10 --only=pointSelect,filteredList]`
 *
 * For each dialect (all three unless `--dialect` names some), seeds one database with the same
 * data for every library (1,000 authors, 10,000 books; the 20,000 owners and 100,000 items of the
 * long-list workloads only when one of those runs), checks once per workload that the libraries
 * return the same result, times each library and mode in interleaved rounds, and prints Markdown
 * tables: ops/s with the ratio to the raw driver, the ratios' range over the rounds, the bytes a
 * call allocates, and the criterion's verdict per workload. The same numbers go to
 * `bench/results/<dialect>.json`, the tables of the whole run to `bench/results/latest.md`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs'
import { cpus, tmpdir } from 'os'
import { join } from 'path'
import { dialects } from '../src'
import { schemaSql } from '../src/schema/ddl'
import { fingerprint, firstDifference } from './check'
import { BOOKS, authors, books, items, owners, utcText } from './data'
import { drizzleImpl } from './impl/drizzle'
import { knexImpl } from './impl/knex'
import { kysely } from './impl/kysely'
import { open, rawSqlite } from './impl/raw-sqlite'
import { terrapin } from './impl/terrapin'
import { CompiledSql, WORKLOADS, Workload } from './impl/types'
import { Clock, allocatedBytes, interleaved, median, retainedBytes } from './measure'
import { Author, Book, Item, Owner } from './models'
import { Setup, mysqlSetup, postgresSetup } from './servers'
import { Column, Result, allocated, markdown, spread, verdicts } from './report'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback

const DIALECTS = arg('dialect', 'sqlite,postgres,mysql').split(',').filter(Boolean)
const sampleMs = Number(arg('time', '200'))
const rounds = Number(arg('rounds', '5'))
const only = arg('only', '').split(',').filter(Boolean) as Workload[]
const libs = arg('libs', '').split(',').filter(Boolean)
const resultsDir = arg('out', join(__dirname, 'results'))

const ALL_COLUMNS: ReadonlyArray<Column> = [
  { impl: 'raw', mode: 'prepared', label: 'raw driver' },
  { impl: 'terrapin', mode: 'adhoc', label: 'terrapin ad hoc' },
  { impl: 'terrapin', mode: 'task', label: 'terrapin ad hoc, run(db)' },
  { impl: 'terrapin', mode: 'prepared', label: 'terrapin prepared' },
  { impl: 'kysely', mode: 'adhoc', label: 'Kysely' },
  { impl: 'knex', mode: 'adhoc', label: 'Knex' },
  { impl: 'drizzle', mode: 'adhoc', label: 'Drizzle' },
  { impl: 'drizzle', mode: 'prepared', label: 'Drizzle prepared' },
]

const WRITES: ReadonlySet<Workload> = new Set(['singleInsert', 'bulkInsert', 'updateByFilter', 'updateByExpression'])

/** The workloads that read the owners and items, seeded only when one of them runs. */
const LONG_LISTS: ReadonlySet<Workload> = new Set([
  'inList100',
  'inList10k',
  'inList70k',
  'nameIn2k',
  'prefetch1k',
  'prefetch10k',
])

const seedSqlite = (file: string): string => {
  const db = open(file)
  for (const s of schemaSql(dialects.sqlite, [Author, Book, Owner, Item], false)) db.exec(s)
  const ia = db.prepare('INSERT INTO author (id, name) VALUES (?, ?)')
  const ib = db.prepare('INSERT INTO book (id, title, rating, published_at, author_id) VALUES (?, ?, ?, ?, ?)')
  db.transaction(() => {
    for (const a of authors()) ia.run(a.id, a.name)
    for (const b of books()) ib.run(b.id, b.title, b.rating, utcText(b.publishedAt), b.authorId)
  })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  db.close()
  return version
}

const sqliteSetup = (): Setup => {
  const dir = process.platform === 'linux' ? '/dev/shm' : tmpdir()
  const file = join(dir, `terrapin-bench-${process.pid}.sqlite3`)
  const version = seedSqlite(file)
  const admin = open(file)
  return {
    impls: [rawSqlite(file), terrapin(`sqlite://${file}`), kysely(file), knexImpl(file), drizzleImpl(file)],
    seedLongLists: () => {
      const io = admin.prepare('INSERT INTO owner (id, name) VALUES (?, ?)')
      const ii = admin.prepare('INSERT INTO item (id, name, owner_id) VALUES (?, ?, ?)')
      admin.transaction(() => {
        for (const o of owners()) io.run(o.id, o.name)
        for (const x of items()) ii.run(x.id, x.name, x.ownerId)
      })()
      admin.pragma('wal_checkpoint(TRUNCATE)')
      return Promise.resolve()
    },
    database: `SQLite ${version} (better-sqlite3, file on ${dir})`,
    rowsOf: (sql, params) =>
      Promise.resolve(
        admin.prepare(sql).all(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p))) as { id: number }[],
      ),
    cleanup: () => Promise.resolve(void admin.prepare('DELETE FROM book WHERE id > ?').run(BOOKS)),
    close: () => {
      admin.close()
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
      return Promise.resolve()
    },
  }
}

/** One dialect's run: its tables in Markdown (and its JSON file written). */
const bench = async (dialect: string): Promise<string> => {
  if (dialect !== 'sqlite' && dialect !== 'postgres' && dialect !== 'mysql')
    throw new Error(`--dialect=${dialect}: expected sqlite, postgres or mysql`)
  const sliceMs = Number(arg('slice', dialect === 'sqlite' ? '10' : '20'))
  const clock = arg('clock', dialect === 'sqlite' ? 'cpu' : 'wall') as Clock
  const outFile = join(resultsDir, `${dialect}.json`)
  const setup =
    dialect === 'sqlite' ? sqliteSetup() : dialect === 'postgres' ? await postgresSetup() : await mysqlSetup()
  const impls = setup.impls
  const cleanup = setup.cleanup
  const results: Result[] = []
  const workloads = WORKLOADS.filter((w) => only.length === 0 || only.includes(w))
  let seeded = false
  try {
    for (const w of workloads) {
      if (LONG_LISTS.has(w) && !seeded) {
        await setup.seedLongLists()
        seeded = true
      }
      const cols = ALL_COLUMNS.filter((c) => libs.length === 0 || c.impl === 'raw' || libs.includes(c.impl))
        .map((c) => ({ c, op: impls.find((x) => x.name === c.impl)!.ops[w]?.[c.mode] }))
        .filter((x) => x.op !== undefined)
      // The check: every library, same input, same result.
      let reference: { label: string; print: string } | undefined
      for (const { c, op } of cols) {
        let out = await op!(3)
        if (w === 'compileOnly') {
          const q = out as CompiledSql & { parameters?: ReadonlyArray<unknown> }
          // Column names differ by library; the rows are the same when their keys are.
          out = (await setup.rowsOf(q.sql, q.params ?? q.parameters ?? [])).map((r) => r.id)
        }
        if (w === 'decode100k') out = (out as unknown[][])[0]
        const print = fingerprint(out, WRITES.has(w))
        if (WRITES.has(w)) await cleanup()
        if (!reference) reference = { label: c.label, print }
        else if (print !== reference.print)
          throw new Error(
            `${w}: ${c.label} returns another result than ${reference.label}: ${firstDifference(reference.print, print)}`,
          )
      }
      const samples = new Map<string, number[]>()
      const next = { i: 1000 }
      for (let r = 0; r < rounds; r++) {
        const round = await interleaved(
          cols.map((x) => x.op!),
          sampleMs,
          r === 0 ? 300 : 30,
          next,
          clock,
          sliceMs,
        )
        if (WRITES.has(w)) await cleanup()
        cols.forEach(({ c }, k) => samples.set(c.label, [...(samples.get(c.label) ?? []), round[k].opsPerSec]))
      }
      const rawSamples = samples.get('raw driver')
      const raw = median(rawSamples ?? [NaN])
      for (const { c, op } of cols) {
        const ops = median(samples.get(c.label)!)
        // A round times the libraries side by side in short slices: a round's ratio compares
        // time taken in the same stretch, so drift of the machine's speed between rounds cancels out.
        const paired =
          w === 'compileOnly' || !rawSamples ? undefined : samples.get(c.label)!.map((x, r) => x / rawSamples[r])
        const bytes = w === 'decode100k' ? await retainedBytes(op!, 5) : undefined
        const perCall = await allocatedBytes(op!, next)
        if (WRITES.has(w)) await cleanup()
        results.push({
          workload: w,
          impl: c.impl,
          mode: c.mode,
          label: c.label,
          opsPerSec: ops,
          ratio: w === 'compileOnly' ? undefined : ops / raw,
          samples: samples.get(c.label)!,
          retainedBytesPerRow: bytes === undefined ? undefined : bytes / 100000,
          pairedRatios: paired,
          allocatedBytesPerCall: perCall,
        })
      }
      process.stderr.write(
        `${w}: ${cols.map(({ c }) => `${c.label} ${Math.round(median(samples.get(c.label)!))}`).join(', ')}\n`,
      )
    }
  } finally {
    for (const i of impls) await i.close()
    await setup.close()
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    database: setup.database,
  }
  const command = `npm run bench -- --dialect=${dialect} --time=${sampleMs} --rounds=${rounds} --slice=${sliceMs} --clock=${clock}${only.length ? ` --only=${only.join(',')}` : ''}${libs.length ? ` --libs=${libs.join(',')}` : ''}`
  // the columns some workload has
  const COLUMNS = ALL_COLUMNS.filter((c) => results.some((r) => r.label === c.label))
  const table = markdown(COLUMNS, workloads, results)
  const text = `### ${setup.database}\n\n${table}\n\n${spread(COLUMNS, workloads, results)}\n\n${verdicts(workloads, results)}\n\n${allocated(COLUMNS, workloads, results)}\n\nMachine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.database}.\nCommand: \`${command}\` (median of ${rounds} rounds, each giving every column ${sampleMs} ms in turns of ${sliceMs} ms; ops per second of ${clock === 'cpu' ? 'process CPU time' : 'wall time'}).`
  console.log(`\n${text}`)
  mkdirSync(join(outFile, '..'), { recursive: true })
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        dialect,
        command,
        machine,
        sampleMs,
        sliceMs,
        rounds,
        clock,
        columns: COLUMNS,
        results,
      },
      null,
      2,
    ) + '\n',
  )
  console.log(`\nWritten to ${outFile}`)
  return text
}

const main = async (): Promise<void> => {
  const started = Date.now()
  const parts: string[] = []
  for (const d of DIALECTS) parts.push(await bench(d))
  const minutes = ((Date.now() - started) / 60000).toFixed(1)
  const file = join(resultsDir, 'latest.md')
  writeFileSync(file, `${parts.join('\n\n')}\n\nThe whole run took ${minutes} minutes (${new Date().toISOString()}).\n`)
  console.log(`\nAll tables written to ${file} (${minutes} minutes)`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
