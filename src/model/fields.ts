/**
 * Field constructors. A field is a frozen plain record: its kind (the SQL type family), its
 * options (tortoise's), and an io-ts codec that is the single source of truth for the value's
 * type — the row type is inferred from it and rows are checked against it.
 */
import * as t from 'io-ts'
import {
  INT_RANGE,
  integer,
  bigintCodec,
  binaryCodec,
  booleanCodec,
  dateCodec,
  datetimeCodec,
  decimalCodec,
  floatCodec,
  jsonCodec,
  stringCodec,
  timeCodec,
  uuidCodec,
} from './codecs'

// ------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------

/** The kinds of scalar fields, one per `fields` constructor. */
export type ScalarKind =
  | 'int'
  | 'bigint'
  | 'smallint'
  | 'char'
  | 'text'
  | 'boolean'
  | 'float'
  | 'decimal'
  | 'datetime'
  | 'date'
  | 'time'
  | 'uuid'
  | 'json'
  | 'enum'
  | 'binary'

/** Returns an error message when the value is invalid. (Declared as a method: bivariant.) */
export type Validator<A> = {
  /** The problem with `value`, or nothing. */
  check(value: A): string | undefined | null | void
}['check']

/**
 * The options every scalar field takes, as tortoise's: `pk`, `null`, `default`, `unique`, `index`,
 * `source` (the column's name), `description`, `validators`.
 */
export interface FieldOptions<A> {
  readonly pk?: boolean
  readonly null?: boolean
  /** A value, or a function called for each new row. */
  readonly default?: A | (() => A)
  readonly unique?: boolean
  readonly index?: boolean
  /** The column name, when it differs from the field name. */
  readonly source?: string
  readonly description?: string
  /** Checks run on every value written; a message returned is a `ValidationError`. */
  readonly validators?: ReadonlyArray<Validator<A>>
}

/** The part of an io-ts codec a field keeps: the guard and the validating decoder (covariant in A). */
export interface FieldCodec<A> {
  readonly name: string
  readonly is: (u: unknown) => u is A
  readonly validate: t.Validate<unknown, A>
}

/** A field stored in one column, made by `fields.int`, `fields.char`, … : its kind, its io-ts codec and its options. */
export interface ScalarField<
  K extends ScalarKind = ScalarKind,
  A = unknown,
  N extends boolean = boolean,
  D extends boolean = boolean,
  P extends boolean = boolean,
> {
  readonly _tag: 'Field'
  readonly kind: K
  /** Whether this field is the primary key. */
  readonly isPk: P
  readonly options: FieldOptions<A> & ExtraOptions
  readonly nullable: N
  /** Whether an insert may omit the field (default, autoNow, autoNowAdd, generated key). */
  readonly optional: D
  readonly codec: FieldCodec<A>
}

/** Options of particular kinds, kept on every field so the compilers can read them uniformly. */
export interface ExtraOptions {
  readonly maxLength?: number
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  readonly autoNow?: boolean
  readonly autoNowAdd?: boolean
  readonly values?: ReadonlyArray<string | number>
  readonly generated?: boolean
  /** Set by `fields.timedelta`: the bigint column holds a duration in this unit. */
  readonly unit?: 'microseconds'
  /** A text field `__search` may search: a full-text index (FULLTEXT, GIN over `to_tsvector`) is made for it. */
  readonly fulltext?: boolean
}

/** The options of a text field: `fulltext` indexes it for `__search`. */
interface TextOptions extends FieldOptions<string> {
  /** Index the field for full-text search (`__search`); on SQLite, no index and no search. */
  readonly fulltext?: boolean
}

/** What deleting a referenced row does to the rows whose foreign key points at it; the same on every dialect. */
export type OnDelete = 'CASCADE' | 'RESTRICT' | 'SET NULL' | 'SET DEFAULT' | 'NO ACTION'

export interface RelationOptions {
  readonly relatedName?: string
  readonly relatedQueryName?: string
  readonly onDelete?: OnDelete
  /**
   * `false`: no FOREIGN KEY constraint in the database (tortoise's `db_constraint`): the column
   * may hold a key no row has, `onDelete` is not carried out, and joins, filters and prefetch
   * work as with the constraint. Default `true`.
   */
  readonly dbConstraint?: boolean
  readonly null?: boolean
  readonly toField?: string
  readonly source?: string
  readonly description?: string
  readonly index?: boolean
  readonly unique?: boolean
  readonly default?: unknown
}

