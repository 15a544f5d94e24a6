/**
 * The static shape of filters, orderings and projections of a model. `FilterOf` lists a model's
 * own fields and all their lookups (what `q` checks against); `where`/`exclude` take own fields
 * eagerly and check lookups, date parts and relation paths from the keys the user wrote (see
 * `CheckFilter`), one hop at a time, never enumerated.
 */
import { ForeignKeyField, ScalarField, ScalarKind } from '../model/fields'
import { Model } from '../model/model'
import { NameOf, RelationInfo, RelationNames, RelatedModel } from '../model/relation-types'
import { BaseOf, FkKeys, FkTargetField, PkOf, RowOf, ScalarKeys } from '../model/types'
import { DatePart, Param, Select } from './ast'
import type { Expr } from './expr'

type FieldsOf<M> = M extends Model<string, infer F, unknown> ? F : never
type SchemaOf<M> = M extends Model<string, infer _F, infer S> ? S : never

/**
 * `T` for a model `M`, else `unknown`. While a call's model is still being inferred (`where`'s,
 * whose model comes from the plan `pipe` passes it), the filter object is typed in the context of
 * the types of its keys with the model a type parameter; TypeScript then explores every branch of
 * such a type to find what it can be. Behind this test, nothing but `unknown` is found until the
 * model is known.
 */
export type IfModel<M, T> = [M] extends [{ readonly _tag: 'Model' }] ? T : unknown

/** What the type level knows of a stored column. */
interface Info {
  readonly kind: ScalarKind
  readonly a: unknown
  readonly n: boolean
}

type FkInfo<F, S> =
  F extends ForeignKeyField<infer _T, infer _R, infer N>
    ? FkTargetField<F, S> extends ScalarField<infer Kd, infer A>
      ? { kind: Kd; a: A; n: N }
      : never
    : never

/**
 * Stored columns by row key: one object type per model (not an intersection, whose keys and
 * members every lookup of a filter key would combine again).
 */
export type ColumnInfo<M> = Flat<
  {
    [K in ScalarKeys<FieldsOf<M>>]: FieldsOf<M>[K] extends ScalarField<infer Kd, infer A, infer N>
      ? { kind: Kd; a: A; n: N }
      : never
  } & { [K in FkKeys<FieldsOf<M>> as `${K}Id`]: FkInfo<FieldsOf<M>[K], SchemaOf<M>> }
>

type Flat<T> = { [K in keyof T]: T[K] }

type Cmp = 'gt' | 'gte' | 'lt' | 'lte'
type Base = 'exact' | 'not' | 'in' | 'notIn' | 'isnull' | 'notIsnull'
type Text = 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'iexact' | Pattern
/** Lookups of a text column that a json path does not take. */
type Pattern = 'regex' | 'iregex' | 'search'

/** A document a json value contains: objects with some of their keys, arrays with some of their elements. */
export type JsonPart<A> =
  A extends ReadonlyArray<infer E>
    ? ReadonlyArray<JsonPart<E>> | (E extends object ? never : E)
    : A extends object
      ? { readonly [K in keyof A]?: JsonPart<A[K]> }
      : A

type LookupsOf<K extends ScalarKind> = K extends 'json'
  ? 'isnull' | 'notIsnull' | 'exact' | 'not' | 'contains' | 'containedBy'
  : K extends 'char' | 'text'
    ? Base | Cmp | 'range' | Text
    : K extends 'int' | 'bigint' | 'smallint' | 'float' | 'decimal' | 'datetime' | 'date' | 'time' | 'uuid'
      ? Base | Cmp | 'range'
      : K extends 'boolean' | 'enum' | 'binary'
        ? Base
        : never

type PartsOf<K extends ScalarKind> = K extends 'datetime'
  ? DatePart
  : K extends 'date'
    ? 'year' | 'quarter' | 'month' | 'week' | 'day'
    : K extends 'time'
      ? 'hour' | 'minute' | 'second'
      : never

/** A literal value, a named placeholder, or an expression (`F('other')`, `OuterRef('id')`). */
export type Arg<A> = A | Param | Expr<unknown, string>

/** A plan whose rows are the values of an `in` list (`valuesFlat`, `values` of one field, or rows by key). */
type Subquery<A> =
  | Select<ReadonlyArray<A | null>>
  | Select<ReadonlyArray<{ readonly [k: string]: A | null }>>
  | Select<ReadonlyArray<object>>

type Nullable<I extends Info> = I['n'] extends true ? null : never

