/**
 * Bulk writes in batches: bulkCreate with ignoreConflicts and onConflict (an upsert of chosen
 * fields), bulkUpdate (per-row values by key); statements are counted with the onQuery hook.
 */
import { pipe } from 'fp-ts/function'
import { bulkCreate, bulkUpdate, orderBy, query, run } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author, Book } from './models'

const inserts = (log: ReadonlyArray<{ sql: string }>): number => log.filter((e) => /^INSERT/i.test(e.sql)).length
const updates = (log: ReadonlyArray<{ sql: string }>): number => log.filter((e) => /^UPDATE/i.test(e.sql)).length

forEachDialect('bulk', [Author, Book], (t) => {
  beforeEach(() => t().reset())

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
    expect(left(await pipe(loose(Author, [{ name: 'x' }], { onConflict: { fields: ['nope'], update: ['nick'] } }), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(bulkCreate(Author, [{ name: 'x' }], { batchSize: 0 }), run(t().db))())._tag).toBe('ValidationError')
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
    const patch = books.filter((_, i) => i % 3 !== 1).map((b, i) => ({ id: b.id, rating: i % 2 ? null : b.pages * 1.5, title: `${b.title}!` }))
    t().clearLog()
    const changed = right(await pipe(bulkUpdate(Book, patch, ['rating', 'title'], { batchSize: 4 }), run(t().db))())
    expect(changed).toBe(patch.length)
    expect(updates(t().log)).toBe(Math.ceil(patch.length / 4))
    const after = right(await pipe(query(Book), orderBy('id'), run(t().db))())
    const byId = new Map(patch.map((p) => [p.id, p]))
    for (const b of after) {
      const p = byId.get(b.id)
      const before = books.find((x) => x.id === b.id)!
      expect([b.title, b.rating, b.pages]).toEqual(p ? [p.title, p.rating, before.pages] : [before.title, before.rating, before.pages])
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
    expect(left(await pipe(bulkUpdate(Author, bad, ['name'], { batchSize: 2 }), run(t().db))())._tag).toBe('IntegrityError')
    const names = right(await pipe(query(Author), orderBy('id'), run(t().db))()).map((a) => a.name)
    expect(names).toEqual(['p', 'q', 'r'])
    const loose = bulkUpdate as unknown as (m: unknown, r: unknown, f: unknown) => never
    expect(left(await pipe(loose(Author, [{ name: 'x' }], ['name']), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(loose(Author, [{ id: 1, name: 3 }], ['name']), run(t().db))())._tag).toBe('ValidationError')
    expect(left(await pipe(loose(Author, [{ id: 1 }], ['id']), run(t().db))())._tag).toBe('ValidationError')
  })
})
