/**
 * `runSync(db)`: a plan of one statement (raw `sql` included) run at once on SQLite's synchronous driver, as an
 * IOEither. It gives what `run(db)` gives for the same plan (rows, counts, errors), refuses with
 * a Left and sends nothing where it would have to wait (another dialect, a plan of several
 * statements, a database held by another task's transaction, a transaction that has ended),
 * and leaves nothing half-written behind a failure.
 */
import * as E from 'fp-ts/Either'
import * as io from 'io-ts'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  Count,
  Plan,
  Runnable,
  TerrapinError,
  annotate,
  bind,
  bindEach,
  bulkCreate,
  bulkUpdate,
  count,
  create,
  exists,
  first,
  get,
  getOrCreate,
  getOrNone,
  groupBy,
  orderBy,
  param,
  prefetch,
  prepare,
  query,
  remove,
  rowsOf,
  run,
  runSync,
  sql,
  transaction,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { DialectContext, forEachDialect, left, right } from '../support/dialects'
import { Rel, Tag } from './models'

const { Author, Book } = Rel

const helpers = (t: () => DialectContext) => ({
  sync: <A>(plan: Runnable<A>): E.Either<TerrapinError, A> => runSync(t().db)(plan)(),
  task: async <A>(plan: Runnable<A>): Promise<E.Either<TerrapinError, A>> => run(t().db)(plan)(),
})