/** A foreign key (`unique` for one-to-one): stored as column `<name>_id`, exposed as `<name>Id`. */
export interface ForeignKeyField<
  T extends string = string,
  R extends string | undefined = string | undefined,
  N extends boolean = boolean,
  O extends boolean = boolean,
  K extends 'foreignKey' | 'oneToOne' = 'foreignKey' | 'oneToOne',
  Q extends string | undefined = string | undefined,
  To extends string | undefined = string | undefined,
> {
  readonly _tag: 'Field'
  /** `oneToOne` makes the reverse side hold one row (or null) instead of a list. */
  readonly kind: K
  readonly target: T
  readonly relatedName: R
  /** Another name of the reverse relation, for filters (`where({ writer__name })`); as Django's. */
  readonly relatedQueryName: Q
  /** The target field the key refers to (`toField`), when not the primary key. */
  readonly toField: To
  readonly options: RelationOptions
  readonly nullable: N
  readonly optional: O
}

/** A many-to-many relation (`fields.manyToMany(target, { relatedName, through })`), stored in a link table. */
export interface ManyToManyField<T extends string = string, R extends string | undefined = string | undefined> {
  readonly _tag: 'Field'
  readonly kind: 'manyToMany'
  readonly target: T
  readonly relatedName: R
  readonly options: {
    readonly relatedName?: string
    readonly through?: string
    readonly description?: string
    readonly forwardKey?: string
    readonly backwardKey?: string
  }
  readonly nullable: false
  readonly optional: true
}

/** Any field of a model: a scalar column, a foreign key (or one-to-one) or a many-to-many relation. */
export type Field = ScalarField | ForeignKeyField | ManyToManyField
/** The fields of a model by name, as given to `model(name, { fields })`. */
export type Fields = { readonly [name: string]: Field }

// ------------------------------------------------------------------------------------------
// constructors
// ------------------------------------------------------------------------------------------

/** The options of a field given none: the empty record, every option absent (what `{}` is as a type). */
type NoOptions = Record<never, never>

type IsTrue<B> = B extends true ? true : false
type IsPk<O> = O extends { readonly pk: true } ? true : false
type Opt<O> = O extends { readonly default: unknown }
  ? true
  : O extends { readonly autoNow: true }
    ? true
    : O extends { readonly autoNowAdd: true }
      ? true
      : IsTrue<O extends { readonly null: true } ? true : false>

const scalar = <K extends ScalarKind, A, N extends boolean, D extends boolean, P extends boolean = false>(
  kind: K,
  codec: t.Type<A, unknown, unknown>,
  options: FieldOptions<A> & ExtraOptions,
  generated = false,
): ScalarField<K, A, N, D, P> =>
  Object.freeze({
    _tag: 'Field' as const,
    kind,
    isPk: (options.pk === true) as P,
    options: Object.freeze({ ...options, generated: generated || undefined }),
    nullable: (options.null === true) as N,
    optional: (generated ||
      options.null === true ||
      options.default !== undefined ||
      !!options.autoNow ||
      !!options.autoNowAdd) as D,
    codec,
  })

type IntOptions = FieldOptions<number>

/** An integer primary key is generated by the database (autoincrement, identity). */
type IntField<K extends ScalarKind, O> = ScalarField<
  K,
  number,
  IsTrue<O extends { readonly null: true } ? true : false>,
  O extends { readonly pk: true } ? true : Opt<O>,
  IsPk<O>
>

/** A 32-bit integer (`INT`); `pk: true` makes it the auto-incremented primary key. */
const int = <const O extends IntOptions = NoOptions>(options: O = {} as O): IntField<'int', O> =>
  scalar(
    'int',
    integer('int', Number(INT_RANGE.int[0]), Number(INT_RANGE.int[1])),
    options,
    options.pk === true && options.default === undefined,
  )

