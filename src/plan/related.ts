/**
 * Relation managers, tortoise's `book.tags.add(tag)` as plans: `related(Book, book, 'tags')` is
 * a record whose `all` is a query of the related rows and whose `add`/`remove`/`clear` build
 * plans that change the link table. Building them touches no database; `run(db)` does.
 */
import { TerrapinError, ValidationIssue, invalid, validationError } from '../errors'
import { Column, Model } from '../model/model'
import { RelationInfo, RelationNames, RelatedModel } from '../model/relation-types'
import { resolveRelation } from '../model/relations'
import { PkKeyOf, PkOf, RowOf } from '../model/types'
import { checkColumnValue } from '../model/validate'
import { Cond, Link, freeze } from './ast'
import { Query, query } from './query'
import { unknownField } from '../model/suggest'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** A row given by its primary key, or any object carrying it (a row of the model). */
export type RowRefOf<M> = PkOf<M> | { readonly [K in PkKeyOf<M>]: PkOf<M> }

/** The related rows of one row, as a query to refine with `where`, `orderBy`, … and run. */
export interface RelatedRows<T> {
  /**
   * The related rows, as a query.
   *
   * @example
   * ```ts
   * pipe(related(Author, 1, 'books').all, orderBy('title'))
   * ```
   * ```sql
   * -- sqlite
   * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
   * FROM "book" AS "t0"
   * WHERE "t0"."author_id" = ?
   * ORDER BY "t0"."title" ASC
   * -- postgres
   * SELECT "t0"."id", "t0"."title", "t0"."rating", "t0"."author_id"
   * FROM "book" AS "t0"
   * WHERE "t0"."author_id" = $1
   * ORDER BY "t0"."title" ASC
   * -- mysql
   * SELECT `t0`.`id`, `t0`.`title`, CAST(`t0`.`rating` AS CHAR), `t0`.`author_id`
   * FROM `book` AS `t0`
   * WHERE `t0`.`author_id` = ?
   * ORDER BY `t0`.`title` ASC
   * ```
   */
  readonly all: Query<T, RowOf<T>>
}

/** A many-to-many relation of one row: its related rows and the plans that change its links. */
export interface ManyToManyManager<T> extends RelatedRows<T> {
  /** Links rows (keys or rows); a link that exists is left alone. Yields the number of links created. */
  readonly add: (...rows: ReadonlyArray<RowRefOf<T>>) => Link<number>
  /** Unlinks rows; yields the number of links removed. */
  readonly remove: (...rows: ReadonlyArray<RowRefOf<T>>) => Link<number>
  /** Unlinks every related row; yields the number of links removed. */
  readonly clear: Link<number>
}

/** `RelationInfo` of a many-to-many relation (either direction) is the only one many and not nullable. */
type Manager<M, H> =
  RelationInfo<M, H> extends { many: true; nullable: false }
    ? ManyToManyManager<RelatedModel<M, H>>
    : RelatedRows<RelatedModel<M, H>>

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

const keyOf = (model: Model, ref: unknown): unknown =>
  typeof ref === 'object' && ref !== null && !(ref instanceof Date) ? (ref as Record<string, unknown>)[model.pk] : ref

const checkKeys = (
  col: Column,
  refs: ReadonlyArray<unknown>,
  model: Model,
  label: string,
): ReadonlyArray<ValidationIssue> =>
  refs.flatMap((ref, i) =>
    checkColumnValue(col, keyOf(model, ref)).map((message) => ({ field: `${label}[${i}]`, message })),
  )

/**
 * The manager of relation `relation` of one row of `model` (given as a row or its key). Every
 * relation has `all`; many-to-many relations, in either direction, also `add`, `remove` and
 * `clear`. Each is a plan: run it like any other, in a transaction or not.
 *
 * @example
 * ```ts
 * const { Post, Tag } = schema({
 *   Post: model('Post', { fields: { tags: fields.manyToMany('Tag', { relatedName: 'posts' }) } }),
 *   Tag: model('Tag', { fields: { name: fields.char({ maxLength: 30 }) } }),
 * })
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Post, Tag])()
 * const exec = runPromise(db)
 * const post = await exec(create(Post, {}))
 * const [a, b] = await exec(bulkCreate(Tag, [{ name: 'a' }, { name: 'b' }]))
 * const tags = related(Post, post, 'tags')
 * await exec(tags.add(a, b, a)) // a link that exists is skipped
 * await exec(tags.remove(a))
 * console.log(await exec(pipe(tags.all, orderBy('name'), valuesFlat('name'))))
 * //> [ 'b' ]
 * await exec(tags.clear)
 * await close(db)
 * ```
 */
export const related = <M extends Model, const H extends RelationNames<M>>(
  model: M,
  owner: RowRefOf<M>,
  relation: H,
): Manager<M, H> => {
  const rel = resolveRelation(model, relation)
  const key = keyOf(model, owner)
  const ownerIssues = checkKeys(model.columnByKey[model.pk], [owner], model, 'owner')
  const ownerError: TerrapinError | undefined = !rel
    ? invalid(relation, unknownField(model, relation, 'relation'), model.name)
    : ownerIssues.length > 0
      ? validationError(ownerIssues, model.name)
      : undefined
  const target = rel?.target ?? model
  const base = query(target) as Query<unknown, unknown>
  let all: Query<unknown, unknown>
  if (ownerError || !rel) all = freeze({ ...base, error: ownerError })
  else {
    // A reverse key compares its own column; other relations go through their inverse (EXISTS).
    const direct =
      (rel.kind === 'reverseForeignKey' || rel.kind === 'reverseOneToOne') &&
      rel.hops[0].from === model.columnByKey[model.pk].column
    const fk = direct ? target.columns.find((c) => c.column === rel.hops[0].to)!.key : undefined
    const cond: Cond = freeze({
      _tag: 'Cond',
      path: freeze(fk ? [] : [rel.inverse]),
      key: fk ?? model.pk,
      lookup: 'exact',
      value: key,
    })
    all = freeze({ ...base, where: cond })
  }
  const link = (kind: Link<number>['kind'], refs: ReadonlyArray<unknown>): Link<number> => {
    const issues = checkKeys(target.columnByKey[target.pk], refs, target, relation)
    const error =
      ownerError ??
      (rel && rel.kind !== 'manyToMany'
        ? invalid(relation, `${kind} applies to many-to-many relations; set the foreign key instead`, model.name)
        : undefined) ??
      (issues.length > 0 ? validationError(issues, target.name) : undefined)
    const plan: Link<number> = freeze({
      _tag: 'Link',
      kind,
      model,
      relation,
      owner: key,
      others: freeze(refs.map((r) => keyOf(target, r))),
    })
    return error ? freeze({ ...plan, error }) : plan
  }
  return freeze({
    all,
    add: (...rows: ReadonlyArray<unknown>) => link('add', rows),
    remove: (...rows: ReadonlyArray<unknown>) => link('remove', rows),
    clear: link('clear', []),
  }) as unknown as Manager<M, H>
}
