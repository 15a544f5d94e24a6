/**
 * Relations as the query layers see them: forward foreign keys, their reverse side (named by
 * `relatedName`, default `<model>s` in lower camel case), one-to-one and many-to-many. A relation
 * is walked as a list of join hops, so filters, orderings and prefetch share one description.
 */
import { Field, ForeignKeyField, ManyToManyField } from './fields'
import { Column, Model } from './model'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** One join: rows of `table` whose `to` column equals the previous table's `from` column. */
export interface Hop {
  readonly table: string
  readonly from: string
  readonly to: string
}

export interface Relation {
  readonly name: string
  readonly kind: 'foreignKey' | 'oneToOne' | 'reverseForeignKey' | 'reverseOneToOne' | 'manyToMany'
  readonly source: Model
  readonly target: Model
  /** For a forward key: the foreign key column on the source. */
  readonly column?: Column
  /** Whether the relation may hold many rows (reverse foreign key, many-to-many). */
  readonly many: boolean
  readonly nullable: boolean
  readonly hops: ReadonlyArray<Hop>
  /** The name of the same relation seen from the target (`books` for `author`). */
  readonly inverse: string
}

// ------------------------------------------------------------------------------------------
// utils
// ------------------------------------------------------------------------------------------

const isFk = (f: Field): f is ForeignKeyField => f.kind === 'foreignKey' || f.kind === 'oneToOne'

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/** The reverse name of a relation field: its `relatedName`, or tortoise's default `<model>s`. */
export const reverseName = (owner: Model, field: ForeignKeyField | ManyToManyField): string =>
  field.options.relatedName ?? `${lowerFirst(owner.name)}s`

/** The many-to-many link table: `through`, or `<owner table>_<target table>`. */
export const throughTable = (owner: Model, field: ManyToManyField, target: Model): string =>
  field.options.through ?? `${owner.table}_${target.table}`

/** Link table columns: `<owner>_id` and `<target>_id` (`forwardKey`/`backwardKey` override). */
export const throughColumns = (
  owner: Model,
  field: ManyToManyField,
  target: Model,
): { readonly own: string; readonly other: string } => {
  const own = field.options.backwardKey ?? `${owner.table}_id`
  const other =
    field.options.forwardKey ?? (owner.table === target.table ? `related_${target.table}_id` : `${target.table}_id`)
  return { own, other }
}

const forward = (m: Model, name: string, f: ForeignKeyField): Relation | undefined => {
  const target = m.registry[f.target]
  if (!target) return undefined
  const column = m.columnByKey[`${name}Id`]
  const to = target.columnByKey[f.options.toField ?? target.pk]
  return {
    name,
    kind: f.kind,
    source: m,
    target,
    column,
    many: false,
    nullable: f.nullable,
    hops: [{ table: target.table, from: column.column, to: to.column }],
    inverse: reverseName(m, f),
  }
}

const manyToMany = (
  owner: Model,
  f: ManyToManyField,
  target: Model,
  name: string,
  reverse: boolean,
  fieldName: string,
): Relation => {
  const table = throughTable(owner, f, target)
  const cols = throughColumns(owner, f, target)
  const [near, far] = reverse ? [cols.other, cols.own] : [cols.own, cols.other]
  const source = reverse ? target : owner
  const dest = reverse ? owner : target
  return {
    name,
    kind: 'manyToMany',
    source,
    target: dest,
    many: true,
    nullable: true,
    hops: [
      { table, from: source.columnByKey[source.pk].column, to: near },
      { table: dest.table, from: far, to: dest.columnByKey[dest.pk].column },
    ],
    inverse: reverse ? fieldName : reverseName(owner, f),
  }
}

const resolved = new WeakMap<Model, Map<string, Relation | undefined>>()

/**
 * Finds the relation `name` of model `m` (forward, reverse or many-to-many), if any. A reverse
 * relation is a search of every model of the registry, so the answers for a model whose registry
 * is complete (frozen) are kept: plans and prefetches ask on every call.
 */
export const resolveRelation = (m: Model, name: string): Relation | undefined => {
  if (!Object.isFrozen(m.registry)) return findRelation(m, name)
  let known = resolved.get(m)
  if (!known) resolved.set(m, (known = new Map<string, Relation | undefined>()))
  if (known.has(name)) return known.get(name)
  const rel = findRelation(m, name)
  // Names that are relations are few; names that are not may come from users, without end.
  if (rel !== undefined || known.size < 1000) known.set(name, rel)
  return rel
}

const findRelation = (m: Model, name: string): Relation | undefined => {
  // an own field only: `constructor` or `__proto__` is no relation
  const f = Object.prototype.hasOwnProperty.call(m.fields, name) ? m.fields[name] : undefined
  if (f && isFk(f)) return forward(m, name, f)
  if (f && f.kind === 'manyToMany') {
    const target = m.registry[f.target]
    return target ? manyToMany(m, f, target, name, false, name) : undefined
  }
  for (const other of Object.values(m.registry))
    for (const [fname, of] of Object.entries(other.fields)) {
      if (of.kind === 'manyToMany' && of.target === m.name && reverseName(other, of) === name)
        return manyToMany(other, of, m, name, true, fname)
      if (
        !isFk(of) ||
        of.target !== m.name ||
        (reverseName(other, of) !== name && of.options.relatedQueryName !== name)
      )
        continue
      const fk = other.columnByKey[`${fname}Id`]
      const to = m.columnByKey[of.options.toField ?? m.pk]
      return {
        name,
        kind: of.kind === 'oneToOne' ? 'reverseOneToOne' : 'reverseForeignKey',
        source: m,
        target: other,
        many: of.kind !== 'oneToOne',
        nullable: true,
        hops: [{ table: other.table, from: to.column, to: fk.column }],
        inverse: fname,
      }
    }
  return undefined
}

/** The link table of a many-to-many relation as seen from its source, for the link SQL. */
export const linkOf = (
  rel: Relation,
): { table: string; own: string; other: string; ownKey: Column; otherKey: Column } | undefined =>
  rel.kind === 'manyToMany'
    ? {
        table: rel.hops[0].table,
        own: rel.hops[0].to,
        other: rel.hops[1].from,
        ownKey: rel.source.columnByKey[rel.source.pk],
        otherKey: rel.target.columnByKey[rel.target.pk],
      }
    : undefined
