/**
 * `npm run bench:compile [-- --rounds=9 --time=300 --slice=10]`
 *
 * Compile only: how many plans a second each query builder turns into SQL and parameters, with
 * no database. Every call builds its query from scratch with the call's values (nothing built
 * once and reused, for any library) and ends with the SQL text and the parameter list: terrapin
 * `compile(plan, 'sqlite')`, Kysely `.compile()`, Drizzle `.toSQL()`, Knex `.toSQL().toNative()`.
 * Five queries, the same statement for every library (checked once before timing, up to each
 * library's spelling): a filtered list through a relation path (an EXISTS on the author), a point
 * select by primary key, an insert returning the row, an update by a filter, and a grouped
 * aggregate ordered by the aggregate; and the mix, the five one after the other. The libraries
 * take turns in slices of `--slice` ms of CPU time (as `npm run bench` does), `--rounds` rounds
 * of `--time` ms each; a cell is the median round, and the ratio's range is over the rounds.
 * Writes `bench/results/compile-only.md` (and prints it).
 */
import Database from 'better-sqlite3'
import { and, asc, avg, between, count, desc, eq, exists, gte, like, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { writeFileSync } from 'fs'
import knexFactory from 'knex'
import { DummyDriver, Generated, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'
import { cpus } from 'os'
import { join } from 'path'
import { pipe } from 'fp-ts/function'
import { AUTHORS, BOOKS, TERMS, newBook, utcText } from './data'
import { terrapin as T, fromSource } from './lib'
import { Book } from './models'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const rounds = Number(arg('rounds', '5'))
const timeMs = Number(arg('time', '200'))
const sliceMs = Number(arg('slice', '10'))
const outFile = arg('out', join(__dirname, 'results', 'compile-only.md'))

/** The i-th call's values (every library gets the same). */
const v = {
  term: (i: number) => TERMS[i % TERMS.length],
  rating: (i: number) => (i % 3) + 2,
  id: (i: number) => ((i * 7919) % BOOKS) + 1,
  authorId: (i: number) => (i % AUTHORS) + 1,
  lo: (i: number) => ((i * 50) % (AUTHORS - 50)) + 1,
}

interface Out {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
}
type Build = (i: number) => Out
const QUERIES = ['relation filter', 'point select', 'insert', 'update', 'aggregate'] as const
type QueryName = (typeof QUERIES)[number]
type Library = Readonly<Record<QueryName, Build>>

// ---------------------------------------------------------------------------------------------
// terrapin
// ---------------------------------------------------------------------------------------------

const { Avg, Count, annotate, compile, create, get, groupBy, limit, orderBy, query, update, where } = T

const terrapin: Library = {
  'relation filter': (i) =>
    compile(
      pipe(
        query(Book),
        where({ author__name__contains: v.term(i), rating__gte: v.rating(i) }),
        orderBy('-rating', 'id'),
        limit(20),
      ),
      'sqlite',
    ),
  'point select': (i) => compile(pipe(query(Book), where({ id: v.id(i) }), get), 'sqlite'),
  insert: (i) => compile(create(Book, newBook(i)), 'sqlite'),
  update: (i) =>
    compile(pipe(query(Book), where({ authorId: v.authorId(i) }), update({ rating: v.rating(i) })), 'sqlite'),
  aggregate: (i) =>
    compile(
      pipe(
        query(Book),
        where({ authorId__range: [v.lo(i), v.lo(i) + 49] }),
        groupBy('authorId'),
        annotate({ books: Count(), avgRating: Avg('rating') }),
        orderBy('-books'),
        limit(10),
      ),
      'sqlite',
    ),
}

// ---------------------------------------------------------------------------------------------
// Kysely (its SQLite compiler over a driver that never connects)
// ---------------------------------------------------------------------------------------------

interface DB {
  author: { id: Generated<number>; name: string }
  book: { id: Generated<number>; title: string; rating: number | null; published_at: string; author_id: number }
}
const ky = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
})
const BOOK_COLUMNS = ['id', 'title', 'rating', 'published_at', 'author_id'] as const
const kyOut = (c: { sql: string; parameters: ReadonlyArray<unknown> }): Out => ({ sql: c.sql, params: c.parameters })

