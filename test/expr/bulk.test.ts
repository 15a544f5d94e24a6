/**
 * Bulk writes in batches: bulkCreate with ignoreConflicts and onConflict (an upsert of chosen
 * fields), bulkUpdate (per-row values by key); statements are counted with the onQuery hook.
 * A batch never binds more parameters than the database takes in one statement.
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, bulkUpdate, count, fields, model, orderBy, query, run } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book } from './models'

const inserts = (log: ReadonlyArray<{ sql: string }>): number => log.filter((e) => /^INSERT/i.test(e.sql)).length
const updates = (log: ReadonlyArray<{ sql: string }>): number => log.filter((e) => /^UPDATE/i.test(e.sql)).length

forEachDialect('bulk', [Author, Book], (t) => {
  beforeEach(() => t().reset())

  it('bulkCreate sends one INSERT for up to 1,000 rows by default on a server, 100 on SQLite', async () => {
    const batch = t().dialect === 'sqlite' ? 100 : 1000
    for (const n of new Set([batch, batch + 1, 1001])) {
      t().clearLog()
      const rows = Array.from({ length: n }, (_, i) => ({ name: `d${n}-${i}` }))
      const made = right(await pipe(bulkCreate(Author, rows), run(t().db))())
      expect(made.map((r) => r.name)).toEqual(rows.map((r) => r.name))
      expect(inserts(t().log)).toBe(Math.ceil(n / batch))
    }
  })

  it('bulkCreate sends one INSERT per batch of batchSize rows', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ name: `a${i}`, nick: i % 2 ? null : `n${i}` }))
    const made = right(await pipe(bulkCreate(Author, rows, { batchSize: 3 }), run(t().db))())
    expect(made.map((r) => [r.name, r.nick])).toEqual(rows.map((r) => [r.name, r.nick]))
    expect(inserts(t().log)).toBe(3)
  })

  it('ignoreConflicts skips rows that break a unique constraint; onConflict updates the named fields', async () => {
    right(
      await pipe(
        bulkCreate(Author, [
          { name: 'a', nick: 'old' },
          { name: 'b', nick: 'keep' },
        ]),
        run(t().db),
      )(),
    )
    right(
      await pipe(
        bulkCreate(
          Author,
          [
            { name: 'a', nick: 'ignored' },
            { name: 'c', nick: 'new' },
          ],
          { ignoreConflicts: true },
        ),
        run(t().db),
      )(),
    )
    let all = right(await pipe(query(Author), orderBy('name'), run(t().db))())
    expect(all.map((r) => [r.name, r.nick])).toEqual([
      ['a', 'old'],
      ['b', 'keep'],
      ['c', 'new'],
    ])
    const ids = all.map((r) => r.id)
    t().clearLog()
    right(
      await pipe(
        bulkCreate(
          Author,
          [
            { name: 'a', nick: 'upd' },
            { name: 'd', nick: 'd' },
            { name: 'b', nick: null },
          ],
          { onConflict: { fields: ['name'], update: ['nick'] }, batchSize: 2 },
        ),
        run(t().db),
      )(),
    )
    expect(inserts(t().log)).toBe(2)
    all = right(await pipe(query(Author), orderBy('name'), run(t().db))())
    expect(all.map((r) => [r.name, r.nick])).toEqual([
      ['a', 'upd'],
      ['b', null],
      ['c', 'new'],
      ['d', 'd'],
    ])
    // the existing rows kept their keys: updated in place, not replaced
    expect(all.slice(0, 3).map((r) => r.id)).toEqual(ids)
  })

  it('rejects onConflict naming unknown fields, and a bad batchSize, without SQL', async () => {
    const loose = bulkCreate as unknown as (m: unknown, r: unknown, o: unknown) => never
    expect(
      left(
        await pipe(
          loose(Author, [{ name: 'x' }], { onConflict: { fields: ['nope'], update: ['nick'] } }),
          run(t().db),
        )(),
      )._tag,
    ).toBe('ValidationError')
    expect(left(await pipe(bulkCreate(Author, [{ name: 'x' }], { batchSize: 0 }), run(t().db))())._tag).toBe(
      'ValidationError',
    )
    expect(t().log.length).toBe(0)
  })

  it('bulkUpdate sets each row its own values by key, one UPDATE per batch, in one transaction', async () => {
    const authors = right(
      await pipe(
        bulkCreate(
          Author,
          Array.from({ length: 5 }, (_, i) => ({ name: `w${i}` })),
        ),
        run(t().db),
      )(),
    )
    const books = right(
      await pipe(
        bulkCreate(
          Book,
          Array.from({ length: 9 }, (_, i) => ({ title: `b${i}`, rating: i, pages: i, authorId: authors[i % 5].id })),
        ),
        run(t().db),
      )(),
    )
    const patch = books
      .filter((_, i) => i % 3 !== 1)
      .map((b, i) => ({ id: b.id, rating: i % 2 ? null : b.pages * 1.5, title: `${b.title}!` }))
    t().clearLog()
    const changed = right(await pipe(bulkUpdate(Book, patch, ['rating', 'title'], { batchSize: 4 }), run(t().db))())
    expect(changed).toBe(patch.length)
    expect(updates(t().log)).toBe(Math.ceil(patch.length / 4))
    const after = right(await pipe(query(Book), orderBy('id'), run(t().db))())
    const byId = new Map(patch.map((p) => [p.id, p]))
    for (const b of after) {
      const p = byId.get(b.id)
      const before = books.find((x) => x.id === b.id)!
      expect([b.title, b.rating, b.pages]).toEqual(
        p ? [p.title, p.rating, before.pages] : [before.title, before.rating, before.pages],
      )
    }
  })

  it('bulkUpdate rolls back every batch when one fails, and validates its input', async () => {
    const authors = right(await pipe(bulkCreate(Author, [{ name: 'p' }, { name: 'q' }, { name: 'r' }]), run(t().db))())
    // the third row takes a name already used: unique violation in the second batch
    const bad = [
      { id: authors[0].id, name: 'p2' },
      { id: authors[1].id, name: 'q2' },
      { id: authors[2].id, name: 'p2' },
    ]
    expect(left(await pipe(bulkUpdate(Author, bad, ['name'], { batchSize: 2 }), run(t().db))())._tag).toBe(
      'IntegrityError',
    )
    const names = right(await pipe(query(Author), orderBy('id'), run(t().db))()).map((a) => a.name)
    expect(names).toEqual(['p', 'q', 'r'])
    const loose = bulkUpdate as unknown as (m: unknown, r: unknown, f: unknown) => never
    expect(left(await pipe(loose(Author, [{ name: 'x' }], ['name']), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(loose(Author, [{ id: 1, name: 3 }], ['name']), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(loose(Author, [{ id: 1 }], ['id']), run(t().db))())._tag).toBe('ValidationError')
  })
})

/** 70 columns: 500 rows of them are more parameters than SQLite takes in one statement (32,766). */
const WIDTH = 70
const wideField = () => fields.int({ default: 0 })
const Wide = model('Wide', {
  table: 'expr_wide',
  fields: {
    id: fields.int({ pk: true }),
    ...Object.fromEntries(Array.from({ length: WIDTH }, (_, i) => [`c${i}`, wideField()])),
  },
})
/** The model's type knows only `id` (its fields are made in a loop): rows are read as this. */
type WideRow = { readonly id: number } & Readonly<Record<string, number>>
const wide = (rows: unknown): ReadonlyArray<WideRow> => rows as ReadonlyArray<WideRow>
const wideRow = (n: number): Record<string, number> =>
  Object.fromEntries(Array.from({ length: WIDTH }, (_, i) => [`c${i}`, n * 100 + i]))

