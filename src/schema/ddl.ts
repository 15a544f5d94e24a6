/**
 * DDL from models: CREATE TABLE with keys, uniques, foreign keys (with their ON DELETE action)
 * and indexes, plus the link tables of many-to-many fields, in dependency order.
 */
import * as TE from 'fp-ts/TaskEither'
import { Dialect } from '../compile/dialect'
import { TerrapinError } from '../errors'
import { ForeignKeyField, ManyToManyField } from '../model/fields'
import { AnyModel, Column, Model, givenIndexName, indexFields } from '../model/model'
import { throughColumns, throughTable } from '../model/relations'
import { Db, toError } from '../run/statement'

/** Whether a column stores a foreign key. */
export const isFk = (c: Column): c is Column & { field: ForeignKeyField } =>
  c.field.kind === 'foreignKey' || c.field.kind === 'oneToOne'

/** Whether a foreign key column gets a FOREIGN KEY constraint (not when its field says `dbConstraint: false`). */
export const hasConstraint = (c: Column): c is Column & { field: ForeignKeyField } =>
  isFk(c) && c.field.options.dbConstraint !== false

/** A value as an SQL literal of the column (DEFAULT clauses). */
export const literal = (d: Dialect, col: Column, v: unknown): string => {
  const e = d.encode(col, v)
  return typeof e === 'number' || typeof e === 'bigint'
    ? String(e)
    : typeof e === 'boolean'
      ? e
        ? d.true
        : d.false
      : `'${String(e).replace(/'/g, "''")}'`
}

/** Whether the database numbers the column: an integer primary key the input may leave out, with no default. */
export const isGeneratedKey = (col: Column): boolean =>
  col.pk &&
  col.field.optional &&
  (col.kind === 'int' || col.kind === 'bigint' || col.kind === 'smallint') &&
  (col.field.options as { default?: unknown }).default === undefined

/** A column's definition in CREATE TABLE (or ALTER TABLE … ADD COLUMN). */
export const columnSql = (d: Dialect, m: Model, col: Column): string => {
  const q = d.quote
  const o = col.field.options as { default?: unknown; unique?: boolean }
  const generated = isGeneratedKey(col)
  const parts = [q(col.column), generated ? d.generatedKeyType(col) : d.columnType(col)]
  if (!col.field.nullable) parts.push('NOT NULL')
  if (isFk(col) && o.default !== undefined && typeof o.default !== 'function')
    parts.push(`DEFAULT ${literal(d, col, o.default)}`)
  if (col.pk) parts.push('PRIMARY KEY')
  if (generated) parts.push(d.autoIncrement(col))
  if (!col.pk && o.unique) parts.push('UNIQUE')
  const check = d.columnCheck(col, q(col.column))
  if (check) parts.push(check)
  const description = col.field.options.description
  if (description !== undefined && d.comments.column) parts.push(d.comments.column(description))
  void m
  return parts.join(' ')
}

const fkSql = (d: Dialect, m: Model, col: Column & { field: ForeignKeyField }): string => {
  const target = m.registry[col.field.target] ?? m
  const to = target.columnByKey[col.field.options.toField ?? target.pk]
  return `FOREIGN KEY (${d.quote(col.column)}) REFERENCES ${d.quote(target.table)} (${d.quote(to.column)}) ON DELETE ${col.field.options.onDelete ?? 'CASCADE'}`
}

/** The name of a foreign key's constraint. */
export const fkName = (m: Model, col: Column): string => `fk_${m.table}_${col.column}`.slice(0, 60)

/**
 * A foreign key added after both tables exist: how mutually referencing tables (Author ↔ Book)
 * are created on PostgreSQL and MySQL, which check the target table in CREATE TABLE.
 */
export const addFkSql = (d: Dialect, m: Model, col: Column & { field: ForeignKeyField }, safe: boolean): string => {
  const q = d.quote
  const name = fkName(m, col)
  const body = fkSql(d, m, col)
  return safe
    ? d.addForeignKeyIfMissing(m.table, name, body)
    : `ALTER TABLE ${q(m.table)} ADD CONSTRAINT ${q(name)} ${body}`
}