const kysely: Library = {
  'relation filter': (i) =>
    kyOut(
      ky
        .selectFrom('book as t0')
        .select(BOOK_COLUMNS.map((c) => `t0.${c}` as const))
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('author as t1')
              .select((sub) => sub.lit(1).as('one'))
              .whereRef('t1.id', '=', 't0.author_id')
              .where('t1.name', 'like', `%${v.term(i)}%`),
          ),
        )
        .where('t0.rating', '>=', v.rating(i))
        .orderBy('t0.rating', 'desc')
        .orderBy('t0.id', 'asc')
        .limit(20)
        .compile(),
    ),
  'point select': (i) => kyOut(ky.selectFrom('book').select(BOOK_COLUMNS).where('id', '=', v.id(i)).limit(2).compile()),
  insert: (i) => {
    const b = newBook(i)
    return kyOut(
      ky
        .insertInto('book')
        .values({ title: b.title, rating: b.rating, published_at: utcText(b.publishedAt), author_id: b.authorId })
        .returning(BOOK_COLUMNS)
        .compile(),
    )
  },
  update: (i) =>
    kyOut(
      ky
        .updateTable('book')
        .set({ rating: v.rating(i) })
        .where('author_id', '=', v.authorId(i))
        .compile(),
    ),
  aggregate: (i) =>
    kyOut(
      ky
        .selectFrom('book')
        .select((eb) => ['author_id', eb.fn.countAll().as('books'), eb.fn.avg('rating').as('avgRating')])
        .where((eb) => eb.between('author_id', v.lo(i), v.lo(i) + 49))
        .groupBy('author_id')
        .orderBy('books', 'desc')
        .limit(10)
        .compile(),
    ),
}

// ---------------------------------------------------------------------------------------------
// Drizzle (over an in-memory database it never queries: toSQL builds the statement only)
// ---------------------------------------------------------------------------------------------

const author = sqliteTable('author', { id: integer('id').primaryKey(), name: text('name').notNull() })
const book = sqliteTable('book', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  rating: real('rating'),
  publishedAt: text('published_at').notNull(),
  authorId: integer('author_id').notNull(),
})
const dz = drizzle(new Database(':memory:'))

const drizzleLib: Library = {
  'relation filter': (i) =>
    dz
      .select()
      .from(book)
      .where(
        and(
          exists(
            dz
              .select({ one: sql`1` })
              .from(author)
              .where(and(eq(author.id, book.authorId), like(author.name, `%${v.term(i)}%`))),
          ),
          gte(book.rating, v.rating(i)),
        ),
      )
      .orderBy(desc(book.rating), asc(book.id))
      .limit(20)
      .toSQL(),
  'point select': (i) =>
    dz
      .select()
      .from(book)
      .where(eq(book.id, v.id(i)))
      .limit(2)
      .toSQL(),
  insert: (i) => {
    const b = newBook(i)
    return dz
      .insert(book)
      .values({ title: b.title, rating: b.rating, publishedAt: utcText(b.publishedAt), authorId: b.authorId })
      .returning()
      .toSQL()
  },
  update: (i) =>
    dz
      .update(book)
      .set({ rating: v.rating(i) })
      .where(eq(book.authorId, v.authorId(i)))
      .toSQL(),
  aggregate: (i) => {
    const books = count()
    return dz
      .select({ authorId: book.authorId, books, avgRating: avg(book.rating) })
      .from(book)
      .where(between(book.authorId, v.lo(i), v.lo(i) + 49))
      .groupBy(book.authorId)
      .orderBy(desc(books))
      .limit(10)
      .toSQL()
  },
}

// ---------------------------------------------------------------------------------------------
// Knex (its better-sqlite3 client; toSQL does not connect)
// ---------------------------------------------------------------------------------------------

const kx = knexFactory({ client: 'better-sqlite3', useNullAsDefault: true, connection: { filename: ':memory:' } })
const knexOut = (q: { toSQL: () => { toNative: () => { sql: string; bindings: ReadonlyArray<unknown> } } }): Out => {
  const n = q.toSQL().toNative()
  return { sql: n.sql, params: n.bindings }
}
const KNEX_COLUMNS = BOOK_COLUMNS.map((c) => `t0.${c}`)

const knexLib: Library = {
  'relation filter': (i) =>
    knexOut(
      kx
        .select(KNEX_COLUMNS)
        .from('book as t0')
        .whereExists(
          kx
            .select(kx.raw('1'))
            .from('author as t1')
            .whereRaw('?? = ??', ['t1.id', 't0.author_id'])
            .andWhere('t1.name', 'like', `%${v.term(i)}%`),
        )
        .andWhere('t0.rating', '>=', v.rating(i))
        .orderBy([
          { column: 't0.rating', order: 'desc' },
          { column: 't0.id', order: 'asc' },
        ])
        .limit(20),
    ),
  'point select': (i) => knexOut(kx.select(BOOK_COLUMNS).from('book').where('id', v.id(i)).limit(2)),
  insert: (i) => {
    const b = newBook(i)
    return knexOut(
      kx('book')
        .insert({ title: b.title, rating: b.rating, published_at: utcText(b.publishedAt), author_id: b.authorId })
        .returning(BOOK_COLUMNS),
    )
  },
  update: (i) =>
    knexOut(
      kx('book')
        .update({ rating: v.rating(i) })
        .where('author_id', v.authorId(i)),
    ),
  aggregate: (i) =>
    knexOut(
      kx
        .select('author_id')
        .count({ books: '*' })
        .avg({ avgRating: 'rating' })
        .from('book')
        .whereBetween('author_id', [v.lo(i), v.lo(i) + 49])
        .groupBy('author_id')
        .orderBy('books', 'desc')
        .limit(10),
    ),
}

