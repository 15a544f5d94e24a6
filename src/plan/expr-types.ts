/**
 * The static side of expressions on a model: which field paths exist (`'rating'`,
 * `'author__name'`, `'books__rating'`), the value at a path, and the value type an expression
 * yields once the model is known. Paths are resolved one hop at a time from the path written,
 * never enumerated.
 */
import { ForeignKeyField, ManyToManyField } from '../model/fields'
import { Model } from '../model/model'
import { RowOf, TargetOf } from '../model/types'
import { Coalesced, Expr, FieldValue, NotNumeric, Numeric, OrNull, SameNull } from './expr'

type FieldsOf<M> = M extends Model<string, infer F, unknown> ? F : never
type SchemaOf<M> = M extends Model<string, infer _F, infer S> ? S : never
type NameOf<M> = M extends { readonly name: infer N } ? N : never

/** The name a reverse relation gets: `relatedName`, else `<model>s` in lower camel case. */
type ReverseName<Owner, R> = R extends string ? R : `${Uncapitalize<NameOf<Owner> & string>}s`

/** Forward relations (foreign keys, one-to-one, many-to-many) of `M`, by name, to the target model. */
type Forward<M> = {
  [
    K in keyof FieldsOf<M> & string as FieldsOf<M>[K] extends ForeignKeyField | ManyToManyField ? K : never
  ]: FieldsOf<M>[K] extends {
    readonly target: infer T
  }
    ? TargetOf<SchemaOf<M>, T>
    : never
}

type ReverseEntries<M> = {
  [O in keyof SchemaOf<M>]: {
    [K in keyof FieldsOf<SchemaOf<M>[O]>]: FieldsOf<SchemaOf<M>[O]>[K] extends {
      readonly kind: 'foreignKey' | 'oneToOne' | 'manyToMany'
      readonly target: NameOf<M>
      readonly relatedName: infer R
    }
      ? [ReverseName<SchemaOf<M>[O], R>, SchemaOf<M>[O]]
      : never
  }[keyof FieldsOf<SchemaOf<M>[O]>]
}[keyof SchemaOf<M>]

/** Every relation of `M` (forward and reverse), by name, to the target model. */
export type RelationsOf<M> = Forward<M> & { [E in ReverseEntries<M> as E[0] & string]: E[1] }

/** A field path on `M` as written: a row key, a relation name, or `relation__path`. */
export type PathOf<M, P extends string> = P extends `${infer H}__${infer Rest}`
  ? H extends keyof RelationsOf<M>
    ? `${H}__${PathOf<RelationsOf<M>[H], Rest>}`
    : never
  : P extends (keyof RowOf<M> & string) | (keyof RelationsOf<M> & string)
    ? P
    : never

/** The keys `K` are all paths of `M` (used as a constraint: `K extends ValidPaths<M, K>`). */
export type ValidPaths<M, K extends string> = K extends unknown ? PathOf<M, K> : never

/** The value at a field path (null-free for a relation's rows is not promised: to-many paths are aggregated). */
export type PathValue<M, P extends string> = P extends `${infer H}__${infer Rest}`
  ? H extends keyof RelationsOf<M>
    ? PathValue<RelationsOf<M>[H], Rest>
    : unknown
  : P extends keyof RowOf<M>
    ? RowOf<M>[P]
    : number

/** The kind of the field at a path (`'float'`, `'char'`, …), unknown for keys and annotations. */
type KindAt<M, P extends string> = P extends `${infer H}__${infer Rest}`
  ? H extends keyof RelationsOf<M>
    ? KindAt<RelationsOf<M>[H], Rest>
    : unknown
  : P extends keyof FieldsOf<M>
    ? FieldsOf<M>[P] extends { readonly kind: infer K }
      ? K
      : unknown
    : unknown

