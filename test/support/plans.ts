/**
 * Helpers for tests about plan values: a structural snapshot (to show a combinator left its
 * input unchanged) and the list of objects in a plan that are not frozen.
 */

/** A structural snapshot of a plan: models by name, dates by time, functions by name. */
export const snapshot = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object')
    return typeof v === 'function' ? `fn:${v.name}` : typeof v === 'bigint' ? `${v}n` : v
  if (v instanceof Date) return `date:${v.getTime()}`
  if ((v as { _tag?: unknown })._tag === 'Model') return `model:${(v as { name: string }).name}`
  if (Array.isArray(v)) return v.map(snapshot)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshot(x)]))
}

/** The paths of the objects of a plan that are not frozen (models are checked, not entered). */
export const deepFrozen = (v: unknown, path = 'plan'): string[] => {
  if (v === null || typeof v !== 'object' || v instanceof Date) return []
  if ((v as { _tag?: unknown })._tag === 'Model') return Object.isFrozen(v) ? [] : [path]
  const own = Object.isFrozen(v) ? [] : [path]
  return [...own, ...Object.entries(v).flatMap(([k, x]) => deepFrozen(x, `${path}.${k}`))]
}
