/**
 * Operations to SQL for one dialect, and the data-safety guards that go with them. Tables and
 * columns are written by `schema/ddl.ts` from the models rebuilt from the two states; what
 * differs by dialect comes from the `Dialect` record. A dialect that cannot alter a column in
 * place (no `alterColumn`: SQLite) rebuilds the table: create the new one, copy the rows, drop
 * the old one, rename the new one, recreate the indexes.
 */
import { Dialect } from '../compile/dialect'
import { Column, Model } from '../model/model'
import {
  addFkSql,
  columnSql,
  isGeneratedKey,
  createTableSql,
  createThroughSql,
  dependencyOrder,
  fkName,
  indexName,
  hasConstraint,
  isFk,
  literal,
  schemaSql,
} from '../schema/ddl'
import { INT_RANGE } from '../model/codecs'
import { ForeignKeyField, ManyToManyField } from '../model/fields'
import { Operation } from './diff'
import { ColumnView, TableView, Views } from './state'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/**
 * A check run before a migration: the count its query returns is the number of rows whose
 * values the migration would lose; more than none refuses the migration (unless forced).
 */
export interface Guard {
  readonly sql: string
  readonly message: string
}

/** The renames among some operations, to find what a table or column was called before them. */
interface Names {
  /** The table's name before the operations. */
  readonly table: (now: string) => string
  /** The column's name before the operations. */
  readonly column: (table: string, now: string) => string
}

const namesOf = (ops: ReadonlyArray<Operation>): Names => {
  const tables = new Map<string, string>()
  const columns = new Map<string, string>()
  for (const op of ops) {
    if (op.op === 'renameTable') tables.set(op.to, op.from)
    if (op.op === 'renameColumn') columns.set(`${op.table}\0${op.to}`, op.from)
  }
  return { table: (now) => tables.get(now) ?? now, column: (table, now) => columns.get(`${table}\0${now}`) ?? now }
}

const columnOf = (m: Model, name: string): Column => {
  const c = m.columns.find((x) => x.column === name)
  if (!c) throw new TypeError(`model ${m.name} has no column ${name}`)
  return c
}

const viewOf = (t: TableView, name: string): ColumnView | undefined => t.columns.find((c) => c.name === name)

/** A JSON default written into ADD COLUMN, so that the rows already there get it. */
const defaultOf = (d: Dialect, col: Column): string | undefined => {
  const v = (col.field.options as { default?: unknown }).default
  if (v === undefined || typeof v === 'function' || isFk(col)) return undefined
  return literal(d, col, v)
}

// ------------------------------------------------------------------------------------------
// statements
// ------------------------------------------------------------------------------------------

