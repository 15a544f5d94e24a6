/**
 * The message of an unknown field name, with the model's nearest names: untyped code (a parsed
 * request body, a JavaScript caller) meets these where the compiler would have said it.
 */
import { Model } from './model'
import { reverseName } from './relations'

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, or more than `max`. */
const distance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let before: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1)
    }
    before = prev
    prev = row
  }
  return prev[b.length]
}

/**
 * Every name a key may start with on `m`: row keys (`authorId`), fields, relations both ways;
 * only the relations with `relations`.
 */
export const namesOf = (m: Model, relations = false): ReadonlyArray<string> => {
  const names = new Set<string>(
    relations
      ? Object.keys(m.fields).filter(
          (k) =>
            m.fields[k].kind === 'foreignKey' || m.fields[k].kind === 'oneToOne' || m.fields[k].kind === 'manyToMany',
        )
      : [...m.columns.map((c) => c.key), ...Object.keys(m.fields)],
  )
  for (const other of Object.values(m.registry))
    for (const f of Object.values(other.fields))
      if ((f.kind === 'foreignKey' || f.kind === 'oneToOne' || f.kind === 'manyToMany') && f.target === m.name) {
        names.add(reverseName(other, f))
        if (f.kind !== 'manyToMany' && f.options.relatedQueryName) names.add(f.options.relatedQueryName)
      }
  return [...names]
}

/**
 * The names nearest to `name` (at most three): the same but for case, or within a third of its
 * length in edits (at least one, at most three).
 */
export const nearest = (name: string, candidates: ReadonlyArray<string>): ReadonlyArray<string> => {
  const max = Math.min(3, Math.max(1, Math.floor(name.length / 3)))
  const lower = name.toLowerCase()
  return candidates
    .map((c) => ({ c, d: c.toLowerCase() === lower ? 0 : distance(lower, c.toLowerCase(), max) }))
    .filter((x) => x.d <= max && x.c !== name)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, 3)
    .map((x) => x.c)
}

/** ` — did you mean 'a', 'b' or 'c'?`, or nothing. */
const didYouMean = (names: ReadonlyArray<string>): string => {
  const q = names.map((n) => `'${n}'`)
  return q.length ? ` — did you mean ${q.length > 1 ? `${q.slice(0, -1).join(', ')} or ` : ''}${q[q.length - 1]}?` : ''
}

/**
 * `unknown field 'titel' on Book — did you mean 'title'?` (`what` says `field or relation`, or
 * `relation`, where only those fit); without a near name, the message ends at the model.
 */
export const unknownField = (m: Model, name: string, what = 'field'): string => {
  const near = nearest(name, namesOf(m, what === 'relation'))
  const quoted = near.map((n) => `'${n}'`)
  const hint = quoted.length
    ? ` — did you mean ${quoted.slice(0, -1).join(', ')}${quoted.length > 1 ? ' or ' : ''}${quoted[quoted.length - 1]}?`
    : ''
  return `unknown ${what} '${name}' on ${m.name}${hint}`
}

/** `unknown lookup 'containz' — did you mean 'contains'?` */
export const unknownName = (what: string, name: string, candidates: ReadonlyArray<string>): string => {
  return `unknown ${what} '${name}'${didYouMean(nearest(name, candidates))}`
}