/** A 16-bit integer (`SMALLINT`). */
const smallint = <const O extends IntOptions = NoOptions>(options: O = {} as O): IntField<'smallint', O> =>
  scalar(
    'smallint',
    integer('smallint', Number(INT_RANGE.smallint[0]), Number(INT_RANGE.smallint[1])),
    options,
    options.pk === true && options.default === undefined,
  )

/** A 64-bit integer (`BIGINT`), read as a JS `bigint`. */
const bigint = <const O extends FieldOptions<bigint> = NoOptions>(
  options: O = {} as O,
): ScalarField<
  'bigint',
  bigint,
  IsTrue<O extends { readonly null: true } ? true : false>,
  O extends { readonly pk: true } ? true : Opt<O>,
  IsPk<O>
> => scalar('bigint', bigintCodec, options, options.pk === true && options.default === undefined)

/**
 * A duration (tortoise's `TimeDeltaField`): a `BIGINT` column of microseconds, read and written as
 * a JS `bigint` of microseconds (`3_600_000_000n` is one hour). Compared and ordered as numbers
 * (`where({ took__gt: 1_000_000n })`); a `bigint` field whose description says its unit.
 */
const timedelta = <const O extends FieldOptions<bigint> = NoOptions>(
  options: O = {} as O,
): ScalarField<'bigint', bigint, IsTrue<O extends { readonly null: true } ? true : false>, Opt<O>, IsPk<O>> =>
  scalar('bigint', bigintCodec, { ...options, unit: 'microseconds' })

/**
 * Bytes (tortoise's `BinaryField`): `BLOB` on SQLite, `BYTEA` on PostgreSQL, `LONGBLOB` on
 * MySQL/MariaDB. Written as a `Buffer` or any `Uint8Array`, read back as a `Buffer` (a
 * `Uint8Array`). Filters: `exact`, `not`, `in`, `notIn`, `isnull`, `notIsnull` only.
 */
const binary = <const O extends FieldOptions<Uint8Array> = NoOptions>(
  options: O = {} as O,
): ScalarField<'binary', Uint8Array, IsTrue<O extends { readonly null: true } ? true : false>, Opt<O>, IsPk<O>> =>
  scalar('binary', binaryCodec, options)

type Simple<K extends ScalarKind, A, O> = ScalarField<
  K,
  A,
  IsTrue<O extends { readonly null: true } ? true : false>,
  Opt<O>,
  IsPk<O>
>

/** A string of at most `maxLength` characters (`VARCHAR(maxLength)`). */
const char = <const O extends TextOptions & { readonly maxLength: number }>(options: O): Simple<'char', string, O> =>
  scalar('char', stringCodec('char'), options)

/** A string of any length (`TEXT`). */
const text = <const O extends TextOptions = NoOptions>(options: O = {} as O): Simple<'text', string, O> =>
  scalar('text', stringCodec('text'), options)

/** `true` or `false`. */
const boolean = <const O extends FieldOptions<boolean> = NoOptions>(
  options: O = {} as O,
): Simple<'boolean', boolean, O> => scalar('boolean', booleanCodec, options)

/** A double-precision number. */
const float = <const O extends FieldOptions<number> = NoOptions>(options: O = {} as O): Simple<'float', number, O> =>
  scalar('float', floatCodec, options)

/** Decimals round-trip as strings, so no digit is lost to binary floating point. */
const decimal = <
  const O extends FieldOptions<string> & { readonly maxDigits?: number; readonly decimalPlaces?: number } = NoOptions,
>(
  options: O = {} as O,
): Simple<'decimal', string, O> => scalar('decimal', decimalCodec, { maxDigits: 20, decimalPlaces: 6, ...options })

/** UTC, millisecond precision. `autoNowAdd` sets it on create, `autoNow` on every save/update. */
const datetime = <
  const O extends FieldOptions<Date> & { readonly autoNow?: boolean; readonly autoNowAdd?: boolean } = NoOptions,
>(
  options: O = {} as O,
): Simple<'datetime', Date, O> => scalar('datetime', datetimeCodec, options)

/** A calendar date, as `'YYYY-MM-DD'`. */
const date = <const O extends FieldOptions<string> = NoOptions>(options: O = {} as O): Simple<'date', string, O> =>
  scalar('date', dateCodec, options)

