/**
 * Deep freezing of what plans keep from the user's input.
 */

/**
 * Freezes a value and everything inside it: what a plan keeps of the user's input (json values,
 * the error it carries). Dates are copied, since a frozen Date can still be changed; bytes
 * (a `Uint8Array`, which cannot be frozen) are copied into a new `Buffer`.
 */
export const deepFreeze = <T>(v: T): T => {
  if (v instanceof Date) return new Date(v.getTime()) as T
  if (v instanceof Uint8Array) return Buffer.from(v) as T
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v
  if (Array.isArray(v)) return Object.freeze(v.map(deepFreeze)) as T
  return Object.freeze(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepFreeze(x)]))) as T
}