/** The name of an index or unique constraint over columns of a table. */
export const indexName = (table: string, cols: ReadonlyArray<string>, unique: boolean): string => {
  const name = `${unique ? 'uq' : 'idx'}_${table}_${cols.join('_')}`
  return name.length <= 60
    ? name
    : `${name.slice(0, 48)}_${Math.abs([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)).toString(36)}`
}

const columnsOf = (m: Model, keys: ReadonlyArray<string>): ReadonlyArray<string> =>
  keys.map((k) => (m.columnByKey[k] ?? m.columnByKey[`${k}Id`])?.column ?? k)

/** The statements that create one model's table and indexes. */
export const createTableSql = (
  d: Dialect,
  m: Model,
  safe: boolean,
  deferred: ReadonlySet<Column> = new Set(),
): ReadonlyArray<string> => {
  const q = d.quote
  const ine = safe ? 'IF NOT EXISTS ' : ''
  const body = [
    ...m.columns.map((c) => columnSql(d, m, c)),
    ...(m.meta.uniqueTogether ?? []).map(
      (keys) =>
        `CONSTRAINT ${q(indexName(m.table, columnsOf(m, keys), true))} UNIQUE (${columnsOf(m, keys).map(q).join(', ')})`,
    ),
    ...m.columns
      .filter(hasConstraint)
      .filter((c) => !deferred.has(c))
      // named, so that a migration can drop it
      .map((c) => `CONSTRAINT ${q(fkName(m, c))} ${fkSql(d, m, c)}`),
  ]
  const wanted: ReadonlyArray<readonly [string | undefined, ReadonlyArray<string>]> = [
    ...m.columns
      .filter((c) => (c.field.options as { index?: boolean }).index && !c.pk)
      .map((c) => [undefined, [c.column]] as const),
    ...(m.meta.indexes ?? []).map((s) => [givenIndexName(s), columnsOf(m, indexFields(s))] as const),
    // the database indexes a constrained key itself where `indexesForeignKeys`; a key without one, nowhere
    ...m.columns
      .filter((c) => isFk(c) && !(c.field.options as { unique?: boolean }).unique)
      .filter((c) => !d.indexesForeignKeys || !hasConstraint(c))
      .map((c) => [undefined, [c.column]] as const),
  ]
  // A foreign key with `index: true` is asked for twice; one index per column list (or given name).
  const indexes = new Map(wanted.map(([name, cols]) => [name ?? indexName(m.table, cols, false), cols]))
  return [
    `CREATE TABLE ${ine}${q(m.table)} (${body.join(', ')})${d.tableSuffix}${tableComment(d, m)}`,
    ...[...indexes].map(([name, cols]) => `CREATE INDEX ${ine}${q(name)} ON ${q(m.table)} (${cols.map(q).join(', ')})`),
    ...fulltextSql(d, m, ine),
  ]
}

/** The full-text indexes of the fields declared `fulltext` (`ft_<table>_<column>`), where the dialect makes them. */
const fulltextSql = (d: Dialect, m: Model, ine: string): ReadonlyArray<string> => {
  const make = d.fulltextIndex
  if (!make) return []
  return m.columns
    .filter((c) => (c.field.options as { fulltext?: boolean }).fulltext === true)
    .map((c) =>
      make(ine, d.quote(`ft_${indexName(m.table, [c.column], false).slice(4)}`), d.quote(m.table), d.quote(c.column)),
    )
}

const tableComment = (d: Dialect, m: Model): string =>
  m.meta.description !== undefined && d.comments.table ? d.comments.table(m.meta.description) : ''

/** The COMMENT ON statements of a model's descriptions, where the dialect comments in statements (PostgreSQL). */
export const commentSql = (d: Dialect, m: Model): ReadonlyArray<string> => {
  const statement = d.comments.statement
  if (!statement) return []
  return [
    ...(m.meta.description !== undefined ? [statement(m.table, undefined, m.meta.description)] : []),
    ...m.columns.flatMap((c) =>
      c.field.options.description !== undefined ? [statement(m.table, c.column, c.field.options.description)] : [],
    ),
  ]
}