/** A time of day, as `'HH:MM:SS[.mmm]'`. */
const time = <const O extends FieldOptions<string> = NoOptions>(options: O = {} as O): Simple<'time', string, O> =>
  scalar('time', timeCodec, options)

/** A UUID primary key gets a random v4 default, as in tortoise. */
const uuid = <const O extends FieldOptions<string> = NoOptions>(
  options: O = {} as O,
): ScalarField<
  'uuid',
  string,
  IsTrue<O extends { readonly null: true } ? true : false>,
  O extends { readonly pk: true } ? true : Opt<O>,
  IsPk<O>
> =>
  scalar(
    'uuid',
    uuidCodec,
    options.pk && options.default === undefined ? { ...options, default: () => crypto.randomUUID() } : options,
  )

/** The value type of a json field: its codec's type, or `unknown`. */
export type JsonValue<O> = O extends { readonly codec: t.Decoder<unknown, infer A> } ? A : unknown

/** JSON; pass an io-ts codec to type (and check) the value: `fields.json({ codec: Point })`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any codec: t.Type is invariant in its value type (validate gives it, encode takes it), so nothing narrower accepts every codec; JsonValue<O> reads the type back out
const json = <const O extends FieldOptions<JsonValue<O>> & { readonly codec?: t.Type<any, any, unknown> } = NoOptions>(
  options: O = {} as O,
): Simple<'json', JsonValue<O>, O> => {
  type A = JsonValue<O>
  const inner = options.codec as t.Type<A, unknown, unknown> | undefined
  const codec = inner
    ? new t.Type<A, unknown, unknown>(
        'json',
        inner.is,
        (u, c) => {
          const parsed = jsonCodec.validate(u, c)
          return parsed._tag === 'Left' ? parsed : inner.validate(parsed.right, c)
        },
        t.identity,
      )
    : (jsonCodec as t.Type<A, unknown, unknown>)
  return scalar('json', codec, options as FieldOptions<A>)
}

/** What `fields.enum` takes: a list of values, or a TypeScript enum object (string or numeric). */
export type EnumSource = ReadonlyArray<string> | ReadonlyArray<number> | { readonly [key: string]: string | number }

/** The value type of an enum field: the list's element, or the enum object's member type (not its reverse-mapping keys). */
export type EnumValue<V> = V extends ReadonlyArray<infer X> ? X : V[Exclude<keyof V, number>]

/**
 * The values of an enum source: a list as given; an enum object's member values — for a numeric
 * enum the numbers, never the names TypeScript's reverse mapping adds under numeric keys.
 */
const enumValues = (source: EnumSource): ReadonlyArray<string> | ReadonlyArray<number> => {
  if (Array.isArray(source)) return source as ReadonlyArray<string> | ReadonlyArray<number>
  const members = Object.keys(source)
    .filter((k) => !/^-?\d+(\.\d+)?$/.test(k))
    .map((k) => (source as Record<string, string | number>)[k])
  const numbers = members.filter((v): v is number => typeof v === 'number')
  if (numbers.length > 0 && numbers.length < members.length)
    throw new TypeError('fields.enum: an enum mixing string and numeric members is not supported')
  return numbers.length > 0 ? numbers : (members as string[])
}

/**
 * A closed set of strings or integers, stored as char/int: `fields.enum(['draft', 'published'])`,
 * or `fields.enum(Status)` with a TypeScript enum (a numeric enum stores its numbers).
 */
const enum_ = <
  const V extends EnumSource,
  const O extends FieldOptions<EnumValue<V>> & { readonly maxLength?: number } = NoOptions,
>(
  source: V,
  options: O = {} as O,
): Simple<'enum', EnumValue<V>, O> => {
  type A = EnumValue<V>
  const values = enumValues(source)
  const set = new Set<unknown>(values)
  const codec = new t.Type<A, unknown, unknown>(
    'enum',
    (u): u is A => set.has(u),
    (u, c) => {
      if (set.has(u)) return t.success(u as A)
      const n = typeof u === 'string' && /^-?\d+$/.test(u) ? Number(u) : typeof u === 'bigint' ? Number(u) : undefined
      return n !== undefined && set.has(n) ? t.success(n as A) : t.failure(u, c)
    },
    t.identity,
  )
  const maxLength =
    typeof values[0] === 'string' ? Math.max(1, ...(values as ReadonlyArray<string>).map((v) => v.length)) : undefined
  return scalar('enum', codec, { maxLength, ...(options as FieldOptions<A>), values: Object.freeze([...values]) })
}