// ---------------------------------------------------------------------------------------------
// timing
// ---------------------------------------------------------------------------------------------

const LIBRARIES: ReadonlyArray<readonly [string, Library]> = [
  ['terrapin', terrapin],
  ['Kysely', kysely],
  ['Drizzle', drizzleLib],
  ['Knex', knexLib],
]

const mix = (lib: Library): Build => {
  const builds = QUERIES.map((q) => lib[q])
  // One call of the mix compiles the five queries: counted as five plans below.
  return (i) => {
    let last: Out = builds[0](i)
    for (let k = 1; k < builds.length; k++) last = builds[k](i)
    return last
  }
}

const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
let sink = 0

/** One round: every build gets `timeMs` of CPU time in turns of about `sliceMs`; plans a second each. */
const round = (builds: ReadonlyArray<Build>, next: { i: number }): number[] => {
  const batch = builds.map((b) => {
    const t0 = cpuMs()
    let n = 0
    while (cpuMs() - t0 < 20 || n < 10) sink += b(next.i++).params.length + n++ * 0
    return Math.max(1, Math.round((sliceMs * n) / (cpuMs() - t0)))
  })
  const spent = builds.map(() => ({ ms: 0, calls: 0 }))
  for (let turn = 0; spent.some((s) => s.ms < timeMs); turn++)
    for (let k = 0; k < builds.length; k++) {
      const j = turn % 2 === 0 ? k : builds.length - 1 - k
      const b = builds[j]
      const c0 = cpuMs()
      for (let n = 0; n < batch[j]; n++) sink += b(next.i++).params.length
      spent[j].ms += cpuMs() - c0
      spent[j].calls += batch[j]
    }
  return spent.map((s) => (s.calls * 1000) / s.ms)
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (n: number): string => Math.round(n).toLocaleString('en')
const range = (xs: ReadonlyArray<number>): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`

const normalized = (s: string): string => s.replace(/[`"]/g, '').toLowerCase()

/** Prints each library's statements once, so a reader can check they are the same query. */
const statements = (): string[] =>
  QUERIES.flatMap((q) => [
    `- ${q}:`,
    ...LIBRARIES.map(([name, lib]) => {
      const o = lib[q](1)
      return `  - ${name}: \`${normalized(o.sql)}\` ${JSON.stringify(o.params)}`
    }),
  ])

const main = (): void => {
  const next = { i: 0 }
  const rows = [...QUERIES, 'mix (the five in turn)'] as const
  const lines: string[] = []
  for (const q of rows) {
    const builds = LIBRARIES.map(([, lib]) => (q === 'mix (the five in turn)' ? mix(lib) : lib[q]))
    const per = q === 'mix (the five in turn)' ? QUERIES.length : 1
    const samples = Array.from({ length: rounds }, () => round(builds, next).map((x) => x * per))
    const ops = LIBRARIES.map((_, k) => median(samples.map((s) => s[k])))
    // per round: terrapin over the fastest other builder in that round
    const ratios = samples.map((s) => s[0] / Math.max(...s.slice(1)))
    const best = ops.slice(1).indexOf(Math.max(...ops.slice(1))) + 1
    lines.push(
      `| ${q} | ${ops.map(fmt).join(' | ')} | ${(ops[0] / ops[best]).toFixed(2)}× ${LIBRARIES[best][0]} | ${range(ratios)} |`,
    )
    console.log(lines[lines.length - 1])
  }
  const md = [
    '# Compile only: plans to SQL and parameters, no database',
    '',
    `\`npm run bench:compile -- --rounds=${rounds} --time=${timeMs} --slice=${sliceMs}\` (terrapin ${fromSource ? 'from src/ through tsx' : 'from dist/'}), ` +
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared), Node ${process.versions.node}.`,
    'Plans a second of CPU time (median round); every call builds its query from scratch and returns the SQL',
    'text and the parameters, on SQLite. The last columns: terrapin over the fastest other builder (median),',
    'and over the fastest other builder of each round (lowest–highest).',
    '',
    `| query | ${LIBRARIES.map(([n]) => n).join(' | ')} | terrapin / fastest other | per round |`,
    `|---|${LIBRARIES.map(() => '---:').join('|')}|---:|---:|`,
    ...lines,
    '',
    'The statements (quotes dropped, lower case), for the first call:',
    '',
    ...statements(),
    '',
  ].join('\n')
  writeFileSync(outFile, md)
  if (sink === -1) console.log(sink)
  void kx.destroy()
}

main()
