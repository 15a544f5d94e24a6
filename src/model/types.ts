/**
 * Types derived from a model's fields: the row, the insert input, the patch, and the keys a
 * filter or an ordering may use. Field kinds are told apart by their literal `kind`, never by
 * shape (a foreign key would otherwise pass for a scalar).
 */
import { Fields, ForeignKeyField, ScalarField } from './fields'
import { AnyModel, Model } from './model'

export type Simplify<T> = { [K in keyof T]: T[K] } & {}

export type FieldsOf<M> = M extends Model<string, infer F, unknown> ? F : never
type SchemaOf<M> = M extends Model<string, Fields, infer S> ? S : never

export type ScalarKeys<F> = {
  [K in keyof F]: F[K] extends { readonly kind: ForeignKeyField['kind'] | 'manyToMany' } ? never : K
}[keyof F] &
  string
export type FkKeys<F> = {
  [K in keyof F]: F[K] extends { readonly kind: ForeignKeyField['kind'] } ? K : never
}[keyof F] &
  string

/** The value type of a scalar field, `| null` when nullable. */
export type ValueOf<F> = F extends ScalarField<infer _K, infer A, infer N> ? (N extends true ? A | null : A) : never
/** The non-null value type of a scalar field. */
export type BaseOf<F> = F extends ScalarField<infer _K, infer A> ? A : never

/**
 * The models of schema `S` by model name (a schema's keys need not be its models' names): one
 * object type per schema, so that finding a model by name is a property lookup rather than a
 * conditional type distributed over every model of the schema, once per name looked up.
 */
export type ModelsByName<S> = {
  [K in keyof S as S[K] extends { readonly name: infer N extends string } ? N : never]: S[K]
}

/** The model named `T` in schema `S` (filtered as written when the schema's names are not known). */
export type TargetOf<S, T> = string extends keyof ModelsByName<S>
  ? S extends Record<string, AnyModel>
    ? Extract<S[keyof S], { readonly name: T }>
    : never
  : ModelsByName<S>[T & keyof ModelsByName<S>]

type PkField<F> = { [K in keyof F]: F[K] extends { readonly isPk: true } ? F[K] : never }[keyof F]
type PkValueOfFields<F> = [PkField<F>] extends [never] ? number : BaseOf<PkField<F>>
/** The primary key's value type. */
export type PkOf<M> = PkValueOfFields<FieldsOf<M>>

/** The target field a foreign key refers to: its `toField`, or the primary key (an int when unresolved). */
export type FkTargetField<F, S> = F extends { readonly target: infer T; readonly toField: infer To }
  ? [TargetOf<S, T>] extends [never]
    ? ScalarField<'int', number, false>
    : To extends keyof FieldsOf<TargetOf<S, T>>
      ? FieldsOf<TargetOf<S, T>>[To]
      : PkFieldOrId<FieldsOf<TargetOf<S, T>>>
  : never

type PkFieldOrId<F> = [PkField<F>] extends [never] ? ScalarField<'int', number, false> : PkField<F>

type FkValue<F, S> =
  F extends ForeignKeyField<infer _T, infer _R, infer N>
    ? BaseOf<FkTargetField<F, S>> | (N extends true ? null : never)
    : never

/** The row of model `M`: scalar fields by name, foreign keys as `<name>Id`. */
export type RowOf<M> = Simplify<
  { readonly [K in ScalarKeys<FieldsOf<M>>]: ValueOf<FieldsOf<M>[K]> } & {
    readonly [K in FkKeys<FieldsOf<M>> as `${K}Id`]: FkValue<FieldsOf<M>[K], SchemaOf<M>>
  }
>

type OptionalKeys<F> = { [K in keyof F]: F[K] extends { readonly optional: true } ? K : never }[keyof F]

type InsertScalar<F> = { [K in Exclude<ScalarKeys<F>, OptionalKeys<F>>]: ValueOf<F[K]> } & {
  [K in Extract<ScalarKeys<F>, OptionalKeys<F>>]?: ValueOf<F[K]>
}
type InsertFk<F, S> = { [K in Exclude<FkKeys<F>, OptionalKeys<F>> as `${K}Id`]: FkValue<F[K], S> } & {
  [K in Extract<FkKeys<F>, OptionalKeys<F>> as `${K}Id`]?: FkValue<F[K], S>
}

/** What `create` takes: required fields are those with no default, not nullable and not generated. */
export type InsertOf<M> = Simplify<InsertScalar<FieldsOf<M>> & InsertFk<FieldsOf<M>, SchemaOf<M>>>

/** The primary key's field name (`id` when no field is `pk`). */
export type PkKeyOf<M> = PkKey<FieldsOf<M>>

type PkKey<F> = { [K in keyof F]: F[K] extends { readonly isPk: true } ? K : never }[keyof F] extends infer K
  ? [K] extends [never]
    ? 'id'
    : K & string
  : never

/** A related row as a foreign key value: anything carrying the referenced field (`toField` or the key). */
type RowRef<F, S> =
  F extends ForeignKeyField<infer T, infer _R, infer N, infer _O, infer _K, infer _Q, infer To>
    ? | ([TargetOf<S, T>] extends [never]
          ? { readonly id: number }
          : { readonly [K in To extends string ? To : PkKey<FieldsOf<TargetOf<S, T>>>]: BaseOf<FkTargetField<F, S>> })
      | (N extends true ? null : never)
    : never

/**
 * What `create` accepts: {@link InsertOf}, where a foreign key may also be given as the related
 * row (`{ author: authorRow }` for `{ authorId: authorRow.id }`); every key optional here, the
 * required ones are enforced by {@link MissingKeys} on the keys actually written.
 */
export type CreateInput<M> = InsertScalar<FieldsOf<M>> & {
  [K in FkKeys<FieldsOf<M>> as `${K}Id`]?: FkValue<FieldsOf<M>[K], SchemaOf<M>>
} & {
  [K in FkKeys<FieldsOf<M>>]?: RowRef<FieldsOf<M>[K], SchemaOf<M>>
}

/** The required foreign keys written neither as `<name>Id` nor as `<name>`. */
export type MissingKeys<M, D> = {
  [
    K in Exclude<FkKeys<FieldsOf<M>>, OptionalKeys<FieldsOf<M>> | keyof D> as `${K}Id` extends keyof D
      ? never
      : `${K}Id`
  ]: FkValue<FieldsOf<M>[K], SchemaOf<M>>
}

/** What `update` takes: any subset of the stored fields. */
export type PatchOf<M> = Partial<RowOf<M>>

/** Keys of the row (stored columns). */
export type ColumnKeys<M> = keyof RowOf<M> & string
