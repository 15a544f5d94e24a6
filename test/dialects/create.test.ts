/**
 * `create` and `bulkCreate` return the rows as stored — generated keys, defaults, autoNowAdd —
 * on every dialect: with INSERT … RETURNING where the server has it, and through the insert
 * id and a re-read on the same connection where it does not (MySQL; exercised here by running
 * the same plans with RETURNING switched off).
 */
import { pipe } from 'fp-ts/function'
import {
  Db,
  bulkCreate,
  connect,
  create,
  fields,
  generateSchemas,
  inTransaction,
  model,
  orderBy,
  query,
  run,
  runPromise,
  schema,
  where,
  get,
} from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Ticket, Tag } = schema({
  Ticket: model('Ticket', {
    table: 'cr_ticket',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 40 }),
      status: fields.char({ maxLength: 10, default: 'new' }),
      priority: fields.int({ default: () => 3 }),
      note: fields.text({ null: true }),
      openedAt: fields.datetime({ autoNowAdd: true }),
      big: fields.bigint({ default: 2n ** 60n }),
    },
  }),
  // a key the application chooses
  Tag: model('Tag', {
    table: 'cr_tag',
    fields: { code: fields.char({ maxLength: 8, pk: true }), uses: fields.int({ default: 0 }) },
  }),
})

forEachDialect('create returns the stored row', [Ticket, Tag], (t) => {
  beforeEach(() => t().reset())

  // PostgreSQL always has RETURNING and reports no insert id: the fallback is for the others.
  let plain: Db | undefined
  beforeAll(async () => {
    if (t().dialect === 'postgres') return
    plain = connect(t().url, { returning: false })
    // SQLite's in-memory database is new on a new connection
    right(await generateSchemas(plain, [Ticket, Tag], { safe: true })())
  })
  afterAll(async () => {
    await plain?.executor.close()
  })
  beforeEach(async () => {
    if (t().dialect === 'sqlite' && plain)
      for (const table of ['cr_ticket', 'cr_tag']) await plain.executor.run(`DELETE FROM "${table}"`, [])
  })
  const paths = (): ReadonlyArray<readonly [string, Db]> =>
    plain
      ? [
          ['returning', t().db],
          ['insert id + re-read', plain],
        ]
      : [['returning', t().db]]
  const reader = (db: Db): Db => (t().dialect === 'sqlite' ? db : t().db)

  it('each path sends what it claims: RETURNING, or an insert then a re-read by key', async () => {
    t().clearLog()
    right(await pipe(create(Ticket, { title: 'returned' }), run(t().db))())
    expect(
      t()
        .log.map((e) => e.sql)
        .filter((s) => /^INSERT .* RETURNING /.test(s)),
    ).toHaveLength(1)
    if (t().dialect === 'postgres') return
    const log: string[] = []
    const watched = connect(t().url, { returning: false, onQuery: (e) => void log.push(e.sql) })
    try {
      if (t().dialect === 'sqlite') right(await generateSchemas(watched, [Ticket, Tag])())
      right(await pipe(create(Ticket, { title: 'watched' }), run(watched))())
      expect(log.filter((s) => /RETURNING/i.test(s))).toEqual([])
      expect(log.some((s) => /^SELECT .* IN \(/.test(s))).toBe(true)
    } finally {
      await watched.executor.close()
    }
  })

  it('generated keys and defaults come back from create, equal to a re-read', async () => {
    for (const [path, db] of paths()) {
      const before = Date.now()
      const a = right(await pipe(create(Ticket, { title: `${path} a` }), run(db))())
      const b = right(await pipe(create(Ticket, { title: `${path} b`, status: 'open', note: 'n' }), run(db))())
      expect(typeof a.id).toBe('number')
      expect(b.id).toBeGreaterThan(a.id)
      expect(a).toMatchObject({ title: `${path} a`, status: 'new', priority: 3, note: null, big: 2n ** 60n })
      expect(b).toMatchObject({ status: 'open', note: 'n' })
      expect(a.openedAt.getTime()).toBeGreaterThanOrEqual(before - 1)
      for (const row of [a, b])
        expect(right(await pipe(query(Ticket), where({ id: row.id }), get, run(reader(db)))())).toEqual(row)
    }
  })

  it('bulkCreate returns every row in input order, with its generated key', async () => {
    for (const [path, db] of paths()) {
      const titles = Array.from({ length: 7 }, (_, i) => `${path} ${i}`)
      const rows = right(
        await pipe(
          bulkCreate(
            Ticket,
            titles.map((title) => ({ title })),
          ),
          run(db),
        )(),
      )
      expect(rows.map((r) => r.title)).toEqual(titles)
      expect(new Set(rows.map((r) => r.id)).size).toBe(7)
      const stored = right(
        await pipe(query(Ticket), where({ title__startswith: `${path} ` }), orderBy('id'), run(reader(db)))(),
      )
      expect([...rows].sort((x, y) => x.id - y.id)).toEqual(stored)
    }
  })

  it('bulkCreate without RETURNING follows a server that spaces its generated keys', async () => {
    // MySQL replicas space keys with auto_increment_increment; SQLite and PostgreSQL never do
    const spacing = t().dialect === 'mysql' ? 3 : 1
    const db = plain ?? t().db
    const made = await inTransaction(db, async (tx) => {
      if (spacing !== 1) await tx.executor.run(`SET SESSION auto_increment_increment = ${spacing}`, [])
      try {
        return await runPromise(tx)(
          bulkCreate(
            Ticket,
            ['s1', 's2', 's3', 's4'].map((title) => ({ title })),
          ),
        )
      } finally {
        if (spacing !== 1) await tx.executor.run('SET SESSION auto_increment_increment = 1', [])
      }
    })
    expect(made.map((r) => r.title)).toEqual(['s1', 's2', 's3', 's4'])
    expect(made.slice(1).map((r, i) => r.id - made[i].id)).toEqual([spacing, spacing, spacing])
    const stored = right(
      await pipe(query(Ticket), where({ title__in: ['s1', 's2', 's3', 's4'] }), orderBy('id'), run(reader(db)))(),
    )
    expect(stored).toEqual(made)
  })

  it('a key chosen by the application and create inside a transaction', async () => {
    for (const [path, db] of paths()) {
      const code = path === 'returning' ? 'r1' : 'p1'
      expect(right(await pipe(create(Tag, { code }), run(db))())).toEqual({ code, uses: 0 })
      const inTx = await inTransaction(db, async (tx) => {
        const row = await runPromise(tx)(create(Ticket, { title: `${path} tx` }))
        return { row, again: await runPromise(tx)(pipe(query(Ticket), where({ id: row.id }), get)) }
      })
      expect(inTx.again).toEqual(inTx.row)
    }
  })
})
