/**
 * stream(db): the rows of a plan as an AsyncIterable fetched in batches — the same rows, in
 * the same order, as run; one statement; breaking out early releases the connection; errors
 * are thrown as TerrapinFailure holding the typed error. (Memory is measured in bench/.)
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { TerrapinFailure, annotate, bulkCreate, count, Count, limit, orderBy, query, run, stream, transaction, values, where } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'
import { Author, Book } from './models'

const N = 2345

const collect = async <A>(it: AsyncIterable<A>, max = Infinity): Promise<A[]> => {
  const out: A[] = []
  for await (const x of it) {
    out.push(x)
    if (out.length >= max) break
  }
  return out
}

forEachDialect('stream', [Author, Book], (t) => {
  beforeAll(async () => {
    await t().reset()
    const [a, b] = right(await pipe(bulkCreate(Author, [{ name: 'a' }, { name: 'b' }]), run(t().db))())
    right(
      await pipe(
        bulkCreate(
          Book,
          Array.from({ length: N }, (_, i) => ({ title: `t${i}`, rating: i % 7 ? i / 10 : null, pages: i, authorId: i % 3 ? a.id : b.id })),
        ),
        run(t().db),
      )(),
    )
  })

  it('yields the same rows in the same order as run, in one statement', async () => {
    const plan = pipe(query(Book), where({ pages__gte: 10 }), orderBy('-pages'))
    const all = right(await pipe(plan, run(t().db))())
    t().clearLog()
    const streamed = await collect(pipe(plan, stream(t().db, { batchSize: 500 })))
    expect(streamed).toEqual(all)
    expect(t().log.filter((e) => /^SELECT/.test(e.sql))).toHaveLength(1)
    expect(t().log[t().log.length - 1].rows).toBe(N - 10)
  })

  it('streams projections and annotations, and works inside a transaction', async () => {
    const plan = pipe(query(Author), annotate({ n: Count('books') }), orderBy('name'), values('name', 'n'))
    expect(await collect(pipe(plan, stream(t().db, { batchSize: 1 })))).toEqual(right(await pipe(plan, run(t().db))()))
    const inTx = await transaction(t().db, (tx) =>
      TE.fromTask(async () => (await collect(pipe(query(Book), orderBy('id'), limit(5), stream(tx, { batchSize: 2 })))).map((b) => b.pages)),
    )()
    expect(right(inTx)).toEqual([0, 1, 2, 3, 4])
  })

  it('breaking out early releases the connection for the next statements', async () => {
    for (let i = 0; i < 3; i++) {
      const first = await collect(pipe(query(Book), orderBy('id'), stream(t().db, { batchSize: 100 })), 150)
      expect(first.map((b) => b.pages)).toEqual(Array.from({ length: 150 }, (_, k) => k))
      expect(right(await pipe(query(Book), count, run(t().db))())).toBe(N)
    }
  })

  it('throws TerrapinFailure with the typed error for an invalid plan or a bad batch size', async () => {
    const fail = async (it: AsyncIterable<unknown>): Promise<string> => {
      try {
        await collect(it)
      } catch (e) {
        if (e instanceof TerrapinFailure) return e.error._tag
        throw e
      }
      return 'no error'
    }
    expect(await fail(pipe(query(Book), limit(-1), stream(t().db)))).toBe('ValidationError')
    expect(await fail(pipe(query(Book), stream(t().db, { batchSize: 0 })))).toBe('ValidationError')
  })
})
