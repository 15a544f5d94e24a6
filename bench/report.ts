/**
 * The Markdown table: one row per workload, one column per library and mode, each cell the
 * median ops/s and its ratio to the raw driver (compile-only has no raw counterpart).
 */
import { Mode, Workload } from './impl/types'
import { median } from './measure'

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
  aggregateTop: 'aggregate ordered by the aggregate (count, top 10)',
  compileOnly: 'compile only (filtered list → SQL)',
  decode100k: 'decode 100,000 rows (10 × 10,000)',
  singleInsert: 'single insert (returning row)',
  bulkInsert: 'bulk insert 1,000 rows in a transaction',
  updateByFilter: 'update by filter (10 rows)',
  updateByExpression: 'update by an F expression (rating + 1, 10 rows)',
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

/** A column's paired ratios (each round's sample over the raw driver's of that round). */
const ratios = (results: ReadonlyArray<Result>, w: Workload, label: string): ReadonlyArray<number> | undefined =>
  results.find((x) => x.workload === w && x.label === label)?.pairedRatios

/** `a` against `b` by their ranges over the rounds: ahead or behind only where the ranges do not overlap. */
const compare = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): 'ahead' | 'level' | 'behind' =>
  Math.min(...a) > Math.max(...b) ? 'ahead' : Math.max(...a) < Math.min(...b) ? 'behind' : 'level'

const PREPARED_PEERS = ['Drizzle prepared']
const ADHOC_PEERS = ['Kysely', 'Knex', 'Drizzle']

/**
 * The criterion, per workload: terrapin prepared at least level with every peer's prepared mode;
 * terrapin ad hoc ahead of every peer's ad hoc mode and within 10% of the best prepared peer (its
 * median paired ratio at least 0.9 of that peer's). Ahead and behind need ranges that do not
 * overlap; overlapping ranges are level, which fails "ahead". ✓ meets, ✗ fails, — no such peer.
 *
 * A peer whose range reaches the raw driver's (1.00 in every round: the ratios are to it) is
 * marked `≈ raw`: being ahead of it would take beating the raw baseline, the fastest correct way
 * to do the job, so no library can. The last column is the verdict with those cells set aside;
 * the one before it is the criterion as written.
 */
export const verdicts = (workloads: ReadonlyArray<Workload>, results: ReadonlyArray<Result>): string => {
  const head =
    '| criterion | terrapin prepared vs Drizzle prepared | ad hoc vs Kysely | ad hoc vs Knex | ad hoc vs Drizzle | ad hoc ≥ 0.9 × best prepared peer | verdict | verdict, `≈ raw` set aside |'
  const rule = '|---|---|---|---|---|---|---|---|'
  const rows = workloads
    .filter((w) => w !== 'compileOnly')
    .map((w) => {
      // each check: whether it holds, and whether it fails only because the peer is level with raw
      const checks: Array<{ ok: boolean; atRaw: boolean }> = []
      const prepared = ratios(results, w, 'terrapin prepared')
      const adhoc = ratios(results, w, 'terrapin ad hoc')
      const preparedCells = PREPARED_PEERS.map((p) => {
        const peer = ratios(results, w, p)
        if (!peer || !prepared) return '—'
        const c = compare(prepared, peer)
        checks.push({ ok: c !== 'behind', atRaw: false })
        return `${c} ${c === 'behind' ? '✗' : '✓'}`
      })
      const adhocCells = ADHOC_PEERS.map((p) => {
        const peer = ratios(results, w, p)
        if (!peer || !adhoc) return '—'
        const c = compare(adhoc, peer)
        const atRaw = c === 'level' && Math.max(...peer) >= 1
        checks.push({ ok: c === 'ahead', atRaw })
        return `${c} ${c === 'ahead' ? '✓' : '✗'}${atRaw ? ' ≈ raw' : ''}`
      })
      const best = PREPARED_PEERS.map((p) => ratios(results, w, p))
        .filter((x): x is ReadonlyArray<number> => x !== undefined)
        .map(median)
        .sort((a, b) => b - a)[0]
      let within = '—'
      if (best !== undefined && adhoc) {
        const m = median(adhoc) / best
        checks.push({ ok: m >= 0.9, atRaw: false })
        within = `${m.toFixed(2)} ${m >= 0.9 ? '✓' : '✗'}`
      }
      const asWritten = checks.every((c) => c.ok)
      const setAside = checks.filter((c) => !c.ok && c.atRaw).length
      const verdict = checks.length === 0 ? '—' : asWritten ? '**meets**' : '**fails**'
      const attainable =
        verdict === '**fails**' && checks.every((c) => c.ok || c.atRaw) ? `**meets** (${setAside} ≈ raw)` : verdict
      return `| ${DESCRIPTIONS[w]} | ${[...preparedCells, ...adhocCells, within, verdict, attainable].join(' | ')} |`
    })
  return [head, rule, ...rows].join('\n')
}