type NumericKind = 'int' | 'smallint' | 'bigint' | 'float' | 'decimal'
type OtherKind = 'char' | 'text' | 'boolean' | 'datetime' | 'date' | 'time' | 'uuid' | 'json' | 'enum' | 'binary'

/** Whether each operand of `L` is a number: a numeric field (decimals included), or a value of number type. */
type OperandOk<M, L, R> =
  L extends FieldValue<infer P>
    ? KindAt<M, P> extends NumericKind
      ? true
      : KindAt<M, P> extends OtherKind
        ? false
        : [Exclude<Resolve<M, L, R>, null>] extends [number | bigint]
          ? true
          : false
    : [Exclude<Resolve<M, L, R>, null>] extends [number | bigint]
      ? true
      : false

type CoalesceList<M, L, R> = L extends readonly [infer H, ...infer T]
  ? null extends Resolve<M, H, R>
    ? Exclude<Resolve<M, H, R>, null> | CoalesceList<M, T, R>
    : Resolve<M, H, R>
  : null

/**
 * The value type of an expression on model `M` whose rows are `R` (markers resolved against
 * its fields, and against earlier annotations in `R`).
 */
export type Resolve<M, A, R = unknown> =
  A extends FieldValue<infer P>
    ? P extends keyof R
      ? R[P]
      : PathValue<M, P>
    : A extends OrNull<infer B>
      ? Resolve<M, B, R> | null
      : A extends Numeric<infer L, infer B>
        ? false extends OperandOk<M, L, R>
          ? NotNumeric
          : Resolve<M, B, R> | (null extends Resolve<M, L, R> ? null : never)
        : A extends SameNull<infer X, infer B>
          ? Resolve<M, B, R> | (null extends Resolve<M, X, R> ? null : never)
          : A extends Coalesced<infer L>
            ? CoalesceList<M, L, R>
            : A

// ------------------------------------------------------------------------------------------
// annotations in filters, orderings and projections
// ------------------------------------------------------------------------------------------

/** The names of the annotations a plan's rows carry (the keys of `R` that are not fields of `M`). */
export type AnnotationKeys<M, R> = R extends object ? Exclude<keyof R, keyof RowOf<M>> & string : never

type Cmp = 'gt' | 'gte' | 'lt' | 'lte'

type AnnotationEntries<K extends string, A> =
  | [K | `${K}__exact`, A | Expr<unknown, string>]
  | [`${K}__not`, A | Expr<unknown, string>]
  | [`${K}__${Cmp}`, NonNullable<A> | Expr<unknown, string>]
  | [`${K}__in` | `${K}__notIn`, ReadonlyArray<NonNullable<A>>]
  | [`${K}__range`, readonly [NonNullable<A>, NonNullable<A>]]
  | [`${K}__isnull` | `${K}__notIsnull`, boolean]

/** Conditions on annotations: `{ n__gte: 2 }` after `annotate({ n: Count('books') })` (HAVING). */
export type AnnotationFilter<M, R> = {
  readonly [
    E in { [K in AnnotationKeys<M, R>]: AnnotationEntries<K, R[K & keyof R]> }[AnnotationKeys<M, R>] as E[0]
  ]?: E[1]
}

/** Field paths of `M` one hop deep, as a plain union (for constraints): `'rating' | 'author__…'`. */
export type PathsOf<M> =
  (keyof RowOf<M> & string) | (keyof RelationsOf<M> & string) | `${keyof RelationsOf<M> & string}__${string}`

/**
 * Checks an expression a filter object compares with (`pages__gt: F('rating')`): it may read
 * only paths of `M` or annotations of the rows `R`. Any other value passes (`unknown`).
 */
export type CheckFilterExpr<M, R, V> = [V] extends [{ readonly _K?: () => infer P }]
  ? [P] extends [ValidPaths<M, P & string> | AnnotationKeys<M, R>]
    ? unknown
    : Expr<unknown, ValidPaths<M, P & string> | AnnotationKeys<M, R>>
  : unknown
