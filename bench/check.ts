/**
 * The once-per-workload check that every library returns the same result before any timing:
 * results are compared as canonical JSON (keys sorted, Dates as ISO text), without generated
 * keys for inserts.
 */

const canonical = (v: unknown, dropIds: boolean): unknown => {
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'bigint') return `${v}n`
  if (Array.isArray(v)) return v.map((x) => canonical(x, dropIds))
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort())
      if (!(dropIds && k === 'id')) out[k] = canonical((v as Record<string, unknown>)[k], dropIds)
    return out
  }
  return v
}

/** The canonical text of a result. */
export const fingerprint = (v: unknown, dropIds = false): string => JSON.stringify(canonical(v, dropIds))

/** Describes the first difference between two canonical texts (for the error message). */
export const firstDifference = (a: string, b: string): string => {
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  return `at ${i}: …${a.slice(Math.max(0, i - 60), i + 60)}… vs …${b.slice(Math.max(0, i - 60), i + 60)}…`
}
