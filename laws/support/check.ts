/**
 * Compares what a dialect returned with what the reference expects. Rows tied under the plan's
 * ordering may come in any order, so each run of tied rows is compared as a multiset: a plan
 * ordered by a unique key is thus compared as a sequence, an unordered one as a multiset, and
 * a window (offset/limit) that cuts a run of ties may hold any of the tied rows.
 */
import * as E from 'fp-ts/Either'
import { Expected, Item, compareItems } from '../reference'
import { canon } from './values'

const counts = (xs: ReadonlyArray<string>): Map<string, number> => {
  const m = new Map<string, number>()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return m
}

/** Whether `sub` is a sub-multiset of `sup`. */
const within = (sub: ReadonlyArray<string>, sup: ReadonlyArray<string>): boolean => {
  const have = counts(sup)
  for (const [k, n] of counts(sub)) if ((have.get(k) ?? 0) < n) return false
  return true
}

const show = (xs: ReadonlyArray<string>): string =>
  xs.length > 12 ? `[${xs.slice(0, 12).join(', ')}, … ${xs.length} rows]` : `[${xs.join(', ')}]`

/** Checks a window of rows against the reference's sorted items; a message when they differ. */
export const checkWindow = (
  items: ReadonlyArray<Item>,
  desc: ReadonlyArray<boolean>,
  offset: number,
  limit: number | undefined,
  actual: ReadonlyArray<unknown>,
): string | undefined => {
  const n = Math.max(0, Math.min(limit ?? Infinity, items.length - offset))
  const got = actual.map(canon)
  const all = items.map((i) => canon(i.out))
  if (got.length !== n)
    return `expected ${n} rows, got ${got.length}: ${show(got)}; reference ${show(all.slice(offset, offset + n))}`
  let start = 0
  while (start < items.length) {
    let end = start + 1
    while (end < items.length && compareItems(items[start], items[end], desc) === 0) end++
    const lo = Math.max(start, offset)
    const hi = Math.min(end, offset + n)
    if (lo < hi) {
      const slice = got.slice(lo - offset, hi - offset)
      if (!within(slice, all.slice(start, end)))
        return `rows ${lo - offset}–${hi - offset - 1} should be ${end - start > hi - lo ? 'among ' : ''}${show(all.slice(start, end))}, got ${show(slice)} (whole result ${show(got)})`
    }
    start = end
  }
  return undefined
}

const tagOf = (e: unknown): string => (e && typeof e === 'object' && '_tag' in e ? String(e._tag) : String(e))

/** Checks a run's `Either` against the expectation; undefined when they agree. */
export const check = (exp: Expected, result: E.Either<unknown, unknown>): string | undefined => {
  if (exp._tag === 'Value') {
    if (E.isLeft(result))
      return `expected ${canon(exp.value)}, got ${tagOf(result.left)}: ${(result.left as Error).message}`
    return canon(result.right) === canon(exp.value)
      ? undefined
      : `expected ${canon(exp.value)}, got ${canon(result.right)}`
  }
  const n = Math.max(0, Math.min(exp.limit ?? Infinity, exp.items.length - exp.offset))
  if (exp.single === 'get' || exp.single === 'getOrNone') {
    const want = n > 1 ? 'MultipleObjectsReturned' : n === 0 && exp.single === 'get' ? 'DoesNotExist' : undefined
    if (want)
      return E.isLeft(result) && tagOf(result.left) === want
        ? undefined
        : `expected ${want}, got ${E.isLeft(result) ? tagOf(result.left) : canon(result.right)}`
  }
  if (E.isLeft(result)) return `expected rows, got ${tagOf(result.left)}: ${(result.left as Error).message}`
  const rows = exp.single
    ? result.right === null && n === 0
      ? []
      : [result.right]
    : (result.right as ReadonlyArray<unknown>)
  if (!Array.isArray(rows)) return `expected an array, got ${canon(rows)}`
  return checkWindow(exp.items, exp.desc, exp.offset, exp.limit, rows)
}
