/**
 * The benchmark's data: 1,000 authors and 10,000 books, generated from a fixed seed so every
 * run and every library sees the same rows, and the inputs each workload's i-th call uses.
 */

export const AUTHORS = 1000
export const BOOKS = 10000

/** A small deterministic PRNG (mulberry32). */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const WORDS = [
  'tide',
  'stone',
  'river',
  'night',
  'garden',
  'winter',
  'harbour',
  'glass',
  'silver',
  'forest',
  'echo',
  'lantern',
  'paper',
  'shadow',
  'ember',
  'orchard',
]

/** The search terms of the filtered list (each matches a few hundred titles). */
export const TERMS = ['river', 'glass', 'ember', 'orchard', 'night', 'paper']

export interface AuthorRow {
  readonly id: number
  readonly name: string
}

export interface BookRow {
  readonly id: number
  readonly title: string
  readonly rating: number | null
  readonly publishedAt: Date
  readonly authorId: number
}

export type NewBook = Omit<BookRow, 'id'>

const BASE = Date.UTC(2001, 0, 1)

export const authors = (): AuthorRow[] =>
  Array.from({ length: AUTHORS }, (_, i) => ({ id: i + 1, name: `author ${i + 1}` }))

export const books = (): BookRow[] => {
  const r = rng(7)
  return Array.from({ length: BOOKS }, (_, i) => {
    const words = Array.from({ length: 3 }, () => WORDS[Math.floor(r() * WORDS.length)])
    const rating = r() < 0.1 ? null : Math.round(r() * 50) / 10
    return {
      id: i + 1,
      title: `the ${words.join(' ')} ${i + 1}`,
      rating,
      publishedAt: new Date(BASE + Math.floor(r() * 20 * 365 * 86400) * 1000 + (i % 1000)),
      authorId: (i % AUTHORS) + 1,
    }
  })
}

/** A new book for the i-th insert. */
export const newBook = (i: number): NewBook => ({
  title: `new book ${i}`,
  rating: (i % 50) / 10,
  publishedAt: new Date(BASE + i * 1000),
  authorId: (i % AUTHORS) + 1,
})

/** 1,000 new books for the i-th bulk insert. */
export const newBooks = (i: number): NewBook[] => Array.from({ length: 1000 }, (_, j) => newBook(i * 1000 + j))

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: terrapin's storage of datetimes on SQLite. */
export const utcText = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 23)

/**
 * The inverse of `utcText`, the fastest correct way a hand-written reader has: the text is the
 * one `utcText` wrote (`YYYY-MM-DD HH:MM:SS.mmm`), read digit by digit into `Date.UTC`, without
 * the string copies and the date-string parse of `new Date(…)`. The raw SQLite baseline and the
 * peers that get text from the driver all read datetimes with it.
 */
export const parseUtc = (s: string): Date => {
  const year = num(s, 0, 4)
  const at = new Date(
    Date.UTC(year, num(s, 5, 2) - 1, num(s, 8, 2), num(s, 11, 2), num(s, 14, 2), num(s, 17, 2), num(s, 20, 3)),
  )
  // Date.UTC reads years 0-99 as 1900-1999
  if (year < 100) at.setUTCFullYear(year)
  return at
}

/** The number written in `n` digits at `i` (a function of the module, not a closure made per call). */
const num = (s: string, i: number, n: number): number => {
  let v = 0
  for (let k = i; k < i + n; k++) v = v * 10 + s.charCodeAt(k) - 48
  return v
}

/** The long-list workloads' tables: 20,000 owners with 5 items each (100,000 items). */
export const OWNERS = 20000
export const ITEMS = 100000

export interface OwnerRow {
  readonly id: number
  readonly name: string
}

export interface ItemRow {
  readonly id: number
  readonly name: string
  readonly ownerId: number
}

export const owners = (): OwnerRow[] =>
  Array.from({ length: OWNERS }, (_, i) => ({ id: i + 1, name: `owner ${i + 1}` }))

/** Item i belongs to owner `i % OWNERS`: an owner's items are spread over the table, not side by side. */
export const items = (): ItemRow[] =>
  Array.from({ length: ITEMS }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, ownerId: (i % OWNERS) + 1 }))

/**
 * `n` distinct item ids (a step coprime with `ITEMS` from a start that moves with `i`), about one
 * in ten past the last item so that a list also holds values that match nothing.
 */
const itemIds = (i: number, n: number): number[] => {
  const start = (i * 7919) % ITEMS
  return Array.from({ length: n }, (_, k) => ((start + k * 7) % (ITEMS + ITEMS / 10)) + 1)
}

// ------------------------------------------------------------------------------------------
// inputs of the i-th call of each workload (all libraries get the same)
// ------------------------------------------------------------------------------------------

export const input = {
  pointSelect: (i: number) => ({ id: ((i * 7919) % BOOKS) + 1 }),
  filteredList: (i: number) => ({ term: TERMS[i % TERMS.length], minRating: (i % 3) + 2 }),
  relationLoad: (i: number) => ({ after: (i * 20) % (AUTHORS - 20) }),
  groupedAggregate: (i: number) => ({ lo: ((i * 50) % (AUTHORS - 50)) + 1, hi: ((i * 50) % (AUTHORS - 50)) + 50 }),
  update: (i: number) => ({ authorId: (i % AUTHORS) + 1, rating: (i % 50) / 10 }),
  /** The authors with the most books whose title contains a term (the count decides, then the id). */
  aggregateTop: (i: number) => ({ term: TERMS[i % TERMS.length] }),
  inList100: (i: number) => ({ ids: itemIds(i, 100) }),
  inList10k: (i: number) => ({ ids: itemIds(i, 10000) }),
  inList70k: (i: number) => ({ ids: itemIds(i, 70000) }),
  nameIn2k: (i: number) => ({ names: itemIds(i, 2000).map((id) => `item ${id}`) }),
  prefetch1k: (i: number) => ({ after: (i * 997) % (OWNERS - 1000), n: 1000 }),
  prefetch10k: (i: number) => ({ after: (i * 997) % (OWNERS - 10000), n: 10000 }),
}

/** Each owner with its items (in the items' order): the long prefetch's result. */
export const withItems = (
  os: ReadonlyArray<OwnerRow>,
  is: ReadonlyArray<ItemRow>,
): Array<OwnerRow & { items: ItemRow[] }> => {
  const by = new Map<number, ItemRow[]>(os.map((o) => [o.id, []]))
  for (const x of is) by.get(x.ownerId)!.push(x)
  return os.map((o) => ({ ...o, items: by.get(o.id)! }))
}