/** The link table of a many-to-many field. */
export const createThroughSql = (d: Dialect, m: Model, field: ManyToManyField, safe: boolean): string => {
  const q = d.quote
  const target = m.registry[field.target]
  const table = throughTable(m, field, target)
  const { own, other } = throughColumns(m, field, target)
  const ownPk = m.columnByKey[m.pk]
  const otherPk = target.columnByKey[target.pk]
  return (
    `CREATE TABLE ${safe ? 'IF NOT EXISTS ' : ''}${q(table)} (` +
    `${q(own)} ${d.columnType(ownPk)} NOT NULL, ${q(other)} ${d.columnType(otherPk)} NOT NULL, ` +
    `CONSTRAINT ${q(indexName(table, [own, other], true))} UNIQUE (${q(own)}, ${q(other)}), ` +
    `FOREIGN KEY (${q(own)}) REFERENCES ${q(m.table)} (${q(ownPk.column)}) ON DELETE CASCADE, ` +
    `FOREIGN KEY (${q(other)}) REFERENCES ${q(target.table)} (${q(otherPk.column)}) ON DELETE CASCADE)${d.tableSuffix}`
  )
}

/** Models ordered so that every foreign key's target comes first (cycles keep their order). */
export const dependencyOrder = (models: ReadonlyArray<Model>): ReadonlyArray<Model> => {
  const byName = new Map(models.map((m) => [m.name, m]))
  const done = new Set<string>()
  const visiting = new Set<string>()
  const out: Model[] = []
  const visit = (m: Model): void => {
    if (done.has(m.name) || visiting.has(m.name)) return
    visiting.add(m.name)
    for (const c of m.columns)
      if (isFk(c) && c.field.target !== m.name && byName.has(c.field.target)) visit(byName.get(c.field.target)!)
    visiting.delete(m.name)
    done.add(m.name)
    out.push(m)
  }
  models.forEach(visit)
  return out
}

/** Every statement `generateSchemas` runs, in order (`links` false: without the many-to-many link tables). */
export const schemaSql = (
  d: Dialect,
  models: ReadonlyArray<AnyModel>,
  safe: boolean,
  links = true,
): ReadonlyArray<string> => {
  const ordered = dependencyOrder(models as ReadonlyArray<Model>)
  // Keys to tables created later (a cycle) are added once every table exists; SQLite takes
  // them inline, since it checks the target only when rows are written.
  const position = new Map(ordered.map((m, i) => [m.name, i]))
  const later = (m: Model, c: Column & { field: ForeignKeyField }): boolean =>
    (position.get(c.field.target) ?? -1) > position.get(m.name)!
  const deferred = new Set(
    d.inlineForeignKeys ? [] : ordered.flatMap((m) => m.columns.filter(hasConstraint).filter((c) => later(m, c))),
  )
  const linkSql = ordered.flatMap((m) =>
    Object.values(links ? m.fields : {})
      .filter((f): f is ManyToManyField => f.kind === 'manyToMany')
      .map((f) => createThroughSql(d, m, f, safe)),
  )
  const alters = ordered.flatMap((m) =>
    m.columns
      .filter(hasConstraint)
      .filter((c) => deferred.has(c))
      .map((c) => addFkSql(d, m, c, safe)),
  )
  return [
    ...ordered.flatMap((m) => [...createTableSql(d, m, safe, deferred), ...commentSql(d, m)]),
    ...alters,
    ...linkSql,
  ]
}

/**
 * Creates the tables of the models (and their many-to-many link tables). With `safe`, tables
 * and indexes that exist are left alone (`IF NOT EXISTS`).
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * console.log(await generateSchemas(db, [Author, Book], { safe: true })())
 * //> { _tag: 'Right', right: undefined }
 * await close(db)
 * ```
 */
export const generateSchemas =
  (
    db: Db,
    models: ReadonlyArray<AnyModel>,
    options: { readonly safe?: boolean } = {},
  ): TE.TaskEither<TerrapinError, void> =>
  async () => {
    const ex = db.executor
    try {
      // the DDL depends on the server (MySQL and MariaDB name their collations differently)
      if (ex.ready) await ex.ready
      for (const sql of schemaSql(ex.dialect, models, options.safe ?? false)) await ex.run(sql, [])
      return { _tag: 'Right', right: undefined }
    } catch (e) {
      return { _tag: 'Left', left: toError(ex, e) }
    }
  }