/** The `relatedName` literal of relation options, or undefined. */
type RelName<O> = O extends { readonly relatedName: infer R extends string } ? R : undefined
type QueryName<O> = O extends { readonly relatedQueryName: infer R extends string } ? R : undefined
type ToField<O> = O extends { readonly toField: infer R extends string } ? R : undefined

type FkOptional<O> = O extends { readonly null: true } ? true : O extends { readonly default: unknown } ? true : false

/** `fields.foreignKey('Author', { relatedName: 'books' })`: targets are named by model name. */
const foreignKey = <const T extends string, const O extends RelationOptions = NoOptions>(
  target: T,
  options: O = {} as O,
): ForeignKeyField<
  T,
  RelName<O>,
  IsTrue<O extends { readonly null: true } ? true : false>,
  FkOptional<O>,
  'foreignKey',
  QueryName<O>,
  ToField<O>
> =>
  Object.freeze({
    _tag: 'Field' as const,
    kind: 'foreignKey' as const,
    target,
    relatedName: options.relatedName as RelName<O>,
    relatedQueryName: options.relatedQueryName as QueryName<O>,
    toField: options.toField as ToField<O>,
    options: Object.freeze({ onDelete: 'CASCADE', ...options }),
    nullable: (options.null === true) as IsTrue<O extends { readonly null: true } ? true : false>,
    optional: (options.null === true || options.default !== undefined) as FkOptional<O>,
  })

/** A unique foreign key; the reverse side holds one row (or null). */
const oneToOne = <const T extends string, const O extends RelationOptions = NoOptions>(
  target: T,
  options: O = {} as O,
): ForeignKeyField<
  T,
  RelName<O>,
  IsTrue<O extends { readonly null: true } ? true : false>,
  FkOptional<O>,
  'oneToOne',
  QueryName<O>,
  ToField<O>
> =>
  Object.freeze({
    ...foreignKey(target, options),
    kind: 'oneToOne' as const,
    options: Object.freeze({ onDelete: 'CASCADE', ...options, unique: true }),
  })

/** A many-to-many relation to the model named `target`, through a link table (`through` names it). */
const manyToMany = <const T extends string, const O extends ManyToManyField['options'] = NoOptions>(
  target: T,
  options: O = {} as O,
): ManyToManyField<T, RelName<O>> =>
  Object.freeze({
    _tag: 'Field' as const,
    kind: 'manyToMany' as const,
    target,
    relatedName: options.relatedName as RelName<O>,
    options: Object.freeze({ ...options }),
    nullable: false as const,
    optional: true as const,
  })

/** The field constructors: `fields.int({ pk: true })`, `fields.char({ maxLength: 100 })`, … */
export const fields = {
  int,
  bigint,
  smallint,
  char,
  text,
  boolean,
  float,
  decimal,
  datetime,
  date,
  time,
  timedelta,
  binary,
  uuid,
  json,
  /** A closed set of strings or integers, stored as char/int: `fields.enum(['draft', 'published'])` or `fields.enum(MyEnum)`. */
  enum: enum_,
  foreignKey,
  oneToOne,
  manyToMany,
}

// ------------------------------------------------------------------------------------------
// validators
// ------------------------------------------------------------------------------------------

/** Built-in validators, tortoise's `MinValueValidator` & co. */
export const validators = {
  /** At least `n`. */
  min:
    (n: number): Validator<number> =>
    (v) =>
      v < n ? `must be at least ${n}` : undefined,
  /** At most `n`. */
  max:
    (n: number): Validator<number> =>
    (v) =>
      v > n ? `must be at most ${n}` : undefined,
  /** At least `n` characters (code points). */
  minLength:
    (n: number): Validator<string> =>
    (v) =>
      [...v].length < n ? `must have at least ${n} characters` : undefined,
  /** Matches `re`. */
  regex:
    (re: RegExp, message = `must match ${re}`): Validator<string> =>
    (v) =>
      re.test(v) ? undefined : message,
}
