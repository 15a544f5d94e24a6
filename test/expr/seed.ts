/** Shared data of the expression suites, and the JS model of it the expectations come from. */
export interface AuthorSeed {
  readonly name: string
  readonly nick: string | null
}
export interface BookSeed {
  readonly title: string
  readonly rating: number | null
  readonly pages: number
  /** Decimal text; values like 9.50 and 10.25 sort differently as text and by value. */
  readonly price: string | null
  readonly author: string
}

export const AUTHORS: ReadonlyArray<AuthorSeed> = [
  { name: 'Ada', nick: 'countess' },
  { name: 'Émile', nick: null },
  { name: 'ñandú', nick: 'Bird' },
  { name: ' Zoë ', nick: null },
  { name: 'Ulysses', nick: 'U😀' },
  { name: 'Kurt', nick: null },
  { name: 'ẞig Ǆ', nick: 'ÀÉÎ' },
]

// Author i writes i % 4 books; ratings include NULLs and repeats (for distinct).
export const BOOKS: ReadonlyArray<BookSeed> = AUTHORS.flatMap((a, i) =>
  Array.from({ length: i % 4 }, (_, j) => ({
    title: `${a.name.trim()} ${j}`,
    rating: (i + j) % 3 === 0 ? null : ((i * 3 + j * 2) % 5) + 0.5,
    pages: 100 * (j + 1) + i,
    price: (i + j) % 4 === 1 ? null : ((((i * 7 + j * 13) % 23) * 125) / 100 + (j % 2 ? 0 : 0.05)).toFixed(2),
    author: a.name,
  })),
)

export const booksOf = (name: string): ReadonlyArray<BookSeed> => BOOKS.filter((b) => b.author === name)

const ratings = (bs: ReadonlyArray<BookSeed>): number[] =>
  bs.map((b) => b.rating).filter((r): r is number => r !== null)

export const sum = (xs: ReadonlyArray<number>): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0)
export const avg = (xs: ReadonlyArray<number>): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length

/** Aggregates of an author's books, as the database should compute them. */
export const stats = (name: string) => {
  const bs = booksOf(name)
  const rs = ratings(bs)
  return {
    n: bs.length,
    rated: rs.length,
    distinctRatings: new Set(rs).size,
    sum: sum(rs),
    avg: avg(rs),
    min: rs.length ? Math.min(...rs) : null,
    max: rs.length ? Math.max(...rs) : null,
    maxPages: bs.length ? Math.max(...bs.map((b) => b.pages)) : null,
  }
}

/** Code-point order, as every dialect sorts text. */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