type LookupValue<I extends Info, L> = I['kind'] extends 'json'
  ? JsonLookupValue<I, L>
  : L extends 'in' | 'notIn'
    ? ReadonlyArray<Arg<I['a']>> | Param | Subquery<I['a']>
    : L extends 'range'
      ? readonly [I['a'] | Param, I['a'] | Param] | Param
      : L extends 'isnull' | 'notIsnull'
        ? boolean
        : L extends Text
          ? string | Param
          : L extends 'exact' | 'not'
            ? Arg<I['a']> | Nullable<I>
            : Arg<I['a']>

/** Values of a json field's lookups: a document of its type (or part of one, for `contains`). */
type JsonLookupValue<I extends Info, L> = L extends 'isnull' | 'notIsnull'
  ? boolean
  : L extends 'contains'
    ? JsonPart<I['a']> | Param
    : L extends 'containedBy'
      ? unknown
      : I['a'] | Param | Nullable<I>

type PartLookupValue<L> = L extends 'in' | 'notIn'
  ? ReadonlyArray<number>
  : L extends 'range'
    ? readonly [number, number]
    : Arg<number>

/** The keys of one column: itself, its lookups, its date parts and their lookups (`publishedAt__year__gte`). */
type KeysOfColumn<C extends string, K extends ScalarKind> =
  C | `${C}__${LookupsOf<K>}` | `${C}__${PartsOf<K>}` | `${C}__${PartsOf<K>}__${Cmp | 'in' | 'notIn' | 'range' | 'not'}`

/** Every key of `M`'s own columns, lookups and date parts, as one union of string literals. */
type OwnKeys<M> = {
  [C in keyof ColumnInfo<M> & string]: KeysOfColumn<C, ColumnInfo<M>[C]['kind']>
}[keyof ColumnInfo<M> & string]

/**
 * Conditions on the model's own columns, every column × lookup × date part listed (`{ title:
 * 'x', rating__gte: 4, title__icontains: 'y', publishedAt__year__gte: 2020 }`): what `q` checks
 * its filter objects against. The keys are listed eagerly; each key's value type is resolved
 * only when a filter uses that key.
 */
export type OwnFilter<in out M> = { readonly [K in OwnKeys<M>]?: IfModel<M, OwnValue<M, K>> }

/** The value type of an own key: a column compared with a value, or a lookup or date part as written. */
type OwnValue<M, K> = K extends keyof ColumnInfo<M> ? EqualityValue<ColumnInfo<M>[K]> : ColumnValue<M, K & string>

/** What a column is compared with (`title: 'x'`). */
type EqualityValue<I> = I extends Info
  ? I['kind'] extends 'json'
    ? // json compares as documents (jsonb's equality on every dialect), never with expressions
      I['a'] | Param | Nullable<I>
    : Arg<I['a']> | Nullable<I>
  : never

/** A column compared with a value (`title: 'x'`), its type known eagerly. */
type ColumnEquality<M> = {
  readonly [C in keyof ColumnInfo<M> & string]?: IfModel<M, EqualityValue<ColumnInfo<M>[C]>>
}

/** `where({ author: authorRow })` — a relation compared by key, as tortoise allows. */
type RelationEquality<M> = { readonly [K in FkKeys<FieldsOf<M>>]?: Readonly<Record<string, unknown>> | null }

/** The names of `M`'s relations to many rows and reverse one-to-ones (no key stored on `M`). */
type ExistenceNames<M> = {
  [H in RelationNames<M>]: RelationInfo<M, H> extends { forward: false } ? H : never
}[RelationNames<M>]

/** A related row, or its key. */
type RelatedRef<T> = Readonly<Record<string, unknown>> | PkOf<T> | Param

/** The value of `books`, `books__in`, `books__not`, `books__isnull`: existence of related rows. */
type ExistenceValue<T, L> = L extends 'in'
  ? ReadonlyArray<RelatedRef<T>> | Subquery<PkOf<T>>
  : L extends 'isnull' | 'notIsnull'
    ? boolean
    : L extends 'exact' | 'not'
      ? RelatedRef<T> | null
      : never

type ExistenceLookup = 'exact' | 'not' | 'in' | 'isnull' | 'notIsnull'

/** `where({ books: row })`, `where({ tags: 3 })`: some related row is this one (EXISTS). */
type RelationExistence<M> = {
  readonly [K in ExistenceNames<M> & string]?: ExistenceValue<RelatedModel<M, K>, 'exact'>
}