forEachDialect(
  'runSync',
  [Tag, Author, Book],
  (t) => {
    beforeEach(() => t().reset())
    const { sync, task } = helpers(t)
    const seed = async () => {
      const a = right(await task(create(Author, { name: 'Ann' })))
      const b = right(await task(create(Author, { name: 'Bo' })))
      for (const [title, author] of [
        ['x1', a],
        ['x2', a],
        ['y1', b],
      ] as const)
        right(await task(create(Book, { title, authorId: author.id })))
      return { a, b }
    }

    it('gives what run gives, for every kind of one-statement read', async () => {
      const { a } = await seed()
      const plans: ReadonlyArray<Plan<unknown>> = [
        pipe(query(Book), orderBy('title')),
        pipe(query(Book), where({ title__startswith: 'x' }), orderBy('-title')),
        pipe(query(Book), where({ author__name: 'Bo' }), values('title', 'authorId')),
        pipe(query(Book), orderBy('title'), valuesFlat('title')),
        pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }), orderBy('authorId'), values('authorId', 'n')),
        pipe(query(Book), where({ title: 'x1' }), get),
        pipe(query(Book), where({ title: 'none' }), getOrNone),
        pipe(query(Book), orderBy('-title'), first),
        pipe(query(Book), where({ authorId: a.id }), count),
        pipe(query(Book), where({ title: 'none' }), exists),
      ]
      for (const plan of plans) expect(sync(plan)).toEqual(await task(plan))
    })

    it('writes: an insert of one row, an update and a delete, each seen by run afterwards', async () => {
      const { a } = await seed()
      const made = right(sync(create(Tag, { name: 'one', uses: 2 })))
      expect(made).toMatchObject({ name: 'one', uses: 2 })
      expect(right(await task(pipe(query(Tag), where({ id: made.id }), get)))).toEqual(made)
      expect(right(sync(pipe(query(Book), where({ authorId: a.id }), update({ title: 'z' }))))).toBe(2)
      expect(right(await task(pipe(query(Book), where({ title: 'z' }), count)))).toBe(2)
      expect(right(sync(pipe(query(Book), where({ title: 'z' }), remove)))).toBe(2)
      expect(right(await task(pipe(query(Book), count)))).toBe(1)
    })

    it('runs raw sql: rows through their codec, a write as its count, a bad row as a DecodeError', async () => {
      const { a } = await seed()
      const Row = io.type({ title: io.string, author_id: io.number })
      const read = pipe(
        sql`SELECT title, author_id FROM core_book WHERE author_id = ${a.id} ORDER BY title`,
        rowsOf(Row),
      )
      expect(right(sync(read))).toEqual([
        { title: 'x1', author_id: a.id },
        { title: 'x2', author_id: a.id },
      ])
      expect(sync(read)).toEqual(await task(read))
      const bad = pipe(sql`SELECT title FROM core_book ORDER BY title`, rowsOf(Row))
      expect(left(sync(bad))).toEqual(left(await task(bad)))
      expect(left(sync(bad))._tag).toBe('DecodeError')
      const broken = sql`SELECT nope FROM core_book`
      expect(left(sync(broken))).toMatchObject({ _tag: 'QueryError', sql: 'SELECT nope FROM core_book' })
      expect(right(sync(sql`DELETE FROM core_book WHERE title = ${'y1'}`))).toBe(1)
      expect(right(await task(pipe(query(Book), count)))).toBe(2)
    })

    it('runs prepared plans bound to values, and refuses a bad binding without sending SQL', async () => {
      await seed()
      const byTitle = prepare(pipe(query(Book), where({ title: param('title') }), get))
      expect(right(sync(pipe(byTitle, bind({ title: 'y1' })))).title).toBe('y1')
      const rename = prepare(pipe(query(Book), where({ title: param('from') }), update({ title: param('to') })))
      expect(right(sync(pipe(rename, bind({ from: 'y1', to: 'y2' }))))).toBe(1)
      t().clearLog()
      expect(left(sync(pipe(rename, bind({ from: 'y2' } as never))))._tag).toBe('ValidationError')
      expect(left(sync(pipe(rename, bind({ from: 'y2', to: 7 as never }))))._tag).toBe('ValidationError')
      expect(t().log).toEqual([])
      expect(right(await task(pipe(query(Book), where({ title: 'y2' }), count)))).toBe(1)
    })

    it('returns the typed errors run returns: not found, a unique violation, a foreign key, bad input', async () => {
      await seed()
      right(await task(create(Tag, { name: 'dup' })))
      const plans: ReadonlyArray<Plan<unknown>> = [
        pipe(query(Book), where({ title: 'none' }), get),
        pipe(query(Book), get),
        create(Tag, { name: 'dup' }),
        create(Book, { title: 'orphan', authorId: 999 }),
        create(Tag, { name: 'x'.repeat(21) }),
      ]
      const tags = ['DoesNotExist', 'MultipleObjectsReturned', 'IntegrityError', 'IntegrityError', 'ValidationError']
      for (const [i, plan] of plans.entries()) {
        const e = left(sync(plan))
        expect(e._tag).toBe(tags[i])
        expect(e).toEqual(left(await task(plan)))
      }
      // nothing half-written
      expect(right(await task(pipe(query(Book), count)))).toBe(3)
      expect(right(await task(pipe(query(Author), count)))).toBe(2)
      expect(right(await task(pipe(query(Tag), count)))).toBe(1)
    })

    it('runs a read with prefetch levels at once: the rows run gives, one statement per level', async () => {
      await seed()
      const plans: ReadonlyArray<Plan<unknown>> = [
        pipe(query(Author), orderBy('name'), prefetch('books')),
        pipe(query(Book), orderBy('title'), prefetch('author__books')),
        pipe(query(Author), where({ name: 'Bo' }), prefetch('books__author'), get),
        pipe(query(Author), where({ name: 'nobody' }), prefetch('books'), first),
      ]
      for (const plan of plans) {
        t().clearLog()
        const now = right(sync(plan))
        const statements = t().log.length
        expect(now).toEqual(right(await task(plan)))
        expect(t().log.length).toBe(2 * statements)
      }
      const nested = right(sync(plans[1])) as ReadonlyArray<{
        title: string
        author: { name: string; books: ReadonlyArray<{ title: string }> }
      }>
      expect(nested.map((b) => `${b.title}:${b.author.name}:${b.author.books.map((x) => x.title).join('+')}`)).toEqual([
        'x1:Ann:x1+x2',
        'x2:Ann:x1+x2',
        'y1:Bo:y1',
      ])
    })

    it('refuses plans that wait between statements, naming why, and sends nothing', async () => {
      const { a } = await seed()
      const add = prepare(create(Tag, { name: param('name') }))
      const refused: ReadonlyArray<readonly [Runnable<unknown>, string]> = [
        [bulkCreate(Tag, [{ name: 'p' }, { name: 'q' }]), 'bulk insert'],
        [getOrCreate(Tag, { name: 'g' }), 'getOrCreate'],
        [bulkUpdate(Book, [{ id: 1, title: 'w' }], ['title']), 'bulk update'],
        [pipe(add, bindEach([{ name: 'p' }])), 'bindEach'],
      ]
      t().clearLog()
      for (const [plan, why] of refused) {
        const e = left(sync(plan))
        expect(e._tag).toBe('ConfigurationError')
        expect(e.message).toContain(why)
        expect(e.message).toContain('run(db)')
      }
      expect(t().log).toEqual([])
      expect(right(await task(pipe(query(Book), where({ authorId: a.id }), count)))).toBe(2)
      expect(right(await task(pipe(query(Tag), count)))).toBe(0)
    })

    it('inside a transaction: sees its uncommitted rows, rolls back with it, and is refused once it has ended', async () => {
      let kept: Parameters<typeof runSync>[0] | undefined
      let seenInside: E.Either<TerrapinError, number> | undefined
      const out = await transaction(t().db, (tx) => {
        kept = tx
        const made = runSync(tx)(create(Tag, { name: 'in-tx' }))()
        const seen = runSync(tx)(pipe(query(Tag), where({ name: 'in-tx' }), count))()
        seenInside = seen
        return pipe(
          TE.fromEither(E.sequenceArray<TerrapinError, unknown>([made, seen])),
          TE.chain(() => TE.left<TerrapinError>({ _tag: 'ValidationError', message: 'roll back', issues: [] })),
        )
      })()
      expect(left(out).message).toBe('roll back')
      expect(seenInside).toEqual(E.right(1))
      expect(right(await task(pipe(query(Tag), count)))).toBe(0)
      const after = left(runSync(kept!)(pipe(query(Tag), count))())
      expect(after._tag).toBe('TransactionError')
      expect(after.message).toContain('has ended')
    })

    it("refuses with a retryable busy error while another task's transaction holds the database", async () => {
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let started!: () => void
      const inside = new Promise<void>((r) => (started = r))
      const tx = transaction(t().db, (txDb) =>
        pipe(
          create(Tag, { name: 'held' }),
          run(txDb),
          TE.chainFirst(() => async () => {
            started()
            await held
            return E.right(undefined)
          }),
        ),
      )()
      await inside
      t().clearLog()
      const busy = left(sync(pipe(query(Tag), count)))
      expect(busy).toMatchObject({ _tag: 'QueryError', code: 'SQLITE_BUSY', retryable: true })
      expect(t().log).toEqual([])
      release()
      right(await tx)
      expect(right(sync(pipe(query(Tag), count)))).toBe(1)
    })

    it("the database's own handle inside its transaction joins it, as run does", async () => {
      const out = await transaction(t().db, () =>
        pipe(
          TE.fromEither(sync(create(Tag, { name: 'joined' }))),
          TE.chain(() => TE.fromEither(sync(pipe(query(Tag), count)))),
          TE.chainW((n) => TE.left(`undo ${n}`)),
        ),
      )()
      expect(left(out)).toBe('undo 1')
      expect(right(sync(pipe(query(Tag), count)))).toBe(0)
    })
  },
  {},
  ['sqlite'],
)

forEachDialect('runSync on each dialect', [Tag], (t) => {
  beforeEach(() => t().reset())
  const { sync, task } = helpers(t)
  it('runs at once on SQLite; on a server it is a ConfigurationError and sends nothing', async () => {
    const plans: ReadonlyArray<Plan<unknown>> = [
      create(Tag, { name: 'x' }),
      pipe(query(Tag), update({ uses: 1 })),
      pipe(query(Tag), count),
    ]
    t().clearLog()
    if (t().dialect === 'sqlite') {
      expect(plans.map((p) => right(sync(p)))).toEqual([expect.objectContaining({ name: 'x' }), 1, 1])
      expect(t().log).toHaveLength(3)
      return
    }
    for (const plan of plans) {
      const e = left(sync(plan))
      expect(e._tag).toBe('ConfigurationError')
      expect(e.message).toContain(`on ${t().dialect}, use run(db)`)
    }
    expect(t().log).toEqual([])
    expect(right(await task(pipe(query(Tag), count)))).toBe(0)
  })
})
