/**
 * A books catalogue on SQLite: models, creating rows, filters, relations loaded with prefetch,
 * aggregates and a transaction. Run it from the repository's root:
 *
 *   npx tsx examples/books-catalogue/main.ts             # an in-memory database
 *   npx tsx examples/books-catalogue/main.ts books.db    # or a file
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  Avg,
  Count,
  Max,
  TerrapinFailure,
  annotate,
  bulkCreate,
  close,
  connect,
  count,
  create,
  exclude,
  generateSchemas,
  groupBy,
  orderBy,
  prefetch,
  q,
  query,
  related,
  run,
  runPromise,
  transaction,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { Author, Book, Tag } from './models'

/** What the catalogue found, for the test that runs it. */
export interface Summary {
  readonly books: number
  readonly authorsWithBooks: ReadonlyArray<string>
  readonly committed: boolean
  readonly rolledBack: string
}

export const main = async (
  file = ':memory:',
  log: (line: string) => void = (line) => console.log(line),
): Promise<Summary> => {
  const db = connect(`sqlite://${file}`)
  const exec = runPromise(db)
  try {
    // The tables, in dependency order, with the link table of Book.tags.
    const made = await generateSchemas(db, [Author, Book, Tag], { safe: true })()
    if (E.isLeft(made)) throw new TerrapinFailure(made.left)

    // Create: one row at a time (the stored row comes back, key included), or many at once.
    const herbert = await exec(create(Author, { name: 'Frank Herbert', born: 1920 }))
    const leguin = await exec(create(Author, { name: 'Ursula K. Le Guin', born: 1929 }))
    const banks = await exec(create(Author, { name: 'Iain M. Banks' }))
    const [scifi, fantasy, classic] = await exec(
      bulkCreate(Tag, [{ name: 'science fiction' }, { name: 'fantasy' }, { name: 'classic' }]),
    )
    const books = await exec(
      bulkCreate(Book, [
        { title: 'Dune', year: 1965, rating: 4.8, price: '9.99', authorId: herbert.id },
        { title: 'Dune Messiah', year: 1969, rating: 4.1, price: '8.50', authorId: herbert.id },
        { title: 'Children of Dune', year: 1976, price: '8.50', authorId: herbert.id },
        { title: 'A Wizard of Earthsea', year: 1968, rating: 4.4, price: '7.25', authorId: leguin.id },
        { title: 'The Left Hand of Darkness', year: 1969, rating: 4.6, price: '10.00', authorId: leguin.id },
        { title: 'The Dispossessed', year: 1974, rating: 4.5, price: '11.00', authorId: leguin.id },
      ]),
    )
    log(`created ${books.length} books by 3 authors (${banks.name} has none yet)`)

    // Many-to-many links: a manager per row, each operation a plan.
    const [dune, messiah, children, earthsea, leftHand, dispossessed] = books
    for (const b of [dune, messiah, children, leftHand, dispossessed]) await exec(related(Book, b, 'tags').add(scifi))
    await exec(related(Book, earthsea, 'tags').add(fantasy, classic))
    await exec(related(Book, dune, 'tags').add(classic))

    // Filters: Django's lookups, q.or / q.not, exclude, and conditions across relations.
    const dunes = await exec(pipe(query(Book), where({ title__icontains: 'dune' }), valuesFlat('title')))
    log(`title contains "dune": ${dunes.join(', ')}`)
    const sixties = await exec(pipe(query(Book), where({ year__range: [1960, 1969] }), valuesFlat('title')))
    log(`published in the sixties: ${sixties.join(', ')}`)
    const goodOrCheap = await exec(
      pipe(
        query(Book),
        where(q.or({ rating__gte: 4.6 }, { price__lt: '8.00' })),
        orderBy('title'),
        valuesFlat('title'),
      ),
    )
    log(`rated 4.6 or more, or under 8.00: ${goodOrCheap.join(', ')}`)
    const notTop = await exec(pipe(query(Book), exclude({ rating__gte: 4.5 }), valuesFlat('title')))
    log(`not rated 4.5 or more (unrated included): ${notTop.join(', ')}`)
    const byLeGuin = await exec(pipe(query(Book), where({ author__name__startswith: 'Ursula' }), count))
    log(`books by an author whose name starts with Ursula: ${byLeGuin}`)
    const fantasyAuthors = await exec(pipe(query(Author), where({ books__tags__name: 'fantasy' }), valuesFlat('name')))
    log(`authors of a fantasy book: ${fantasyAuthors.join(', ')}`)

    // Relations with prefetch: one query per level, never one per row.
    const authors = await exec(pipe(query(Author), prefetch('books__tags')))
    for (const a of authors)
      log(
        `${a.name}: ${a.books.length ? a.books.map((b) => `${b.title} [${b.tags.map((t) => t.name).join(', ')}]`).join('; ') : 'no books'}`,
      )

    // Aggregates: per row over a relation (annotate), or per group (groupBy).
    const stats = await exec(
      pipe(
        query(Author),
        annotate({ n: Count('books'), mean: Avg('books__rating') }),
        where({ n__gte: 1 }),
        orderBy('-n', 'name'),
        values('name', 'n', 'mean'),
      ),
    )
    for (const s of stats) log(`${s.name}: ${s.n} books, mean rating ${s.mean === null ? '-' : s.mean.toFixed(2)}`)
    const perYear = await exec(
      pipe(query(Book), groupBy('year'), annotate({ n: Count(), best: Max('rating') }), orderBy('year')),
    )
    log(`books per year: ${perYear.map((y) => `${y.year}: ${y.n}`).join(', ')}`)

    // A transaction: a new book and its tag are written together, or not at all.
    const published = await transaction(db, (tx) =>
      pipe(
        create(Book, { title: 'Consider Phlebas', year: 1987, rating: 4.0, price: '12.00', authorId: banks.id }),
        run(tx),
        TE.chain((b) => pipe(related(Book, b, 'tags').add(scifi), run(tx))),
      ),
    )()
    log(`publishing Consider Phlebas: ${E.isRight(published) ? 'committed' : published.left._tag}`)

    // One that fails half-way rolls back: the tag name is unique, so the second create is refused.
    const failed = await transaction(db, (tx) =>
      pipe(
        create(Book, { title: 'The Player of Games', year: 1988, price: '12.00', authorId: banks.id }),
        run(tx),
        TE.chain(() => pipe(create(Tag, { name: 'science fiction' }), run(tx))),
      ),
    )()
    const rolledBack = E.isLeft(failed) ? failed.left._tag : 'committed'
    const player = await exec(pipe(query(Book), where({ title: 'The Player of Games' }), count))
    log(`publishing The Player of Games with a duplicate tag: ${rolledBack}, books with that title: ${player}`)

    const total = await exec(pipe(query(Book), count))
    log(`catalogue: ${total} books`)
    const withBooks = await exec(pipe(query(Author), where({ books__id__isnull: false }), valuesFlat('name')))
    return { books: total, authorsWithBooks: withBooks, committed: E.isRight(published), rolledBack }
  } finally {
    await close(db)
  }
}

if (require.main === module)
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