/**
 * Keys through a relation, `author__name` or `books__title__contains`: the first hop offered
 * for completion, the rest checked as written by {@link CheckFilter}.
 */
type RelationKeys<M> = { readonly [K in `${RelationNames<M>}__${string}`]?: unknown }

/** The json columns of `M`. */
type JsonColumns<M> = {
  [C in keyof ColumnInfo<M> & string]: ColumnInfo<M>[C] extends { kind: 'json' } ? C : never
}[keyof ColumnInfo<M> & string]

/** Paths into json columns, `data__author__name__icontains`: by pattern, checked by {@link CheckFilter}. */
type JsonPathKeys<M> = { readonly [K in `${JsonColumns<M>}__${string}`]?: unknown }

/** A filter object on model `M`: own fields eagerly, relation and json paths by pattern (checked lazily). */
export type FilterOf<M> = OwnFilter<M> & RelationEquality<M> & RelationExistence<M> & RelationKeys<M> & JsonPathKeys<M>

type JsonScalar = string | number | boolean
type JsonPathLookup = Base | Cmp | 'range' | Exclude<Text, Pattern>

/** The value of lookup `L` at a json path whose value is `V`. */
type JsonLookupAt<V, L> = L extends Text
  ? string
  : L extends 'isnull' | 'notIsnull'
    ? boolean
    : L extends 'in' | 'notIn'
      ? ReadonlyArray<V>
      : L extends 'range'
        ? readonly [V, V]
        : L extends 'exact' | 'not'
          ? V | null
          : V

/** One step into a codec's type: an object key, or an array index. */
type JsonStep<A, K extends string> =
  A extends ReadonlyArray<infer E> ? (K extends `${number}` ? E : never) : K extends keyof A ? A[K] : never

/** A scalar compared at a path: the codec's type there (only scalars can be compared). */
type JsonLeaf<V> = Extract<V, JsonScalar>

/**
 * The value type of `Rest` (`author__name__icontains`) into a json field of type `A`: any path
 * without a codec (scalar values), the codec's types along the path with one.
 */
type JsonPathValue<A, Rest extends string> = unknown extends A
  ? Rest extends `${string}__${infer L}`
    ? L extends JsonPathLookup
      ? JsonLookupAt<JsonScalar, L>
      : JsonScalar | null
    : JsonScalar | null
  : Rest extends `${infer K}__${infer R2}`
    ? [JsonStep<A, K>] extends [never]
      ? Invalid<`${K} is not a key of the json document`>
      : R2 extends JsonPathLookup
        ? [JsonStep<JsonStep<A, K>, R2>] extends [never]
          ? JsonLookupAt<JsonLeaf<JsonStep<A, K>>, R2>
          : JsonPathValue<JsonStep<A, K>, R2>
        : JsonPathValue<JsonStep<A, K>, R2>
    : [JsonStep<A, Rest>] extends [never]
      ? Invalid<`${Rest} is not a key of the json document`>
      : JsonLeaf<JsonStep<A, Rest>> | null

/** Keys of a filter object that walk relations or json documents, or name lookups: checked as written. */
type PathKeys = { readonly [K: `${string}__${string}`]: unknown }

/**
 * What `where`/`exclude` constrain a filter object to before {@link CheckFilter} checks each key
 * as written: columns compared with a value (their types known, for completion and checking),
 * relation names, and keys with `__` by pattern: the model's own keys, neither the lookups of
 * each column nor anything of the related models, so cheap to check, with the same keys completed.
 */
export type WrittenFilter<M> = ColumnEquality<M> & { readonly [K in RelationNames<M>]?: unknown } & PathKeys

/** A key the type level rejects, with the reason in the error message. */
export interface Invalid<Reason extends string> {
  readonly __invalid: Reason
}

type NoField<M, K> = Invalid<`${NameOf<M> & string} has no field ${K & string}`>

type PartValue<K extends ScalarKind, P extends string, L extends string> =
  P extends PartsOf<K> ? (L extends Cmp | 'in' | 'notIn' | 'range' | 'not' ? PartLookupValue<L> : never) : never

/**
 * The value type of an own key (`name`, `name__icontains`, `publishedAt__year__gte`) of a model
 * reached through a relation, resolved from the key as written (the eager {@link OwnFilter} of
 * every model a path reaches would cost more than the whole check), or never.
 */
