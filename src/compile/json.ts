/**
 * JSON containment and equality as PostgreSQL's `jsonb` defines them, the meaning every dialect
 * gives `__contains`, `__containedBy` and equality of a `json` field. SQLite, which has no such
 * operators, calls these through functions its runner registers.
 *
 * - Equality: objects equal key by key whatever the order of their keys, arrays element by element
 *   in order, numbers by value (`1` and `1.0`), strings by code point.
 * - `contains(t, c)`: an object contains an object whose every key it has, with a contained value
 *   (recursively); an array contains an array each of whose elements is contained in some element
 *   of it (order and repeats do not matter); a scalar contains an equal scalar; and, at the top
 *   level only, an array contains a scalar equal to one of its elements. Anything else (an object
 *   against an array, an array against a scalar below the top) is not contained.
 */

type Kind = 'array' | 'object' | 'scalar'

const kindOf = (v: unknown): Kind =>
  Array.isArray(v) ? 'array' : typeof v === 'object' && v !== null ? 'object' : 'scalar'

/** PostgreSQL's jsonb equality of two parsed JSON values. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  const k = kindOf(a)
  if (k !== kindOf(b)) return false
  if (k === 'scalar') return a === b
  if (k === 'array') {
    const x = a as ReadonlyArray<unknown>
    const y = b as ReadonlyArray<unknown>
    return x.length === y.length && x.every((v, i) => jsonEqual(v, y[i]))
  }
  const x = a as Readonly<Record<string, unknown>>
  const y = b as Readonly<Record<string, unknown>>
  const keys = Object.keys(x)
  return (
    keys.length === Object.keys(y).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(y, key) && jsonEqual(x[key], y[key]))
  )
}

/** PostgreSQL's `t @> c` of two parsed JSON values. */
export const jsonContains = (t: unknown, c: unknown, top = true): boolean => {
  const kt = kindOf(t)
  const kc = kindOf(c)
  if (top && kt === 'array' && kc === 'scalar')
    return (t as ReadonlyArray<unknown>).some((e) => kindOf(e) === 'scalar' && e === c)
  if (kt !== kc) return false
  if (kt === 'scalar') return t === c
  if (kt === 'array') {
    const items = t as ReadonlyArray<unknown>
    return (c as ReadonlyArray<unknown>).every((e) => items.some((x) => jsonContains(x, e, false)))
  }
  const o = t as Readonly<Record<string, unknown>>
  const p = c as Readonly<Record<string, unknown>>
  return Object.keys(p).every((k) => Object.prototype.hasOwnProperty.call(o, k) && jsonContains(o[k], p[k], false))
}

const parsed = (v: unknown): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v)

/** `jsonContains` over stored JSON text, as SQLite calls it: NULL in, NULL out; 1 or 0. */
export const jsonContainsSql = (t: unknown, c: unknown): number | null =>
  t === null || c === null ? null : jsonContains(parsed(t), parsed(c)) ? 1 : 0

/** `jsonEqual` over stored JSON text, as SQLite calls it: NULL in, NULL out; 1 or 0. */
export const jsonEqualSql = (a: unknown, b: unknown): number | null =>
  a === null || b === null ? null : jsonEqual(parsed(a), parsed(b)) ? 1 : 0

/** A JSON path step for a key: `."key"`, quoted for MySQL/MariaDB. */
const step = (key: string): string => `."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

/**
 * Where a MySQL/MariaDB `JSON_CONTAINS` would say yes and PostgreSQL no, reached through object
 * keys from the top: `[path, 'A']` where the field must not hold an array (the candidate has no
 * array there), `[path, 'N']` where it must hold one if anything (the containing document has an
 * array there), `[path, 'O']` where it must not hold an object. `c` is the document of a
 * `contains` (the field holds it) or of a `containedBy` (it holds the field). Inside arrays
 * nothing is guarded.
 */
export const jsonGuards = (op: 'contains' | 'containedBy', doc: unknown): string => {
  const out: Array<readonly [string, string]> = []
  const go = (v: unknown, path: string): void => {
    const k = kindOf(v)
    if (op === 'contains') {
      if (k === 'object' || (k === 'scalar' && path !== '$')) out.push([path, 'A'])
    } else if (k === 'array') out.push([path, path === '$' ? 'O' : 'N'])
    if (k === 'object')
      for (const [key, x] of Object.entries(v as Readonly<Record<string, unknown>>)) go(x, path + step(key))
  }
  go(doc, '$')
  return JSON.stringify(out)
}
