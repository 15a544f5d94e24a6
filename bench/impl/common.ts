/** Small pieces every library's implementation uses the same way. */
import { AuthorRow, BookRow, ItemRow, OwnerRow } from '../data'

/** Each author with its books (in the books' order): the relation load's result. */
export const withBooks = (
  as: ReadonlyArray<AuthorRow>,
  bs: ReadonlyArray<BookRow>,
): Array<AuthorRow & { books: BookRow[] }> => {
  const by = new Map<number, BookRow[]>(as.map((a) => [a.id, []]))
  for (const b of bs) by.get(b.authorId)!.push(b)
  return as.map((a) => ({ ...a, books: by.get(a.id)! }))
}

/** Ten reads one after another (the decode workload: 10 × 10,000 rows). */
export const tenTimes = async <A>(f: () => Promise<A>): Promise<A[]> => {
  const out: A[] = []
  for (let k = 0; k < 10; k++) out.push(await f())
  return out
}

/** An item read as an array (id, name, owner_id), built as one literal. */
export const itemOf = (r: ReadonlyArray<unknown>): ItemRow => ({
  id: r[0] as number,
  name: r[1] as string,
  ownerId: r[2] as number,
})

/** An owner read as an array (id, name), built as one literal. */
export const ownerOf = (r: ReadonlyArray<unknown>): OwnerRow => ({ id: r[0] as number, name: r[1] as string })