/** The index statements of a table, by their text (an index whose columns or name change is dropped and created). */
const indexStatements = (d: Dialect, m: Model): ReadonlyMap<string, string> =>
  new Map(
    createTableSql(d, m, false)
      .slice(1)
      .map((sql) => [sql, /^CREATE (?:FULLTEXT )?INDEX (\S+|"[^"]*"|`[^`]*`) /.exec(sql)![1]]),
  )

const unquote = (d: Dialect, quoted: string): string => {
  const q = d.quote('')[0]
  return quoted
    .slice(1, -1)
    .split(q + q)
    .join(q)
}

/** Whether SQLite's ALTER TABLE can make the table's changes (else the table is rebuilt). */
const needsRebuild = (ops: ReadonlyArray<Operation>, bt: TableView, at: TableView): boolean =>
  ops.some((op) => {
    switch (op.op) {
      case 'alterColumn':
        return op.changes.some((c) => c !== 'index' && c !== 'default' && c !== 'comment')
      case 'addUnique':
      case 'dropUnique':
        return true
      case 'addColumn': {
        const v = viewOf(at, op.column)!
        return v.pk || v.unique || v.fk !== undefined || (!v.null && v.default === undefined)
      }
      case 'dropColumn': {
        const v = viewOf(bt, op.column)!
        return v.pk || v.unique || v.fk !== undefined || bt.uniques.some((u) => u.includes(op.column))
      }
      default:
        return false
    }
  })

/** The table-rebuild procedure: the new table created beside the old one, the rows copied, the old one dropped. */
const rebuild = (d: Dialect, bt: TableView, at: TableView, names: Names): ReadonlyArray<string> => {
  const q = d.quote
  const table = at.table
  const temp = `${table}__new`
  const [create, ...indexes] = createTableSql(d, at.model, false)
  const head = `CREATE TABLE ${q(table)} (`
  const copied = at.model.columns.flatMap((col): Array<[string, string]> => {
    const was = names.column(table, col.column)
    if (viewOf(bt, was)) return [[col.column, q(was)]]
    const v = defaultOf(d, col)
    return v === undefined ? [] : [[col.column, v]]
  })
  return [
    `CREATE TABLE ${q(temp)} (${create.slice(head.length)}`,
    `INSERT INTO ${q(temp)} (${copied.map(([c]) => q(c)).join(', ')}) SELECT ${copied.map(([, e]) => e).join(', ')} FROM ${q(table)}`,
    `DROP TABLE ${q(table)}`,
    `ALTER TABLE ${q(temp)} RENAME TO ${q(table)}`,
    ...indexes,
  ]
}

/** What an operation of `alterTable` needs besides the tables: the dialect, the table's name, the foreign keys lent to an index. */
interface AlterScope {
  readonly d: Dialect
  readonly names: Names
  readonly bt: TableView
  readonly at: TableView
  readonly table: string
  readonly lent: ReadonlySet<string>
}

/** The statements of a column's changes (`alterColumn`). */
const alterColumnSql = (
  { d, bt, at, table, lent, names }: AlterScope,
  op: Extract<Operation, { op: 'alterColumn' }>,
): ReadonlyArray<string> => {
  const q = d.quote
  const out: string[] = []
  const was = columnOf(bt.model, names.column(table, op.column))
  const col = columnOf(at.model, op.column)
  const has = (c: string): boolean => op.changes.includes(c as never)
  const fkChanged = has('foreignKey') || has('onDelete')
  if (fkChanged && hasConstraint(was) && !lent.has(was.column))
    out.push(d.dropForeignKey!(table, fkName(bt.model, was)))
  if (has('unique') && !viewOf(at, op.column)!.unique)
    out.push(d.dropUnique!(table, d.columnUniqueName(bt.table, was.column)))
  const type = has('type') || has('maxLength') || has('decimal') || d.columnType(was) !== d.columnType(col)
  const comment = col.field.options.description
  // a database that keeps the comment in the column's definition rewrites the whole column
  if (type || has('null') || (has('comment') && d.comments.column))
    out.push(
      ...d.alterColumn!(
        table,
        op.column,
        d.columnType(col),
        col.field.nullable,
        { type, null: has('null') },
        comment,
        isGeneratedKey(col),
      ),
    )
  if (has('comment') && d.comments.statement) out.push(d.comments.statement(table, op.column, comment ?? null))
  if (has('unique') && viewOf(at, op.column)!.unique)
    out.push(
      `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(d.columnUniqueName(table, op.column))} UNIQUE (${q(op.column)})`,
    )
  if (fkChanged && hasConstraint(col)) out.push(addFkSql(d, at.model, col, false))
  return out
}

/** The statements of one operation on a table that exists before and after it (its indexes aside). */
const opSql = (scope: AlterScope, op: Operation): ReadonlyArray<string> => {
  const { d, bt, at, table, lent } = scope
  const q = d.quote
  const out: string[] = []
  switch (op.op) {
    case 'dropUnique':
      out.push(d.dropUnique!(table, indexName(bt.table, op.columns, true)))
      break
    case 'renameColumn':
      out.push(`ALTER TABLE ${q(table)} RENAME COLUMN ${q(op.from)} TO ${q(op.to)}`)
      break
    case 'dropColumn': {
      const col = columnOf(bt.model, op.column)
      if (hasConstraint(col) && d.dropForeignKey && !lent.has(op.column))
        out.push(d.dropForeignKey(table, fkName(bt.model, col)))
      out.push(`ALTER TABLE ${q(table)} DROP COLUMN ${q(op.column)}`)
      break
    }
    case 'addColumn': {
      const col = columnOf(at.model, op.column)
      const def = defaultOf(d, col)
      out.push(
        `ALTER TABLE ${q(table)} ADD COLUMN ${columnSql(d, at.model, col)}${def === undefined ? '' : ` DEFAULT ${def}`}`,
      )
      if (hasConstraint(col)) out.push(addFkSql(d, at.model, col, false))
      const comment = col.field.options.description
      if (comment !== undefined && d.comments.statement) out.push(d.comments.statement(table, op.column, comment))
      break
    }
    case 'alterColumn':
      out.push(...alterColumnSql(scope, op))
      break
    case 'commentTable': {
      const text = at.model.meta.description
      if (d.comments.statement) out.push(d.comments.statement(table, undefined, text ?? null))
      // an empty comment is none
      else if (d.comments.table) out.push(`ALTER TABLE ${q(table)}${d.comments.table(text ?? '')}`)
      break
    }
    case 'addUnique':
      out.push(
        `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(indexName(table, op.columns, true))} UNIQUE (${op.columns.map(q).join(', ')})`,
      )
      break
    default:
      break
  }
  return out
}

/** The statements of the operations on one table that exists before and after them. */
const alterTable = (
  d: Dialect,
  ops: ReadonlyArray<Operation>,
  bt: TableView,
  at: TableView,
  names: Names,
): ReadonlyArray<string> => {
  const table = at.table
  const before = indexStatements(d, bt.model)
  const after = indexStatements(d, at.model)
  const dropIndexes = [...before]
    .filter(([sql]) => !after.has(sql))
    .map(([, name]) => d.dropIndex(table, unquote(d, name)))
  const createIndexes = [...after.keys()].filter((sql) => !before.has(sql))
  if (!d.alterColumn && needsRebuild(ops, bt, at)) {
    // the renames the rebuild's copy makes, and the indexes it recreates
    return rebuild(d, bt, at, names)
  }
  const lent = lentForeignKeys(d, table, ops, bt, before, after, names)
  // the foreign keys whose index goes are dropped first and added back once it is gone
  const out: string[] = [
    ...[...lent].map((was) => d.dropForeignKey!(table, fkName(bt.model, columnOf(bt.model, was)))),
    ...dropIndexes,
  ]
  for (const op of ops) out.push(...opSql({ d, bt, at, table, lent, names }, op))
  const refks = new Set(
    ops.flatMap((op) =>
      op.op === 'alterColumn' && (op.changes.includes('foreignKey') || op.changes.includes('onDelete'))
        ? [op.column]
        : [],
    ),
  )
  const lentBack = at.model.columns.filter(
    (col) => hasConstraint(col) && lent.has(names.column(table, col.column)) && !refks.has(col.column),
  )
  return [
    ...out,
    ...renamedConstraints(d, ops, bt, at, names, lent),
    ...createIndexes,
    ...lentBack.map((col) => addFkSql(d, at.model, col as Column & { field: ForeignKeyField }, false)),
  ]
}

/** The first column of an index statement's column list. */
const leadOf = (d: Dialect, sql: string): string => unquote(d, /\(([^)]*)\)\s*$/.exec(sql)![1].split(',')[0].trim())

/**
 * The foreign-key columns (by their names before the operations) whose key may lean on an
 * index the operations drop. A database that indexes a foreign key's column by itself (InnoDB)
 * lets the key adopt any index led by its column and then refuses to drop that index ("needed
 * in a foreign key constraint"): such a key is dropped before the index and added back after.
 */
const lentForeignKeys = (
  d: Dialect,
  table: string,
  ops: ReadonlyArray<Operation>,
  bt: TableView,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  names: Names,
): ReadonlySet<string> => {
  if (!d.indexesForeignKeys || !d.dropForeignKey) return new Set()
  const leads = [
    ...[...before.keys()].filter((sql) => !after.has(sql)).map((sql) => leadOf(d, sql)),
    ...ops.flatMap((op) => (op.op === 'dropUnique' ? [names.column(table, op.columns[0])] : [])),
    ...ops
      .flatMap((op) =>
        op.op === 'alterColumn' && op.changes.includes('unique') ? [names.column(table, op.column)] : [],
      )
      .filter((c) => viewOf(bt, c)?.unique),
  ]
  return new Set(leads.filter((c) => bt.model.columns.some((col) => col.column === c && hasConstraint(col))))
}

/**
 * Constraints the operations leave alone whose names come from a table or column that was
 * renamed: dropped and added again under the names the later state gives them, so that a later
 * migration finds them by name. (Indexes are matched by their whole statement, names included.)
 */
const renamedConstraints = (
  d: Dialect,
  ops: ReadonlyArray<Operation>,
  bt: TableView,
  at: TableView,
  names: Names,
  lent: ReadonlySet<string>,
): ReadonlyArray<string> => {
  // SQLite never drops a constraint by name: its rebuild writes the table anew
  if (!d.dropForeignKey || !d.dropUnique) return []
  const q = d.quote
  const table = at.table
  const touched = new Set(ops.flatMap((op) => (op.op === 'alterColumn' || op.op === 'addColumn' ? [op.column] : [])))
  const out: string[] = []
  for (const col of at.model.columns) {
    const wasName = names.column(table, col.column)
    const was = bt.model.columns.find((c) => c.column === wasName)
    if (!was || touched.has(col.column)) continue
    if (
      hasConstraint(col) &&
      hasConstraint(was) &&
      !lent.has(was.column) &&
      fkName(bt.model, was) !== fkName(at.model, col)
    )
      out.push(d.dropForeignKey(table, fkName(bt.model, was)), addFkSql(d, at.model, col, false))
    const unique = viewOf(at, col.column)!.unique
    if (unique && d.columnUniqueName(bt.table, was.column) !== d.columnUniqueName(table, col.column))
      out.push(
        d.dropUnique(table, d.columnUniqueName(bt.table, was.column)),
        `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(d.columnUniqueName(table, col.column))} UNIQUE (${q(col.column)})`,
      )
  }
  const added = new Set(ops.flatMap((op) => (op.op === 'addUnique' ? [JSON.stringify(op.columns)] : [])))
  for (const cols of at.uniques) {
    const wasCols = cols.map((c) => names.column(table, c))
    if (added.has(JSON.stringify(cols)) || indexName(bt.table, wasCols, true) === indexName(table, cols, true)) continue
    out.push(
      d.dropUnique(table, indexName(bt.table, wasCols, true)),
      `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(indexName(table, cols, true))} UNIQUE (${cols.map(q).join(', ')})`,
    )
  }
  return out
}

/**
 * The SQL of operations from the state `before` to `after` (for a downgrade: the inverse
 * operations, from the later state to the earlier).
 */
export const renderSql = (
  d: Dialect,
  ops: ReadonlyArray<Operation>,
  before: Views,
  after: Views,
): ReadonlyArray<string> => {
  const q = d.quote
  const names = namesOf(ops)
  const out: string[] = []
  for (const op of ops)
    if (op.op === 'renameTable')
      out.push(`ALTER TABLE ${q(op.from)} RENAME TO ${q(op.to)}`, ...(d.renamedTable?.(op.from, op.to) ?? []))
  for (const op of ops) if (op.op === 'dropThrough') out.push(`DROP TABLE ${q(op.table)}`)
  const created = ops.flatMap((op) => (op.op === 'createTable' ? [after.tables.get(op.table)!.model] : []))
  if (created.length) out.push(...schemaSql(d, created, false, false))
  const byTable = new Map<string, Operation[]>()
  for (const op of ops)
    if ('table' in op && !['createTable', 'dropTable', 'createThrough', 'dropThrough'].includes(op.op))
      byTable.set(op.table, [...(byTable.get(op.table) ?? []), op])
  // a table whose only change is an index (or a rename) still has its indexes brought in line
  for (const op of ops) if (op.op === 'renameTable' && !byTable.has(op.to)) byTable.set(op.to, [])
  for (const [table, tops] of byTable)
    out.push(...alterTable(d, tops, before.tables.get(names.table(table))!, after.tables.get(table)!, names))
  for (const op of ops)
    if (op.op === 'createThrough') {
      const t = after.throughs.get(op.table)!
      out.push(createThroughSql(d, t.model, t.model.fields[t.field] as ManyToManyField, false))
    }
  const dropped = ops.flatMap((op) => (op.op === 'dropTable' ? [before.tables.get(op.table)!.model] : []))
  for (const m of [...dependencyOrder(dropped)].reverse()) out.push(`DROP TABLE ${q(m.table)}`)
  return out
}

/** The integer kinds' ranges, looked up by any kind (one without a range is no integer). */
const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = INT_RANGE

/** The guards of an altered column: NOT NULL over NULLs, a shorter text, a smaller integer or decimal. */
const alterGuards = (
  d: Dialect,
  op: Extract<Operation, { op: 'alterColumn' }>,
  names: Names,
  before: Views,
  after: Views,
): ReadonlyArray<Guard> => {
  const q = d.quote
  const count = (table: string, where: string): string => `SELECT COUNT(*) FROM ${q(table)} WHERE ${where}`
  const table = names.table(op.table)
  const column = names.column(op.table, op.column)
  const a = viewOf(before.tables.get(table)!, column)!
  const b = viewOf(after.tables.get(op.table)!, op.column)!
  const c = q(column)
  const out: Guard[] = []
  if (a.null && !b.null)
    out.push({
      sql: count(table, `${c} IS NULL`),
      message: `makes ${op.table}.${op.column} NOT NULL, and it holds NULLs`,
    })
  if (b.maxLength !== undefined && (a.maxLength === undefined || b.maxLength < a.maxLength))
    out.push({
      sql: count(table, `${d.length(c)} > ${b.maxLength}`),
      message: `shortens ${op.table}.${op.column} to ${b.maxLength} characters, and longer values are stored`,
    })
  const range = INT_RANGES[b.kind]
  if (range && a.kind !== b.kind && INT_RANGES[a.kind] && INT_RANGES[a.kind][1] > range[1])
    out.push({
      sql: count(table, `${c} < ${range[0]} OR ${c} > ${range[1]}`),
      message: `narrows ${op.table}.${op.column} to ${b.kind}, and larger values are stored`,
    })
  if (a.kind === 'decimal' && b.kind === 'decimal' && b.maxDigits! - b.decimalPlaces! < a.maxDigits! - a.decimalPlaces!)
    out.push({
      sql: count(table, `ABS(${c}) >= 1${'0'.repeat(b.maxDigits! - b.decimalPlaces!)}`),
      message: `narrows ${op.table}.${op.column} to ${b.maxDigits! - b.decimalPlaces!} digits before the point, and larger values are stored`,
    })
  return out
}

/**
 * The checks that keep a migration from losing values: a dropped table that holds rows, a
 * dropped column that holds values, a shorter maxLength than a stored text, a smaller integer
 * type than a stored value, NOT NULL over NULLs, a NOT NULL column without a default added to
 * a table with rows. They run before the migration, on the tables as they are then.
 */
export const guardsOf = (
  d: Dialect,
  ops: ReadonlyArray<Operation>,
  before: Views,
  after: Views,
): ReadonlyArray<Guard> => {
  const q = d.quote
  const names = namesOf(ops)
  const count = (table: string, where?: string): string =>
    `SELECT COUNT(*) FROM ${q(table)}${where ? ` WHERE ${where}` : ''}`
  return ops.flatMap((op): Guard[] => {
    switch (op.op) {
      case 'dropTable':
      case 'dropThrough':
        return [{ sql: count(op.table), message: `drops table ${op.table}, which holds rows` }]
      case 'dropColumn': {
        const table = names.table(op.table)
        return [
          {
            sql: count(table, `${q(op.column)} IS NOT NULL`),
            message: `drops column ${op.table}.${op.column}, which holds non-null values`,
          },
        ]
      }
      case 'addColumn': {
        const v = viewOf(after.tables.get(op.table)!, op.column)!
        if (v.null || v.default !== undefined || v.generated) return []
        return [
          {
            sql: count(names.table(op.table)),
            message: `adds column ${op.table}.${op.column} NOT NULL without a default to a table with rows: give it a default or null: true`,
          },
        ]
      }
      case 'alterColumn':
        return [...alterGuards(d, op, names, before, after)]
      default:
        return []
    }
  })
}
