/**
 * The terrapin demo: tortoise's Author/Book, on an embedded SQLite file.
 * Run it with `npm start`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  TerrapinFailure,
  bulkCreate,
  closeConnections,
  compile,
  count,
  create,
  exclude,
  first,
  get,
  getOrCreate,
  init,
  inTransaction,
  limit,
  offset,
  orderBy,
  prefetch,
  q,
  query,
  related,
  remove,
  run,
  runAsync,
  runPromise,
  transaction,
  update,
  upgrade,
  values,
  valuesFlat,
  valuesList,
  where,
} from '../src'
import { Author, Book } from './models'

const file = path.join(__dirname, '..', 'demo.sqlite3')
const show = (label: string, value: unknown): void =>
  console.log(`\n${label}\n  ${JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')}`)

const main = async (): Promise<void> => {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true })

  // Tortoise's config shape: connections by name, apps with their models.
  const orm = await init({
    connections: { default: `sqlite://${file}` },
    apps: { models: { models: [Author, Book], defaultConnection: 'default' } },
  })()
  if (E.isLeft(orm)) throw new TerrapinFailure(orm.left)
  const db = orm.right.db()
  const exec = runPromise(db)

  // The schema comes from the committed migration (demo/migrations/models/0_…_init.ts, written
  // by `terrapin init-db`), applied as an application migrates at start-up.
  const migrated = await upgrade({
    db,
    app: 'models',
    models: [Author, Book],
    location: path.join(__dirname, 'migrations'),
  })()
  if (E.isLeft(migrated)) throw new Error(`upgrade failed: ${migrated.left.message}`)
  console.log(`upgraded ${file}: applied ${migrated.right.applied.map((a) => `${a.version} (${a.name})`).join(', ')}`)

  // Create rows.
  const herbert = await exec(create(Author, { name: 'Frank Herbert' }))
  const leguin = await exec(create(Author, { name: 'Ursula K. Le Guin' }))
  show('created', [herbert, leguin])
  await exec(
    bulkCreate(Book, [
      { title: 'Dune', rating: 4.8, authorId: herbert.id },
      { title: 'Dune Messiah', rating: 4.1, authorId: herbert.id },
      { title: 'Children of Dune', rating: null, authorId: herbert.id },
      { title: 'The Left Hand of Darkness', rating: 4.6, authorId: leguin.id },
      { title: 'The Dispossessed', rating: 4.5, authorId: leguin.id },
      { title: 'A Wizard of Earthsea', rating: 4.4, authorId: leguin.id },
    ]),
  )

  // The headline query: a plan built with pure combinators, run as a TaskEither.
  const plan = pipe(query(Book), where({ title__contains: 'x' }))
  console.log('\nthe headline plan compiles to', compile(plan, 'sqlite'))
  const withX = await pipe(plan, run(db))()
  show(
    "where({ title__contains: 'x' })",
    E.map((rows: ReadonlyArray<{ title: string }>) => rows.map((b) => b.title))(withX),
  )
  show(
    "where({ title__contains: 'Dune' }) — case-sensitive",
    (await exec(pipe(query(Book), where({ title__contains: 'Dune' }), valuesList('title')))).flat(),
  )
  show(
    "where({ title__icontains: 'dune' }) — case-insensitive",
    await exec(pipe(query(Book), where({ title__icontains: 'dune' }), count)),
  )

  // Ordering, limit and offset (NULL ratings sort first ascending, last descending).
  show(
    "orderBy('-rating', 'id'), limit(3), offset(1)",
    await exec(pipe(query(Book), orderBy('-rating', 'id'), limit(3), offset(1), values('title', 'rating'))),
  )
  show(
    "q.or({ rating__gte: 4.6 }, { title__startswith: 'Children' })",
    await exec(
      pipe(
        query(Book),
        where(q.or({ rating__gte: 4.6 }, { title__startswith: 'Children' })),
        orderBy('id'),
        valuesList('title'),
      ),
    ),
  )
  show(
    'exclude({ rating__gte: 4.5 }) keeps the unrated book too',
    await exec(pipe(query(Book), exclude({ rating__gte: 4.5 }), orderBy('id'), valuesList('title', 'rating'))),
  )

  // Count, values across a relation, first/get.
  show('count of books by Le Guin', await exec(pipe(query(Book), where({ author__name: 'Ursula K. Le Guin' }), count)))
  show(
    "values('title', 'author__name')",
    await exec(pipe(query(Book), orderBy('id'), limit(2), values('title', 'author__name'))),
  )
  show('first book by rating', await exec(pipe(query(Book), orderBy('-rating'), first)))
  const missing = await pipe(query(Book), where({ title: 'Dune 7' }), get, run(db))()
  show('get of a missing book is a Left', E.isLeft(missing) ? missing.left : missing.right)

  // tortoise's one-to-many example: `author = await Author.get(id=1)`, then
  // `await author.books.all()` through relatedName 'books'.
  const first1 = await exec(pipe(query(Author), where({ id: 1 }), get))
  const hisBooks = await exec(pipe(related(Author, first1, 'books').all, orderBy('id'), valuesFlat('title')))
  show(`related(Author, author, 'books').all for ${first1.name}`, hisBooks)

  // Or load the relation with the rows: one extra query for all authors, never one per author.
  const authors = await exec(pipe(query(Author), orderBy('name'), prefetch('books')))
  for (const a of authors) console.log(`\n${a.name} wrote ${a.books.map((b) => b.title).join(', ')}`)

  // Update and delete return affected row counts.
  show(
    'update({ rating: 5 }) where title = Dune',
    await exec(pipe(query(Book), where({ title: 'Dune' }), update({ rating: 5 }))),
  )
  show('remove books rated under 4.45', await exec(pipe(query(Book), where({ rating__lt: 4.45 }), remove)))
  show('getOrCreate an author', await exec(getOrCreate(Author, { name: 'Frank Herbert' })))

  // Validation happens before any SQL is sent.
  const tooLong = await pipe(create(Author, { name: 'x'.repeat(101) }), run(db))()
  show('a name over maxLength is a ValidationError', E.isLeft(tooLong) ? tooLong.left.message : 'written?!')
  const duplicate = await pipe(create(Author, { name: 'Frank Herbert' }), run(db))()
  show(
    'a duplicate name is an IntegrityError',
    E.isLeft(duplicate)
      ? { tag: duplicate.left._tag, kind: duplicate.left._tag === 'IntegrityError' ? duplicate.left.kind : undefined }
      : 'written?!',
  )

  // A transaction that commits…
  const committed = await transaction(db, (tx) =>
    pipe(
      create(Author, { name: 'Isaac Asimov' }),
      run(tx),
      TE.chain((a) => pipe(create(Book, { title: 'Foundation', rating: 4.3, authorId: a.id }), run(tx))),
    ),
  )()
  show('transaction that commits', E.isRight(committed) ? committed.right.title : committed.left)

  // …and one that rolls back, as in tortoise's example: the error undoes both creates.
  const before = await exec(pipe(query(Author), count))
  try {
    await inTransaction(db, async (tx) => {
      await runPromise(tx)(create(Author, { name: 'user1' }))
      await runPromise(tx)(create(Author, { name: 'user2' }))
      throw new Error('Something went wrong, rolling back transaction')
    })
  } catch (e) {
    console.log(`\ntransaction that throws: ${(e as Error).message}`)
  }
  const after = await exec(pipe(query(Author), count))
  show('authors before and after the rolled-back transaction', { before, after })

  const rolledBack = await transaction(db, (tx) =>
    pipe(
      create(Author, { name: 'user3' }),
      run(tx),
      TE.chainW(() => TE.left('changed my mind' as const)),
    ),
  )()
  show('transaction whose program returns a Left', rolledBack)
  show('user3 exists?', await exec(pipe(query(Author), where({ name: 'user3' }), count)))
}

runAsync(main)
  .then(() => console.log('\ndone; connections closed'))
  .catch((e) => {
    console.error(e)
    process.exitCode = 1
  })
  .finally(() => closeConnections())
