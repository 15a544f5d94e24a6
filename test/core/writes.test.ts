/**
 * Writing: create, bulkCreate (batches in one transaction, ignoreConflicts), update (affected
 * count, autoNow refreshed, plans with limit/offset/distinct), remove, save, getOrCreate and
 * updateOrCreate (including concurrent getOrCreate of the same row).
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  bulkCreate,
  count,
  create,
  transaction,
  distinct,
  get,
  getOrCreate,
  limit,
  offset,
  orderBy,
  query,
  remove,
  run,
  save,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Code, Item, Rel, Tag } from './models'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

forEachDialect('writes', [Tag, Code, Item, Rel.Author, Rel.Book], (t) => {
  beforeEach(() => t().reset())

  const tags = async () => right(await pipe(query(Tag), orderBy('name'), values('name', 'uses'), run(t().db))())

  it('create returns the row as stored, with its generated key and defaults', async () => {
    const a = right(await pipe(create(Tag, { name: 'a' }), run(t().db))())
    const b = right(await pipe(create(Tag, { name: 'b', uses: 3 }), run(t().db))())
    expect(a).toMatchObject({ name: 'a', uses: 0 })
    expect(b.id).toBeGreaterThan(a.id)
    expect(right(await pipe(query(Tag), where({ id: b.id }), get, run(t().db))())).toEqual(b)
  })

  it('rows created with explicit keys do not make later generated keys collide', async () => {
    const db = t().db
    right(await pipe(create(Tag, { id: 1, name: 'one' }), run(db))())
    right(
      await pipe(
        bulkCreate(Tag, [
          { id: 2, name: 'two' },
          { id: 3, name: 'three' },
        ]),
        run(db),
      )(),
    )
    const next = right(await pipe(create(Tag, { name: 'four' }), run(db))())
    expect(next.id).toBeGreaterThan(3)
    const more = right(await pipe(bulkCreate(Tag, [{ name: 'five' }, { name: 'six' }]), run(db))())
    expect(new Set([1, 2, 3, next.id, ...more.map((r) => r.id)]).size).toBe(6)
  })

  it('create with an explicit key, and with a non-integer key', async () => {
    const a = right(await pipe(create(Tag, { id: 1000, name: 'k' }), run(t().db))())
    expect(a.id).toBe(1000)
    const c = right(await pipe(create(Code, { code: 'X1', label: 'one' }), run(t().db))())
    expect(c).toEqual({ code: 'X1', label: 'one' })
    expect(left(await pipe(create(Code, { code: 'X1', label: 'again' }), run(t().db))())).toMatchObject({
      _tag: 'IntegrityError',
      kind: 'unique',
    })
  })

  it('bulkCreate inserts in batches of batchSize and returns every row', async () => {
    const rows = Array.from({ length: 23 }, (_, i) => ({ name: `t${String(i).padStart(2, '0')}`, uses: i }))
    t().clearLog()
    const made = right(await pipe(bulkCreate(Tag, rows, { batchSize: 5 }), run(t().db))())
    const inserts = t().log.filter((e) => /^INSERT/i.test(e.sql))
    expect(inserts.length).toBe(Math.ceil(23 / 5))
    expect(made.map((r) => r.name)).toEqual(rows.map((r) => r.name))
    expect(new Set(made.map((r) => r.id)).size).toBe(23)
    expect(await tags()).toEqual(rows)
    expect(right(await pipe(bulkCreate(Tag, []), run(t().db))())).toEqual([])
  })

  it('bulkCreate is all or nothing: a failing batch rolls back the earlier ones', async () => {
    right(await pipe(create(Tag, { name: 'dup' }), run(t().db))())
    const rows = [...Array.from({ length: 7 }, (_, i) => ({ name: `b${i}` })), { name: 'dup' }]
    const e = left(await pipe(bulkCreate(Tag, rows, { batchSize: 3 }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
    expect(await tags()).toEqual([{ name: 'dup', uses: 0 }])
  })

  it('bulkCreate with ignoreConflicts skips duplicates and returns the rows inserted', async () => {
    right(await pipe(create(Tag, { name: 'b', uses: 9 }), run(t().db))())
    const made = right(
      await pipe(
        bulkCreate(Tag, [{ name: 'a' }, { name: 'b' }, { name: 'c' }], { ignoreConflicts: true, batchSize: 2 }),
        run(t().db),
      )(),
    )
    expect(made.map((r) => r.name).sort()).toEqual(['a', 'c'])
    expect(await tags()).toEqual([
      { name: 'a', uses: 0 },
      { name: 'b', uses: 9 },
      { name: 'c', uses: 0 },
    ])
  })

  it('bulkCreate with ignoreConflicts skips unique conflicts only: a missing foreign key still fails, nothing written', async () => {
    const db = t().db
    const a = right(await pipe(create(Rel.Author, { name: 'a' }), run(db))())
    right(await pipe(create(Rel.Book, { title: 'dup', authorId: a.id }), run(db))())
    const e = left(
      await pipe(
        bulkCreate(
          Rel.Book,
          [
            { title: 'ok', authorId: a.id },
            { title: 'orphan', authorId: a.id + 1000 },
          ],
          { ignoreConflicts: true },
        ),
        run(db),
      )(),
    )
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'foreignKey' })
    expect(right(await pipe(query(Rel.Book), count, run(db))())).toBe(1)
  })

  it('bulkCreate with rows that give different fields returns them in the order given', async () => {
    const made = right(
      await pipe(bulkCreate(Tag, [{ name: 'a' }, { name: 'b', uses: 2 }, { name: 'c' }]), run(t().db))(),
    )
    expect(made.map((r) => [r.name, r.uses])).toEqual([
      ['a', 0],
      ['b', 2],
      ['c', 0],
    ])
    const items = right(
      await pipe(
        bulkCreate(
          Item,
          [{ name: 'i1' }, { name: 'i2', n: 2 }, { name: 'i3' }, { name: 'i4', note: 'x' }, { name: 'i5', n: 5 }],
          { batchSize: 1 },
        ),
        run(t().db),
      )(),
    )
    expect(items.map((r) => [r.name, r.n, r.note])).toEqual([
      ['i1', null, null],
      ['i2', 2, null],
      ['i3', null, null],
      ['i4', null, 'x'],
      ['i5', 5, null],
    ])
  })

  it('update returns the number of rows changed and refreshes autoNow', async () => {
    const a = right(await pipe(create(Tag, { name: 'a' }), run(t().db))())
    right(await pipe(create(Tag, { name: 'b' }), run(t().db))())
    await sleep(5)
    expect(right(await pipe(query(Tag), where({ name: 'a' }), update({ uses: 5 }), run(t().db))())).toBe(1)
    const a2 = right(await pipe(query(Tag), where({ id: a.id }), get, run(t().db))())
    expect(a2.uses).toBe(5)
    expect(a2.touchedAt.getTime()).toBeGreaterThan(a.touchedAt.getTime())
    expect(right(await pipe(query(Tag), update({ uses: 1 }), run(t().db))())).toBe(2)
    expect(right(await pipe(query(Tag), where({ name: 'zzz' }), update({ uses: 1 }), run(t().db))())).toBe(0)
    // an explicit value for an autoNow field wins
    const at = new Date('2001-01-01T00:00:00.000Z')
    right(await pipe(query(Tag), where({ name: 'b' }), update({ touchedAt: at }), run(t().db))())
    expect(right(await pipe(query(Tag), where({ name: 'b' }), get, run(t().db))()).touchedAt.toISOString()).toBe(
      at.toISOString(),
    )
  })

  it('update and remove on plans with limit, offset or distinct touch only the rows the plan returns', async () => {
    const rows = right(
      await pipe(
        bulkCreate(
          Tag,
          Array.from({ length: 10 }, (_, i) => ({ name: `u${i}`, uses: i % 3 })),
        ),
        run(t().db),
      )(),
    )
    const ordered = rows.map((r) => r.name)
    expect(
      right(await pipe(query(Tag), orderBy('name'), offset(2), limit(3), update({ uses: 100 }), run(t().db))()),
    ).toBe(3)
    expect(
      right(await pipe(query(Tag), where({ uses: 100 }), orderBy('name'), valuesFlat('name'), run(t().db))()),
    ).toEqual(ordered.slice(2, 5))
    expect(right(await pipe(query(Tag), orderBy('-name'), limit(2), remove, run(t().db))())).toBe(2)
    expect(right(await pipe(query(Tag), orderBy('name'), valuesFlat('name'), run(t().db))())).toEqual(
      ordered.slice(0, 8),
    )
    expect(right(await pipe(query(Tag), orderBy('name'), offset(6), remove, run(t().db))())).toBe(2)
    expect(right(await pipe(query(Tag), where({ uses: 100 }), distinct, update({ uses: 7 }), run(t().db))())).toBe(3)
    expect(right(await pipe(query(Tag), limit(0), remove, run(t().db))())).toBe(0)
    expect(right(await pipe(query(Tag), count, run(t().db))())).toBe(6)
  })

  it('remove deletes the rows of a plan and returns how many', async () => {
    right(
      await pipe(
        bulkCreate(Tag, [
          { name: 'a', uses: 1 },
          { name: 'b', uses: 2 },
          { name: 'c', uses: 3 },
        ]),
        run(t().db),
      )(),
    )
    expect(right(await pipe(query(Tag), where({ uses__gte: 2 }), remove, run(t().db))())).toBe(2)
    expect(await tags()).toEqual([{ name: 'a', uses: 1 }])
    expect(right(await pipe(query(Tag), where({ uses__gte: 2 }), remove, run(t().db))())).toBe(0)
    expect(right(await pipe(query(Tag), remove, run(t().db))())).toBe(1)
  })

  it('save inserts a row without a key, updates a row with one, inserts a row whose key is new', async () => {
    const made = right(await pipe(save(Tag, { name: 's' }), run(t().db))())
    expect(made).toMatchObject({ name: 's', uses: 0 })
    await sleep(5)
    const saved = right(await pipe(save(Tag, { ...made, uses: 4 }), run(t().db))())
    expect(saved).toMatchObject({ id: made.id, name: 's', uses: 4 })
    expect(saved.touchedAt.getTime()).toBeGreaterThan(made.touchedAt.getTime())
    expect(right(await pipe(query(Tag), count, run(t().db))())).toBe(1)
    const fresh = right(await pipe(save(Tag, { id: 777, name: 'n' }), run(t().db))())
    expect(fresh).toMatchObject({ id: 777, name: 'n' })
    const code = right(await pipe(save(Code, { code: 'C', label: 'x' }), run(t().db))())
    expect(right(await pipe(save(Code, { ...code, label: 'y' }), run(t().db))())).toEqual({ code: 'C', label: 'y' })
    expect(right(await pipe(query(Code), count, run(t().db))())).toBe(1)
  })

  it('getOrCreate returns the existing row or creates one from lookup and defaults', async () => {
    const [a, createdA] = right(await pipe(getOrCreate(Tag, { name: 'g' }, { uses: 3 }), run(t().db))())
    expect([a.name, a.uses, createdA]).toEqual(['g', 3, true])
    const [b, createdB] = right(await pipe(getOrCreate(Tag, { name: 'g' }, { uses: 99 }), run(t().db))())
    expect([b.id, b.uses, createdB]).toEqual([a.id, 3, false])
    expect(right(await pipe(query(Tag), count, run(t().db))())).toBe(1)
  })

  it('getOrCreate of the same row from many callers at once creates it once', async () => {
    const db = t().db
    const results = await Promise.all(
      Array.from({ length: 8 }, () => pipe(getOrCreate(Tag, { name: 'race' }, { uses: 1 }), run(db))()),
    )
    const rows = results.map(right)
    expect(new Set(rows.map(([r]) => r.id)).size).toBe(1)
    expect(rows.filter(([, created]) => created).length).toBe(1)
    expect(right(await pipe(query(Tag), count, run(db))())).toBe(1)
  })

  it('getOrCreate and updateOrCreate inside a transaction: committed with it, or rolled back with it', async () => {
    const db = t().db
    const ok = await transaction(db, (tx) =>
      pipe(
        getOrCreate(Tag, { name: 'tx' }, { uses: 1 }),
        run(tx),
        TE.chainW(() => pipe(getOrCreate(Tag, { name: 'tx' }, { uses: 2 }), run(tx))),
        TE.chainW(([row, created]) => (created ? TE.left('created twice' as const) : TE.right(row))),
        TE.chainW((row) => pipe(updateOrCreate(Tag, { name: 'tx' }, { uses: row.uses + 10 }), run(tx))),
      ),
    )()
    expect(right(ok)[0].uses).toBe(11)
    const rolled = await transaction(db, (tx) =>
      pipe(
        getOrCreate(Tag, { name: 'gone' }),
        run(tx),
        TE.chainW(() => TE.left('stop' as const)),
      ),
    )()
    expect(left(rolled)).toBe('stop')
    // a unique violation inside a nested getOrCreate does not break the outer transaction
    const nested = await transaction(db, (tx) =>
      pipe(
        create(Tag, { name: 'n1' }),
        run(tx),
        TE.chainW(() =>
          pipe(
            updateOrCreate(Tag, { name: 'n2' }, { name: 'n1' }),
            run(tx),
            TE.orElseW(() => TE.right(undefined)),
          ),
        ),
        TE.chainW(() => pipe(getOrCreate(Tag, { name: 'n3' }), run(tx))),
      ),
    )()
    right(nested)
    expect(await tags()).toEqual([
      { name: 'n1', uses: 0 },
      { name: 'n3', uses: 0 },
      { name: 'tx', uses: 11 },
    ])
  })

  it('getOrCreate: MultipleObjectsReturned when the lookup matches several rows', async () => {
    right(
      await pipe(
        bulkCreate(Tag, [
          { name: 'a', uses: 1 },
          { name: 'b', uses: 1 },
        ]),
        run(t().db),
      )(),
    )
    expect(left(await pipe(getOrCreate(Tag, { uses: 1 }), run(t().db))())._tag).toBe('MultipleObjectsReturned')
  })

  it('updateOrCreate updates the matching row with the defaults, or creates it', async () => {
    const [a, c1] = right(await pipe(updateOrCreate(Tag, { name: 'u' }, { uses: 1 }), run(t().db))())
    expect([a.uses, c1]).toEqual([1, true])
    const [b, c2] = right(await pipe(updateOrCreate(Tag, { name: 'u' }, { uses: 2 }), run(t().db))())
    expect([b.id, b.uses, c2]).toEqual([a.id, 2, false])
    expect(await tags()).toEqual([{ name: 'u', uses: 2 }])
  })

  it('writes that break a unique constraint are IntegrityErrors and change nothing', async () => {
    right(await pipe(bulkCreate(Tag, [{ name: 'a' }, { name: 'b' }]), run(t().db))())
    expect(left(await pipe(query(Tag), where({ name: 'b' }), update({ name: 'a' }), run(t().db))())).toMatchObject({
      _tag: 'IntegrityError',
      kind: 'unique',
    })
    expect(left(await pipe(updateOrCreate(Tag, { name: 'b' }, { name: 'a' }), run(t().db))())).toMatchObject({
      _tag: 'IntegrityError',
      kind: 'unique',
    })
    expect((await tags()).map((r) => r.name)).toEqual(['a', 'b'])
  })

  it('a plan can be run twice: defaults are applied at each run', async () => {
    const plan = create(Item, { name: 'twice' })
    const a = right(await pipe(plan, run(t().db))())
    const b = right(await pipe(plan, run(t().db))())
    expect(b.id).not.toBe(a.id)
  })
})