forEachDialect('bulk wide', [Wide], (t) => {
  beforeEach(() => t().reset())

  it('splits a batch that would bind more parameters than the database takes, by default or with batchSize', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => wideRow(i))
    for (const options of [{}, { batchSize: 1000 }]) {
      t().clearLog()
      const made = wide(right(await pipe(bulkCreate(Wide, rows as never, options), run(t().db))()))
      expect(made.map((r) => [r.c0, r.c69])).toEqual(rows.map((r) => [r.c0, r.c69]))
      // SQLite takes 32,766 parameters (468 rows of 70), PostgreSQL and MySQL 65,535 (936 rows);
      // SQLite's own default is 100 rows
      expect(inserts(t().log)).toBe(t().dialect !== 'sqlite' ? 2 : options.batchSize ? 3 : 12)
      expect(right(await pipe(query(Wide), count, run(t().db))())).toBe(made.length)
      await t().reset()
    }
  })

  it('bulkUpdate splits its batches the same way', async () => {
    const made = wide(
      right(await pipe(bulkCreate(Wide, Array.from({ length: 600 }, (_, i) => wideRow(i)) as never), run(t().db))()),
    )
    const names = Array.from({ length: WIDTH - 1 }, (_, i) => `c${i}` as const)
    const changed = made.map((r) => ({ ...r, ...Object.fromEntries(names.map((k) => [k, -r.c0 - 1])) }))
    t().clearLog()
    // 69 fields: 139 parameters a row, so the default 500 rows would be 69,500
    expect(right(await pipe(bulkUpdate(Wide, changed as never, names as never), run(t().db))())).toBe(600)
    expect(updates(t().log)).toBe(t().dialect === 'sqlite' ? 3 : 2)
    const back = wide(right(await pipe(query(Wide), orderBy('id'), run(t().db))()))
    expect(back.map((r) => [r.c0, r.c68, r.c69])).toEqual(made.map((r) => [-r.c0 - 1, -r.c0 - 1, r.c69]))
  })
})
