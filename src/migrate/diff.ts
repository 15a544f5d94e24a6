/**
 * The diff: two model states in, the operations that turn one schema into the other out. Pure:
 * no database, no dialect. Every pairing of a column dropped and one added with the same kind in
 * one table (and of a table dropped and one created alike) is reported as a likely rename, never
 * silently made a drop and an add.
 */
import { Rename } from './types'
import { ColumnView, SchemaState, TableView, Views, viewsOf } from './state'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** What changed about a column kept by a migration. */
export type Change =
  | 'type'
  | 'null'
  | 'default'
  | 'unique'
  | 'index'
  | 'maxLength'
  | 'decimal'
  | 'foreignKey'
  | 'onDelete'
  | 'pk'
  | 'comment'

/**
 * One step of a migration. Table-scoped operations name the table as it is after the migration
 * (renames come first), columns likewise.
 */
export type Operation =
  | { readonly op: 'createTable'; readonly table: string }
  | { readonly op: 'dropTable'; readonly table: string }
  | { readonly op: 'renameTable'; readonly from: string; readonly to: string }
  | { readonly op: 'addColumn'; readonly table: string; readonly column: string }
  | { readonly op: 'dropColumn'; readonly table: string; readonly column: string }
  | { readonly op: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | {
      readonly op: 'alterColumn'
      readonly table: string
      readonly column: string
      readonly changes: ReadonlyArray<Change>
    }
  | {
      readonly op: 'addUnique' | 'dropUnique' | 'addIndex' | 'dropIndex'
      readonly table: string
      readonly columns: ReadonlyArray<string>
    }
  | { readonly op: 'createThrough' | 'dropThrough'; readonly table: string }
  /** The table's comment (its model's `meta.description`) set, changed or removed. */
  | { readonly op: 'commentTable'; readonly table: string }

export interface Diff {
  readonly operations: ReadonlyArray<Operation>
  /**
   * Not given as renames: each pairing of a column dropped and one added with the same kind in
   * the same table (`table` set), and of a table dropped and one created with the same columns.
   */
  readonly likelyRenames: ReadonlyArray<Rename>
}

// ------------------------------------------------------------------------------------------
// diff
// ------------------------------------------------------------------------------------------

/** A column that could hold the other's values under a new name: the same kind (a length or precision may change with the rename). */
const compatible = (a: ColumnView, b: ColumnView): boolean => a.kind === b.kind && a.pk === b.pk

const changesOf = (a: ColumnView, b: ColumnView): ReadonlyArray<Change> => {
  const out: Change[] = []
  if (a.kind !== b.kind) out.push('type')
  if (a.maxLength !== b.maxLength) out.push('maxLength')
  if (a.maxDigits !== b.maxDigits || a.decimalPlaces !== b.decimalPlaces) out.push('decimal')
  if (a.null !== b.null) out.push('null')
  if (JSON.stringify(a.default) !== JSON.stringify(b.default)) out.push('default')
  if (a.unique !== b.unique) out.push('unique')
  // a full-text index is one of the table's index statements, made and dropped with them
  if (a.index !== b.index || a.fulltext !== b.fulltext) out.push('index')
  if (a.pk !== b.pk || a.generated !== b.generated) out.push('pk')
  if (a.fk?.table !== b.fk?.table || a.fk?.column !== b.fk?.column) out.push('foreignKey')
  else if (a.fk && b.fk && a.fk.onDelete !== b.fk.onDelete) out.push('onDelete')
  if (a.comment !== b.comment) out.push('comment')
  return out
}

const key = (cols: ReadonlyArray<string>): string => JSON.stringify(cols)

/** The operations on one table kept by the migration (in the order they run). */
const tableDiff = (bt: TableView, at: TableView, renames: ReadonlyArray<Rename>, likely: Rename[]): Operation[] => {
  const table = at.table
  const given = renames.filter((r) => r.table === table || r.table === bt.table)
  const beforeCols = new Map(bt.columns.map((c) => [c.name, c]))
  const afterCols = new Map(at.columns.map((c) => [c.name, c]))
  const toAfter = new Map<string, string>()
  for (const r of given)
    if (beforeCols.has(r.from) && afterCols.has(r.to) && !afterCols.has(r.from)) toAfter.set(r.from, r.to)
  for (const c of bt.columns) if (!toAfter.has(c.name) && afterCols.has(c.name)) toAfter.set(c.name, c.name)
  const matched = new Set(toAfter.values())
  const dropped = bt.columns.filter((c) => !toAfter.has(c.name))
  const added = at.columns.filter((c) => !matched.has(c.name))
  // every pairing is a question: with two dropped and one added, either may be the renamed one
  for (const a of dropped) for (const b of added) if (compatible(a, b)) likely.push({ table, from: a.name, to: b.name })
  const mapCols = (cols: ReadonlyArray<string>): ReadonlyArray<string> => cols.map((c) => toAfter.get(c) ?? `\0${c}`)
  // an index given a name is told apart by it too: renaming it drops it and makes it again
  const setDiff = (
    before: ReadonlyArray<ReadonlyArray<string>>,
    after: ReadonlyArray<ReadonlyArray<string>>,
    namesBefore: ReadonlyArray<string | undefined> = [],
    namesAfter: ReadonlyArray<string | undefined> = [],
  ) => {
    const b = new Map(before.map((cols, i) => [key([...mapCols(cols), `\0${namesBefore[i] ?? ''}`]), cols]))
    const a = new Map(after.map((cols, i) => [key([...cols, `\0${namesAfter[i] ?? ''}`]), cols]))
    return {
      gone: [...b].filter(([k]) => !a.has(k)).map(([, c]) => c),
      come: [...a].filter(([k]) => !b.has(k)).map(([, c]) => c),
    }
  }
  const uniques = setDiff(bt.uniques, at.uniques)
  const indexes = setDiff(bt.indexes, at.indexes, bt.indexNames, at.indexNames)
  const renamed = [...toAfter].filter(([from, to]) => from !== to)
  // Constraints over the old names go before the columns are renamed or dropped.
  return [
    ...uniques.gone.map((columns): Operation => ({
      op: 'dropUnique',
      table,
      columns: columns.map((c) => toAfter.get(c) ?? c),
    })),
    ...indexes.gone.map((columns): Operation => ({
      op: 'dropIndex',
      table,
      columns: columns.map((c) => toAfter.get(c) ?? c),
    })),
    ...renamed.map(([from, to]): Operation => ({ op: 'renameColumn', table, from, to })),
    ...dropped.map((c): Operation => ({ op: 'dropColumn', table, column: c.name })),
    ...added.map((c): Operation => ({ op: 'addColumn', table, column: c.name })),
    ...[...toAfter].flatMap(([from, to]): Operation[] => {
      const changes = changesOf(beforeCols.get(from)!, afterCols.get(to)!)
      return changes.length ? [{ op: 'alterColumn', table, column: to, changes }] : []
    }),
    ...(bt.comment !== at.comment ? [{ op: 'commentTable', table } as const] : []),
    ...uniques.come.map((columns): Operation => ({ op: 'addUnique', table, columns })),
    ...indexes.come.map((columns): Operation => ({ op: 'addIndex', table, columns })),
  ]
}

/**
 * The operations from `before` to `after`. `renames` name columns (with `table`) and tables
 * (without) that were renamed; other drop + add pairs that look like renames are listed in
 * `likelyRenames` (and still diffed as a drop and an add).
 */
export const diffViews = (before: Views, after: Views, renames: ReadonlyArray<Rename> = []): Diff => {
  const tableRenames = new Map<string, string>()
  for (const r of renames)
    if (r.table === undefined && before.tables.has(r.from) && after.tables.has(r.to) && !after.tables.has(r.from))
      tableRenames.set(r.from, r.to)
  const beforeOf = (afterName: string): TableView | undefined => {
    for (const [from, to] of tableRenames) if (to === afterName) return before.tables.get(from)
    return tableRenames.has(afterName) ? undefined : before.tables.get(afterName)
  }
  const likely: Rename[] = []
  const kept = [...after.tables.values()].flatMap((at) => {
    const bt = beforeOf(at.table)
    return bt ? [tableDiff(bt, at, renames, likely)] : []
  })
  const created = [...after.tables.keys()].filter((t) => !beforeOf(t))
  const droppedTables = [...before.tables.keys()].filter((t) => !tableRenames.has(t) && !after.tables.has(t))
  const shape = (t: TableView): string =>
    JSON.stringify(
      t.columns.map((c) => ({
        ...c,
        comment: undefined,
        fk: c.fk && { ...c.fk, table: c.fk.table === t.table ? '' : c.fk.table },
      })),
    )
  for (const from of droppedTables)
    for (const to of created)
      if (shape(after.tables.get(to)!) === shape(before.tables.get(from)!)) likely.push({ from, to })
  const throughsGone = [...before.throughs.keys()].filter((t) => !after.throughs.has(t))
  const throughsCome = [...after.throughs.keys()].filter((t) => !before.throughs.has(t))
  const operations: Operation[] = [
    ...[...tableRenames].map(([from, to]): Operation => ({ op: 'renameTable', from, to })),
    ...throughsGone.map((table): Operation => ({ op: 'dropThrough', table })),
    ...created.map((table): Operation => ({ op: 'createTable', table })),
    ...kept.flat(),
    ...throughsCome.map((table): Operation => ({ op: 'createThrough', table })),
    ...droppedTables.map((table): Operation => ({ op: 'dropTable', table })),
  ]
  return { operations, likelyRenames: likely }
}

/** {@link diffViews} of two snapshots. */
export const diff = (before: SchemaState, after: SchemaState, renames: ReadonlyArray<Rename> = []): Diff =>
  diffViews(viewsOf(before), viewsOf(after), renames)

/** The operation that undoes `op` (rendered with the two states swapped). */
export const invert = (op: Operation): Operation => {
  switch (op.op) {
    case 'createTable':
      return { op: 'dropTable', table: op.table }
    case 'dropTable':
      return { op: 'createTable', table: op.table }
    case 'renameTable':
      return { op: 'renameTable', from: op.to, to: op.from }
    case 'addColumn':
      return { op: 'dropColumn', table: op.table, column: op.column }
    case 'dropColumn':
      return { op: 'addColumn', table: op.table, column: op.column }
    case 'renameColumn':
      return { op: 'renameColumn', table: op.table, from: op.to, to: op.from }
    case 'alterColumn':
    case 'commentTable':
      return op
    case 'addUnique':
      return { ...op, op: 'dropUnique' }
    case 'dropUnique':
      return { ...op, op: 'addUnique' }
    case 'addIndex':
      return { ...op, op: 'dropIndex' }
    case 'dropIndex':
      return { ...op, op: 'addIndex' }
    case 'createThrough':
      return { op: 'dropThrough', table: op.table }
    case 'dropThrough':
      return { op: 'createThrough', table: op.table }
  }
}

/**
 * The operations that undo a list of them, in the order they run: the diff's order, so that the
 * undoing column renames run before the changes that name their columns. Table renames stay
 * first (the other operations name tables as they are after the renames), so the undoing
 * operations name the tables and the columns by their earlier names.
 */
export const inverse = (ops: ReadonlyArray<Operation>): ReadonlyArray<Operation> => {
  const renames = ops.filter((op): op is Extract<Operation, { op: 'renameTable' }> => op.op === 'renameTable')
  const back = new Map(renames.map((r) => [r.to, r.from]))
  const columnBack = new Map(
    ops.flatMap((op) => (op.op === 'renameColumn' ? [[`${op.table}\0${op.to}`, op.from] as const] : [])),
  )
  const was = (table: string, c: string): string => columnBack.get(`${table}\0${c}`) ?? c
  const rest = ops
    .filter((op) => op.op !== 'renameTable')
    .reverse()
    .map(invert)
    .sort((a, b) => RANK[a.op] - RANK[b.op])
    .map((op): Operation => {
      // what runs after the column renames names the columns by their earlier names
      if (RANK[op.op] <= RANK.renameColumn) return op
      if (op.op === 'alterColumn' || op.op === 'addColumn') return { ...op, column: was(op.table, op.column) }
      if (op.op === 'addUnique' || op.op === 'addIndex')
        return { ...op, columns: op.columns.map((c) => was(op.table, c)) }
      return op
    })
    .map((op) => ('table' in op && back.has(op.table) ? { ...op, table: back.get(op.table)! } : op))
  return [...renames.map(invert), ...rest]
}

/** The order the diff writes operations in (table renames aside), which the inverse keeps. */
const RANK: Readonly<Record<Operation['op'], number>> = {
  renameTable: 0,
  dropThrough: 1,
  createTable: 2,
  dropUnique: 3,
  dropIndex: 3,
  renameColumn: 4,
  dropColumn: 5,
  addColumn: 6,
  alterColumn: 7,
  commentTable: 7,
  addUnique: 8,
  addIndex: 8,
  createThrough: 9,
  dropTable: 10,
}

/** One line per operation, for the migration file's header and the CLI. */
export const describe = (op: Operation): string => {
  switch (op.op) {
    case 'renameTable':
      return `rename table ${op.from} to ${op.to}`
    case 'renameColumn':
      return `rename column ${op.table}.${op.from} to ${op.to}`
    case 'alterColumn':
      return `alter column ${op.table}.${op.column} (${op.changes.join(', ')})`
    case 'addColumn':
    case 'dropColumn':
      return `${op.op === 'addColumn' ? 'add' : 'drop'} column ${op.table}.${op.column}`
    case 'addUnique':
    case 'dropUnique':
    case 'addIndex':
    case 'dropIndex':
      return `${op.op.startsWith('add') ? 'add' : 'drop'} ${op.op.endsWith('Unique') ? 'unique' : 'index'} ${op.table} (${op.columns.join(', ')})`
    case 'commentTable':
      return `comment table ${op.table}`
    default:
      return `${op.op.replace(/[A-Z]/, (c) => ' ' + c.toLowerCase())} ${op.table}`
  }
}
