/**
 * The transaction effect: commit on Right; rollback on Left and on a thrown exception (0 rows
 * left, as in tortoise's example); nested transactions are savepoints; inTransaction
 * for async/await; work outside a transaction never sees its uncommitted writes (on SQLite, one
 * connection, it waits for the transaction to end); a closed database answers with a Left.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Db,
  close,
  connect,
  generateSchemas,
  count,
  create,
  inTransaction,
  query,
  remove,
  run,
  runPromise,
  transaction,
  valuesFlat,
  orderBy,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Tag } from './models'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A fresh handle on the suite's database with a transaction open on it: it has created a tag
 * and holds for 30 ms before committing. Resolves once the tag is written.
 */
const openHolding = async (url: string, name: string) => {
  const db = connect(url)
  right(await generateSchemas(db, [Tag], { safe: true })())
  let inside!: () => void
  const started = new Promise<void>((r) => (inside = r))
  const tx = transaction(db, (txDb) =>
    pipe(
      create(Tag, { name }),
      run(txDb),
      TE.chainW((row) => async () => {
        inside()
        await sleep(30)
        return { _tag: 'Right', right: row } as const
      }),
    ),
  )()
  await started
  return { db, tx }
}

forEachDialect('transactions', [Tag], (t) => {
  beforeEach(() => t().reset())
  const holdTransaction = (name: string) => openHolding(t().url, name)
  const n = async (db: Db = t().db) => right(await pipe(query(Tag), count, run(db))())
  const names = async () => right(await pipe(query(Tag), orderBy('name'), valuesFlat('name'), run(t().db))())

  it('commits when the program returns Right', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'user1' }),
        run(tx),
        TE.chainW(() => pipe(create(Tag, { name: 'user2' }), run(tx))),
      ),
    )()
    expect(right(r).name).toBe('user2')
    expect(await names()).toEqual(['user1', 'user2'])
  })

  it('rolls back when the program returns Left, and returns that Left (0 rows left)', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'user1' }),
        run(tx),
        TE.chainW(() => pipe(create(Tag, { name: 'user2' }), run(tx))),
        TE.chainW((u) =>
          u.name === 'user2' ? TE.left('Something went wrong, rolling back transaction' as const) : TE.right(u),
        ),
      ),
    )()
    expect(left(r)).toBe('Something went wrong, rolling back transaction')
    expect(await n()).toBe(0)
  })

  it('rolls back when the program throws (0 rows left), as a TransactionError holding the cause', async () => {
    const boom = new Error('Something went wrong, rolling back transaction')
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'user1' }),
        run(tx),
        TE.chainW(() => pipe(create(Tag, { name: 'user2' }), run(tx))),
        TE.chainW(() => () => {
          throw boom
        }),
      ),
    )()
    expect(left(r)).toMatchObject({ _tag: 'TransactionError', cause: boom })
    expect(await n()).toBe(0)
  })

  it('rolls back on a database error inside, returning it typed', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'a' }),
        run(tx),
        TE.chainW(() => pipe(create(Tag, { name: 'a' }), run(tx))),
      ),
    )()
    expect(left(r)).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
    expect(await n()).toBe(0)
  })

  it('nested transactions are savepoints: an inner Left rolls back only the inner part', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'outer' }),
        run(tx),
        TE.chainW(() =>
          pipe(
            transaction(tx, (inner) =>
              pipe(
                create(Tag, { name: 'inner' }),
                run(inner),
                TE.chainW(() => TE.left('inner failed' as const)),
              ),
            ),
            TE.orElseW((e) => TE.right(e)),
          ),
        ),
        TE.chainW(() => pipe(create(Tag, { name: 'after' }), run(tx))),
      ),
    )()
    right(r)
    expect(await names()).toEqual(['after', 'outer'])
  })

  it('an inner throw or database error rolls back only the inner part; an inner success commits with the outer', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'outer' }),
        run(tx),
        TE.chainW(() => transaction(tx, (inner) => pipe(create(Tag, { name: 'kept' }), run(inner)))),
        TE.chainW(() =>
          pipe(
            transaction(tx, (inner) =>
              pipe(
                create(Tag, { name: 'thrown' }),
                run(inner),
                TE.chainW(() => () => Promise.reject(new Error('inner boom'))),
              ),
            ),
            TE.orElseW(() => TE.right(undefined)),
          ),
        ),
        TE.chainW(() =>
          pipe(
            transaction(tx, (inner) => pipe(create(Tag, { name: 'outer' }), run(inner))),
            TE.orElseW(() => TE.right(undefined)),
          ),
        ),
        TE.chainW(() => pipe(create(Tag, { name: 'last' }), run(tx))),
      ),
    )()
    right(r)
    expect(await names()).toEqual(['kept', 'last', 'outer'])
  })

  it('an outer rollback also undoes the inner savepoints that succeeded', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        transaction(tx, (inner) => pipe(create(Tag, { name: 'inner' }), run(inner))),
        TE.chainW(() => TE.left('outer failed' as const)),
      ),
    )()
    expect(left(r)).toBe('outer failed')
    expect(await n()).toBe(0)
  })

  it('inTransaction: commits when the function resolves, rolls back and rejects when it throws', async () => {
    const made = await inTransaction(t().db, async (tx) => {
      await runPromise(tx)(create(Tag, { name: 'x' }))
      return runPromise(tx)(create(Tag, { name: 'y' }))
    })
    expect(made.name).toBe('y')
    const boom = new Error('no')
    await expect(
      inTransaction(t().db, async (tx) => {
        await runPromise(tx)(create(Tag, { name: 'user1' }))
        await runPromise(tx)(create(Tag, { name: 'user2' }))
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(await names()).toEqual(['x', 'y'])
    // a typed failure inside rejects with the TerrapinFailure and rolls back too
    await expect(
      inTransaction(t().db, async (tx) => {
        await runPromise(tx)(create(Tag, { name: 'z' }))
        await runPromise(tx)(create(Tag, { name: 'x' }))
      }),
    ).rejects.toMatchObject({ _tag: 'IntegrityError' })
    expect(await names()).toEqual(['x', 'y'])
  })

  it('work outside a transaction never sees its uncommitted writes', async () => {
    const db = t().db
    const seen: number[] = []
    let inside!: () => void
    const written = new Promise<void>((r) => (inside = r))
    const tx = transaction(db, (txDb) =>
      pipe(
        create(Tag, { name: 'uncommitted' }),
        run(txDb),
        TE.chainW(() => async () => {
          inside()
          await sleep(50)
          return { _tag: 'Left', left: 'abort' } as const
        }),
      ),
    )()
    await written
    seen.push(await n())
    expect(left(await tx)).toBe('abort')
    seen.push(await n())
    expect(seen).toEqual([0, 0])
  })

  it('concurrent transactions on one database each commit their own rows', async () => {
    const db = t().db
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        transaction(db, (tx) =>
          pipe(
            create(Tag, { name: `c${i}a` }),
            run(tx),
            TE.chainW(() => async () => (await sleep(5), { _tag: 'Right', right: 1 } as const)),
            TE.chainW(() => pipe(create(Tag, { name: `c${i}b` }), run(tx))),
          ),
        )(),
      ),
    )
    results.forEach(right)
    expect(await n()).toBe(10)
  })

  it('closing a database waits for the open transaction, then its queries return ConnectionError as a Left', async () => {
    const { db, tx } = await holdTransaction('late')
    const closing = close(db)
    expect(right(await tx).name).toBe('late')
    await closing
    const after = left(await pipe(query(Tag), count, run(db))())
    expect(after._tag).toBe('ConnectionError')
    const write = left(await pipe(create(Tag, { name: 'x' }), run(db))())
    expect(write._tag).toBe('ConnectionError')
    const inTx = left(await transaction(db, (d) => pipe(query(Tag), count, run(d)))())
    expect(inTx._tag).toBe('ConnectionError')
    await expect(close(db)).resolves.toBeUndefined()
    if (t().dialect !== 'sqlite') expect(await n()).toBe(1)
  })

  it('closing a database while a query waits for an open transaction lets the query finish first', async () => {
    const { db, tx } = await holdTransaction('tx row')
    // On SQLite this read waits for the transaction; elsewhere it runs on another connection.
    const waiting = pipe(query(Tag), where({ name: 'tx row' }), count, run(db))()
    const closing = close(db)
    right(await tx)
    const seen = right(await waiting)
    expect(t().dialect === 'sqlite' ? [1] : [0, 1]).toContain(seen)
    await closing
    expect(left(await pipe(query(Tag), count, run(db))())._tag).toBe('ConnectionError')
    if (t().dialect !== 'sqlite') right(await pipe(query(Tag), where({ name: 'tx row' }), remove, run(t().db))())
  })

  it('the database handle used inside its own transaction joins it, on every dialect', async () => {
    const r = await transaction(t().db, (tx) =>
      pipe(
        create(Tag, { name: 'inner' }),
        run(tx),
        TE.chainW(() => pipe(query(Tag), count, run(t().db))),
      ),
    )()
    expect(right(r)).toBe(1)
    expect(await n()).toBe(1)
    // a transaction begun on the database inside one is a savepoint of it
    const nested = await transaction(t().db, () =>
      transaction(t().db, (inner) => pipe(query(Tag), count, run(inner))),
    )()
    expect(right(nested)).toBe(1)
  })
})
