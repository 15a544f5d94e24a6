/**
 * Relations at the type level. A model's forward relations come from its own fields; its reverse
 * relations are a union over every relation field of its schema that names it (by `relatedName`,
 * or tortoise's default `<model>s`). Paths the user writes (`'books__tags'`, `author__name`) are
 * resolved one hop at a time from the written key, never enumerated, so type-checking stays
 * proportional to what a program uses (a written key is checked; every possible path is never listed).
 */
import { Fields } from './fields'
import { Model } from './model'
import { RowOf, TargetOf } from './types'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

type FieldsOf<M> = M extends Model<string, infer F, unknown> ? F : never
type SchemaOf<M> = M extends Model<string, Fields, infer S> ? S : never
/** The name of a model type. */
export type NameOf<M> = M extends Model<infer N, Fields, unknown> ? N : never

/** What the type level knows of one relation. */
export interface RelInfo {
  /** The model name at the other end. */
  readonly target: string
  /** Holds many rows (reverse foreign key, many-to-many). */
  readonly many: boolean
  /** May hold no row (nullable key, reverse one-to-one). */
  readonly nullable: boolean
  /** A foreign key stored on this model (`author` → `authorId`). */
  readonly forward: boolean
}

type ForwardInfo<F> = F extends {
  readonly kind: 'foreignKey' | 'oneToOne'
  readonly target: infer T extends string
  readonly nullable: infer N extends boolean
}
  ? { target: T; many: false; nullable: N; forward: true }
  : F extends { readonly kind: 'manyToMany'; readonly target: infer T extends string }
    ? { target: T; many: true; nullable: false; forward: false }
    : never

/** The reverse name of a relation field: its `relatedName` literal, or `<owner>s`. */
type ReverseName<F, Owner extends string> = F extends { readonly relatedName: infer R extends string }
  ? R
  : `${Uncapitalize<Owner>}s`

type ReverseInfo<F, Owner extends string> = F extends { readonly kind: infer K }
  ? {
      target: Owner
      many: K extends 'oneToOne' ? false : true
      nullable: K extends 'manyToMany' ? false : true
      forward: false
    }
  : never

type ForwardEntries<F> = {
  [K in keyof F]: ForwardInfo<F[K]> extends infer I ? ([I] extends [never] ? never : [unknown, K, I]) : never
}[keyof F]

/** The reverse names of a relation field: `relatedName` (or the default) and `relatedQueryName`. */
type ReverseNames<F, Owner extends string> =
  ReverseName<F, Owner> | (F extends { readonly relatedQueryName: infer Q extends string } ? Q : never)

/** One `[target, name, info]` triple per name. */
type Entry<T, Names, I> = Names extends string ? [T, Names, I] : never

/**
 * Every reverse relation of schema `S` as `[target model name, name, info]`: computed once per
 * schema (TypeScript caches the alias), then filtered per model, so a schema of n models costs
 * n×fields once rather than per model.
 */
type ReverseIndex<S> = {
  [X in keyof S]: S[X] extends Model<infer XN, infer XF, unknown>
    ? {
        [K in keyof XF]: XF[K] extends {
          readonly kind: 'foreignKey' | 'oneToOne' | 'manyToMany'
          readonly target: infer T extends string
        }
          ? Entry<T, ReverseNames<XF[K], XN>, ReverseInfo<XF[K], XN>>
          : never
      }[keyof XF]
    : never
}[keyof S]

/** `[target, name, info]` for every relation field of schema `S` that points at the model named `N`. */
type ReverseEntries<S, N> = Extract<ReverseIndex<S>, readonly [N, string, unknown]>

/**
 * Every relation of `M` as `[owner, name, info]` triples: its own relation fields and their
 * reverse sides. (Plain `Extract`s and indexed accesses: cheaper than `infer` per entry.)
 */
export type RelationEntries<M> = ForwardEntries<FieldsOf<M>> | ReverseEntries<SchemaOf<M>, NameOf<M>>

/** The names of `M`'s relations (forward, reverse, many-to-many). */
export type RelationNames<M> = RelationEntries<M>[1] & string

/**
 * `M`'s relations by name, built once per model: what every hop of every path looks up, as a
 * property rather than by filtering all of the model's relation entries again for each name.
 */
type RelationMap<M> = { [E in RelationEntries<M> as E[1] & string]: E[2] }

/**
 * What `M`'s relation `H` is, or never. (A model whose relation names are not known, `Model` with
 * any fields, has none that a literal name matches: its entries are filtered as written.)
 */
export type RelationInfo<M, H> = string extends keyof RelationMap<M>
  ? Extract<RelationEntries<M>, readonly [unknown, H, unknown]>[2]
  : RelationMap<M>[H & keyof RelationMap<M>]

/** The model named `T` in `M`'s schema, resolved in that schema (so its relations are known). */
export type ModelNamed<M, T> =
  TargetOf<SchemaOf<M>, T> extends Model<infer N, infer F, unknown> ? Model<N, F, SchemaOf<M>> : never

/** The model at the other end of `M`'s relation `H`. */
export type RelatedModel<M, H> = RelationInfo<M, H> extends infer I extends RelInfo ? ModelNamed<M, I['target']> : never

// ------------------------------------------------------------------------------------------
// paths
// ------------------------------------------------------------------------------------------

/** The first hop of a path: `'books__tags'` → `'books'`. */
export type Head<P> = P extends `${infer H}__${string}` ? H : P
/** The rest of the paths starting with `H`: `'books__tags'`, `'books'` → `'tags'`. */
export type Tail<P, H extends string> = P extends `${H}__${infer T}` ? T : never

/** Whether `P` is a path of relations from `M` (`'books'`, `'books__tags'`): `P` itself, or never. */
export type RelationPath<M, P> = P extends `${infer H}__${infer Rest}`
  ? [RelationInfo<M, H>] extends [never]
    ? never
    : [RelationPath<RelatedModel<M, H>, Rest>] extends [never]
      ? never
      : P
  : [RelationInfo<M, P>] extends [never]
    ? never
    : P

/** What a relation holds once loaded: a list, a row, or a row or null; `Row` is the loaded row. */
export type Loaded<I, Row> = I extends RelInfo
  ? I['many'] extends true
    ? ReadonlyArray<Row>
    : Row | (I['nullable'] extends true ? null : never)
  : never

type Node<T, Rest extends string> = [Rest] extends [never] ? RowOf<T> : RowOf<T> & Prefetched<T, Rest>

/**
 * The fields `prefetch(...paths)` adds to the rows of `M`: `'books'` adds
 * `books: ReadonlyArray<Book>`, `'author'` adds `author: Author` (`| null` when the key is
 * nullable), `'books__tags'` adds books that carry their tags.
 */
export type Prefetched<M, P extends string> = {
  readonly [H in Head<P> & string]: Loaded<RelationInfo<M, H>, Node<RelatedModel<M, H>, Tail<P, H>>>
}
