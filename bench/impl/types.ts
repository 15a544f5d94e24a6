/**
 * What each library implements: per workload, an ad hoc operation (the query is built on
 * every call) and/or a prepared one (built once, executed with values). The i-th call of an
 * operation takes the i-th input of `data.ts`.
 */

export const WORKLOADS = [
  'pointSelect',
  'filteredList',
  'relationLoad',
  'groupedAggregate',
  'aggregateTop',
  'compileOnly',
  'decode100k',
  'singleInsert',
  'bulkInsert',
  'updateByFilter',
  'updateByExpression',
  'inList100',
  'inList10k',
  'inList70k',
  'nameIn2k',
  'prefetch1k',
  'prefetch10k',
] as const
export type Workload = (typeof WORKLOADS)[number]

/** `task`: terrapin's ad hoc plans through `run` (a TaskEither) where the column beside it uses `runSync`. */
export type Mode = 'adhoc' | 'prepared' | 'task'

export type Op = (i: number) => unknown

export interface Impl {
  readonly name: string
  readonly ops: { readonly [W in Workload]?: { readonly [M in Mode]?: Op } }
  readonly close: () => Promise<void>
}

/** A statement as a library compiles it, for the compile-only workload. */
export interface CompiledSql {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
}