type ColumnValue<T, Rest extends string, C = ColumnInfo<T>> = Rest extends keyof C
  ? C[Rest] extends infer I extends Info
    ? Arg<I['a']> | Nullable<I>
    : never
  : Rest extends `${infer Col}__${infer L}`
    ? Col extends keyof C
      ? C[Col] extends infer I extends Info
        ? L extends LookupsOf<I['kind']>
          ? LookupValue<I, L>
          : L extends PartsOf<I['kind']>
            ? Arg<number>
            : L extends `${infer P}__${infer L2}`
              ? PartValue<I['kind'], P, L2>
              : never
        : never
      : never
    : never

/** The value type of `Rest` (`name`, `name__icontains`, `tags__name`) on the model `T` of a relation. */
type TargetValue<T, Rest extends string> = [ColumnValue<T, Rest>] extends [never]
  ? TargetRelationValue<T, Rest>
  : ColumnValue<T, Rest>

type TargetRelationValue<T, Rest extends string> =
  Rest extends FkKeys<FieldsOf<T>>
    ? Readonly<Record<string, unknown>> | null
    : Rest extends `${infer H}__${infer R2}`
      ? PathValue<T, H, R2>
      : NoField<T, Rest>

/** The value type of the key `H__Rest` on `M`, one hop at a time. */
type PathValue<M, H extends string, Rest extends string> = [RelationInfo<M, H>] extends [never]
  ? H extends keyof ColumnInfo<M>
    ? ColumnInfo<M>[H] extends { kind: 'json'; a: infer A }
      ? JsonPathValue<A, Rest>
      : Invalid<`${Rest} is not a lookup of ${H}`>
    : NoField<M, H>
  : RelationInfo<M, H> extends { forward: true }
    ? [ColumnValue<M, `${H}Id__${Rest}`>] extends [never]
      ? TargetValue<RelatedModel<M, H>, Rest>
      : ColumnValue<M, `${H}Id__${Rest}`>
    : Rest extends ExistenceLookup
      ? ExistenceValue<RelatedModel<M, H>, Rest>
      : TargetValue<RelatedModel<M, H>, Rest>

/**
 * The value type of the key `K` of a filter object on `M`, resolved from the key as written: a
 * column compared with a value, a relation compared by key or by a related row, a column's lookup
 * or date part, a path through relations hop by hop (or into a json document), or an
 * {@link Invalid} that names the problem. One type per model and key, whatever filter uses it.
 */
export type FilterValue<M, K> = IfModel<M, KeyValue<M, K>>

type KeyValue<M, K> = K extends keyof ColumnInfo<M>
  ? EqualityValue<ColumnInfo<M>[K]>
  : K extends FkKeys<FieldsOf<M>>
    ? Readonly<Record<string, unknown>> | null
    : K extends ExistenceNames<M>
      ? ExistenceValue<RelatedModel<M, K>, 'exact'>
      : [ColumnValue<M, K & string>] extends [never]
        ? K extends `${infer H}__${infer Rest}`
          ? PathValue<M, H, Rest>
          : NoField<M, K>
        : ColumnValue<M, K & string>

/** Checks the keys a filter object was written with, each by its {@link FilterValue}. */
export type CheckFilter<M, F> = { readonly [K in keyof F]: FilterValue<M, K> }

/** A row key usable in `orderBy`, `values`, … */
export type KeyOf<M> = keyof RowOf<M> & string

/** `'field'` ascending or `'-field'` descending. */
export type OrderKey<M> = KeyOf<M> | `-${KeyOf<M>}`

/** The value at the end of a path through to-one relations (`'author__name'`), or never. */
export type PathKeyValue<M, P> = P extends keyof RowOf<M>
  ? RowOf<M>[P]
  : P extends `${infer H}__${infer Rest}`
    ? RelationInfo<M, H> extends { many: false; nullable: infer N }
      ? PathKeyValue<RelatedModel<M, H>, Rest> | (N extends true ? null : never)
      : never
    : never

/** Keys through to-one relations, `'author__name'`: accepted by shape, checked by {@link ValidKey}. */
export type RelationKey = `${string}__${string}`

/** `P` when it names a field, own or through to-one relations, else never. */
export type ValidKey<M, P> = P extends KeyOf<M> ? P : [PathKeyValue<M, P>] extends [never] ? never : P

/** `P` when it is a valid ordering (`'-author__name'`), else never. */
export type ValidOrder<M, P> = P extends `-${infer K}` ? (ValidKey<M, K> extends never ? never : P) : ValidKey<M, P>

export type { BaseOf }
