/**
 * Row locks and EXPLAIN: selectForUpdate blocks, fails fast (nowait) or skips (skipLocked)
 * rows another transaction holds on PostgreSQL and MySQL; SQLite, which has no row locks, holds
 * the database's write lock from BEGIN instead, so a reader for update waits there too. explain
 * shows a plan and executes nothing.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  bulkCreate,
  explain,
  orderBy,
  query,
  run,
  selectForUpdate,
  transaction,
  update,
  valuesFlat,
  where,
  limit,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author } from './models'

forEachDialect('locks', [Author], (t) => {
  let ids: number[] = []
  beforeAll(async () => {
    await t().reset()
    ids = right(
      await pipe(
        bulkCreate(
          Author,
          ['a', 'b', 'c'].map((name) => ({ name })),
        ),
        run(t().db),
      )(),
    ).map((r) => r.id)
  })

  /** Runs `inside` while another transaction holds a FOR UPDATE lock on the first row. */
  const whileLocked = async <A>(inside: () => Promise<A>): Promise<A> => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = transaction(t().db, (tx) =>
      pipe(
        query(Author),
        where({ id: ids[0] }),
        selectForUpdate(),
        run(tx),
        TE.chain(() =>
          TE.fromTask(async () => {
            locked()
            await held
          }),
        ),
      ),
    )()
    await isLocked
    try {
      return await inside()
    } finally {
      release()
      right(await holder)
    }
  }

  it('selectForUpdate: nowait fails at once, skipLocked leaves the locked row out (PostgreSQL, MySQL); SQLite reads every row', async () => {
    const plan = pipe(query(Author), orderBy('id'), selectForUpdate({ nowait: true }))
    if (t().dialect === 'sqlite') {
      // no row locks: the transaction holds the whole database, and no other one can hold a row
      expect(right(await transaction(t().db, (tx) => pipe(plan, valuesFlat('id'), run(tx)))())).toEqual(ids)
      expect(right(await pipe(plan, valuesFlat('id'), run(t().db))())).toEqual(ids)
      return
    }
    const nowait = await whileLocked(() => transaction(t().db, (tx) => pipe(plan, run(tx)))())
    expect(left(nowait)._tag).toBe('QueryError')
    const skipped = await whileLocked(() =>
      transaction(t().db, (tx) =>
        pipe(query(Author), orderBy('id'), selectForUpdate({ skipLocked: true }), valuesFlat('id'), run(tx)),
      )(),
    )
    expect(right(skipped)).toEqual(ids.slice(1))
    // without the other transaction, every row is read and locked
    expect(right(await transaction(t().db, (tx) => pipe(plan, valuesFlat('id'), run(tx)))())).toEqual(ids)
  })

  it('selectForUpdate waits for the holder by default, then reads its committed write', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = transaction(t().db, (tx) =>
      pipe(
        query(Author),
        where({ id: ids[1] }),
        selectForUpdate(),
        run(tx),
        TE.chain(() => pipe(query(Author), where({ id: ids[1] }), update({ nick: 'held' }), run(tx))),
        TE.chain(() =>
          TE.fromTask(async () => {
            locked()
            await held
          }),
        ),
      ),
    )()
    await isLocked
    const waiter = transaction(t().db, (tx) =>
      pipe(query(Author), where({ id: ids[1] }), selectForUpdate(), valuesFlat('nick'), run(tx)),
    )()
    setTimeout(release, 200)
    right(await holder)
    expect(right(await waiter)).toEqual(['held'])
  })

  it('rejects nowait together with skipLocked', async () => {
    expect(
      left(await pipe(query(Author), selectForUpdate({ nowait: true, skipLocked: true }), run(t().db))())._tag,
    ).toBe('ValidationError')
  })

  it('explain describes a read and a write without executing them', async () => {
    const read = right(await pipe(query(Author), where({ name: 'a' }), limit(1), explain(t().db))())
    expect(read.length).toBeGreaterThan(0)
    expect(read).toMatch(/t0|x_author/)
    const write = right(await pipe(query(Author), update({ nick: 'explained' }), explain(t().db))())
    expect(write.length).toBeGreaterThan(0)
    expect(right(await pipe(query(Author), where({ nick: 'explained' }), valuesFlat('id'), run(t().db))())).toEqual([])
    expect(left(await pipe(query(Author), limit(-1), explain(t().db))())._tag).toBe('ValidationError')
  })
})
