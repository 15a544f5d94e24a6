/**
 * The Markdown table: one row per workload, one column per library and mode, each cell the
 * median ops/s and its ratio to the raw driver (compile-only has no raw counterpart).
 */
import { Mode, Workload } from './impl/types'

export interface Column {
  readonly impl: string
  readonly mode: Mode
  readonly label: string
}

export interface Result {
  readonly workload: Workload
  readonly impl: string
  readonly mode: Mode
  readonly label: string
  readonly opsPerSec: number
  readonly ratio?: number
  readonly samples: ReadonlyArray<number>
  readonly retainedBytesPerRow?: number
  /** Per round, this column's sample over the raw driver's sample of the same round. */
  readonly pairedRatios?: ReadonlyArray<number>
  /** JavaScript heap one call allocates, garbage included (`measure.ts`, `allocatedBytes`). */
  readonly allocatedBytesPerCall?: number
}

const DESCRIPTIONS: Readonly<Record<Workload, string>> = {
  pointSelect: 'point select by pk',
  filteredList: 'filtered list (contains, >=, order, limit 20)',
  relationLoad: 'relation load (20 authors + books)',
  groupedAggregate: 'grouped aggregate (50 authors)',
  compileOnly: 'compile only (filtered list → SQL)',
  decode100k: 'decode 100,000 rows (10 × 10,000)',
  singleInsert: 'single insert (returning row)',
  bulkInsert: 'bulk insert 1,000 rows in a transaction',
  updateByFilter: 'update by filter',
  inList100: 'id in a list of 100 (100,000 items)',
  inList10k: 'id in a list of 10,000 (100,000 items)',
  inList70k: 'id in a list of 70,000 (100,000 items)',
  nameIn2k: 'name in a list of 2,000 (100,000 items)',
  prefetch1k: 'prefetch of 1,000 owners (5,000 items)',
  prefetch10k: 'prefetch of 10,000 owners (50,000 items)',
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3))

export const markdown = (
  columns: ReadonlyArray<Column>,
  workloads: ReadonlyArray<Workload>,
  results: ReadonlyArray<Result>,
): string => {
  const head = `| workload | ${columns.map((c) => c.label).join(' | ')} |`
  const rule = `|---|${columns.map(() => '---:').join('|')}|`
  const rows = workloads.map((w) => {
    const cells = columns.map((c) => {
      const r = results.find((x) => x.workload === w && x.label === c.label)
      if (!r) return '—'
      return r.ratio === undefined || Number.isNaN(r.ratio)
        ? fmt(r.opsPerSec)
        : `${fmt(r.opsPerSec)} (${r.ratio.toFixed(2)}×)`
    })
    return `| ${DESCRIPTIONS[w]} | ${cells.join(' | ')} |`
  })
  const memory = columns.map((c) => {
    const r = results.find((x) => x.workload === 'decode100k' && x.label === c.label)
    return r?.retainedBytesPerRow === undefined ? '—' : `${Math.round(r.retainedBytesPerRow)} B`
  })
  const memRow = memory.some((m) => m !== '—') ? [`| decode: heap kept per row | ${memory.join(' | ')} |`] : []
  return [head, rule, ...rows, ...memRow].join('\n')
}

/**
 * How far the ratios move between rounds: per cell, the lowest and highest of the rounds'
 * paired ratios (each round's sample over the raw driver's sample of that round). Two cells
 * whose ranges overlap are not told apart by this run.
 */
export const spread = (
  columns: ReadonlyArray<Column>,
  workloads: ReadonlyArray<Workload>,
  results: ReadonlyArray<Result>,
): string => {
  const cols = columns.filter((c) => c.impl !== 'raw')
  const head = `| ratio per round (lowest–highest) | ${cols.map((c) => c.label).join(' | ')} |`
  const rule = `|---|${cols.map(() => '---:').join('|')}|`
  const rows = workloads
    .filter((w) => w !== 'compileOnly')
    .map((w) => {
      const cells = cols.map((c) => {
        const rs = results.find((x) => x.workload === w && x.label === c.label)?.pairedRatios
        return rs && rs.length > 0 ? `${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}` : '—'
      })
      return `| ${DESCRIPTIONS[w]} | ${cells.join(' | ')} |`
    })
  return [head, rule, ...rows].join('\n')
}

/** Bytes of JavaScript heap a call allocates, per cell (fresh memory evicts the database's cache lines). */
export const allocated = (
  columns: ReadonlyArray<Column>,
  workloads: ReadonlyArray<Workload>,
  results: ReadonlyArray<Result>,
): string => {
  const head = `| bytes allocated per call | ${columns.map((c) => c.label).join(' | ')} |`
  const rule = `|---|${columns.map(() => '---:').join('|')}|`
  const rows = workloads.map((w) => {
    const cells = columns.map((c) => {
      const b = results.find((x) => x.workload === w && x.label === c.label)?.allocatedBytesPerCall
      return b === undefined ? '—' : Math.round(b).toLocaleString('en-US')
    })
    return `| ${DESCRIPTIONS[w]} | ${cells.join(' | ')} |`
  })
  return [head, rule, ...rows].join('\n')
}
