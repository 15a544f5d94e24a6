/**
 * Random read plans over the random schema, as printable specs (so a counterexample reads as
 * the code that builds it) and built with the public combinators. Filters use every lookup,
 * date parts, nested `q.and/or/not` and relation paths (forward, reverse, many-to-many, two
 * hops); orderings use nullable columns, relation paths and ties; plus limit/offset, distinct,
 * values/valuesList/valuesFlat and the terminals.
 */
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  FilterArg,
  Model,
  Plan,
  Query,
  count,
  distinct,
  exclude,
  exists,
  first,
  get,
  getOrNone,
  limit,
  offset,
  orderBy,
  q,
  query,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { Dataset } from '../reference'
import { DataSpec, ModelName, Models, pkSpec } from './data'
import { FieldSpec, SchemaSpec, specOf } from './schema'
import { patternArb } from './regex'
import { TEXT_CHARS, valueArb } from './values'

// ------------------------------------------------------------------------------------------
// specs
// ------------------------------------------------------------------------------------------

export type FilterSpec =
  | { readonly obj: ReadonlyArray<readonly [string, unknown]> }
  | { readonly and: ReadonlyArray<FilterSpec> }
  | { readonly or: ReadonlyArray<FilterSpec> }
  | { readonly not: FilterSpec }

export type Step =
  | { readonly where: FilterSpec }
  | { readonly exclude: FilterSpec }
  | { readonly orderBy: ReadonlyArray<string> }
  | { readonly limit: number }
  | { readonly offset: number }
  | { readonly distinct: true }
  | { readonly values: ReadonlyArray<string> }
  | { readonly valuesList: ReadonlyArray<string> }
  | { readonly valuesFlat: string }

export type TerminalName = 'all' | 'count' | 'exists' | 'first' | 'get' | 'getOrNone'

export interface PlanSpec {
  readonly model: ModelName
  readonly steps: ReadonlyArray<Step>
  readonly terminal: TerminalName
}

/** The filter argument a spec stands for. */
export const filterArg = (f: FilterSpec): FilterArg<unknown> =>
  'obj' in f
    ? Object.fromEntries(f.obj)
    : 'and' in f
      ? q.and(...f.and.map(filterArg))
      : 'or' in f
        ? q.or(...f.or.map(filterArg))
        : q.not(filterArg(f.not))

/**
 * A read plan of the random schema, whose models and rows are known only at run time: the steps'
 * arguments are typed `never`, so the combinators take and give it.
 */
export type AnyQuery = Query<unknown, unknown>

/** The plan of all rows of a model of the random schema. */
export const queryOf = (m: Model): AnyQuery => query(m) as AnyQuery

/** Applies one step with the public combinators. */
export const applyStep = (p: AnyQuery, s: Step): AnyQuery =>
  'where' in s
    ? where(filterArg(s.where) as never)(p)
    : 'exclude' in s
      ? exclude(filterArg(s.exclude) as never)(p)
      : 'orderBy' in s
        ? orderBy(...(s.orderBy as never[]))(p)
        : 'limit' in s
          ? limit(s.limit)(p)
          : 'offset' in s
            ? offset(s.offset)(p)
            : 'distinct' in s
              ? distinct(p)
              : 'values' in s
                ? values(...(s.values as never[]))(p)
                : 'valuesList' in s
                  ? valuesList(...(s.valuesList as never[]))(p)
                  : valuesFlat(s.valuesFlat as never)(p)

const TERMINALS = { count, exists, first, get, getOrNone } as const

/** The plan a spec stands for. */
export const buildPlan = (models: Models, spec: PlanSpec): Plan<unknown> => {
  const p = spec.steps.reduce(applyStep, queryOf(models[spec.model]))
  return spec.terminal === 'all' ? p : pipe(p, TERMINALS[spec.terminal] as (x: unknown) => Plan<unknown>)
}

// ------------------------------------------------------------------------------------------
// schema walking
// ------------------------------------------------------------------------------------------

interface Hop {
  readonly path: ReadonlyArray<string>
  readonly target: ModelName
  readonly toOne: boolean
}

/** Relation paths from each model (see schema.ts for the relations). */
export const RELATIONS: Readonly<Record<ModelName, ReadonlyArray<Hop>>> = {
  Alpha: [
    { path: ['betas'], target: 'Beta', toOne: false },
    { path: ['owned'], target: 'Gamma', toOne: false },
    { path: ['tags'], target: 'Gamma', toOne: false },
    { path: ['betas', 'gammas'], target: 'Gamma', toOne: false },
  ],
  Beta: [
    { path: ['alpha'], target: 'Alpha', toOne: true },
    { path: ['gammas'], target: 'Gamma', toOne: false },
    { path: ['alpha', 'tags'], target: 'Gamma', toOne: false },
  ],
  Gamma: [
    { path: ['beta'], target: 'Beta', toOne: true },
    { path: ['owner'], target: 'Alpha', toOne: true },
    { path: ['beta', 'alpha'], target: 'Alpha', toOne: true },
    { path: ['alphas'], target: 'Alpha', toOne: false },
  ],
}

/** Foreign keys of each model: relation name, target. */
const FKS: Readonly<Record<ModelName, ReadonlyArray<readonly [string, ModelName]>>> = {
  Alpha: [],
  Beta: [['alpha', 'Alpha']],
  Gamma: [
    ['beta', 'Beta'],
    ['owner', 'Alpha'],
  ],
}

/** Every stored column of a model as a field spec: key, scalar fields, foreign keys. */
export const columnsOf = (s: SchemaSpec, name: ModelName): ReadonlyArray<FieldSpec> => [
  pkSpec(specOf(s, name)),
  ...specOf(s, name).fields,
  ...FKS[name].map(([rel, target]): FieldSpec => ({ ...pkSpec(specOf(s, target)), key: `${rel}Id`, nullable: true })),
]

const TEXT = new Set(['char', 'text'])
const COMPARABLE_LOOKUPS = [
  'exact',
  'not',
  'in',
  'notIn',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'isnull',
  'notIsnull',
] as const
const ORDERED: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte', 'range'])
const TEXT_LOOKUPS = ['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'iexact'] as const
const REGEX_LOOKUPS = ['regex', 'iregex'] as const
const PARTS: Readonly<Record<string, ReadonlyArray<string>>> = {
  datetime: ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'],
  date: ['year', 'quarter', 'month', 'week', 'day'],
  time: ['hour', 'minute', 'second'],
}

// ------------------------------------------------------------------------------------------
// values
// ------------------------------------------------------------------------------------------

/** Values of a column present in the data (so filters hit rows), or fresh ones. */
const pool = (ds: Dataset, model: ModelName, f: FieldSpec): ReadonlyArray<unknown> =>
  (ds.rows[model] ?? []).map((r) => r[f.key]).filter((v) => v !== null && v !== undefined)

const scalarArb = (ds: Dataset, model: ModelName, f: FieldSpec): fc.Arbitrary<unknown> => {
  const have = pool(ds, model, f)
  const fresh =
    f.key === 'id' || f.key.endsWith('Id')
      ? f.kind === 'char'
        ? fc.constantFrom('', 'a', 'ß')
        : fc.integer({ min: -3, max: 20 })
      : valueArb(f)
  const arbs: fc.Arbitrary<unknown>[] = [fresh]
  if (have.length > 0) arbs.push(fc.constantFrom(...have), fc.constantFrom(...have))
  // A decimal with more places than the column must compare exactly, not be truncated.
  if (f.kind === 'decimal' && have.length > 0)
    arbs.push(
      fc.constantFrom(...have).map((v) => {
        const s = String(v)
        return s.includes('.') ? `${s}5` : `${s}.5`
      }),
    )
  if (f.kind === 'bigint') arbs.push(fc.integer({ min: -3, max: 3 }))
  return fc.oneof(...arbs)
}

const codePoints = (s: string): string[] => [...s]

/** A needle for a text lookup: a piece of a stored value, case-changed now and then. */
const needleArb = (ds: Dataset, model: ModelName, f: FieldSpec): fc.Arbitrary<string> => {
  const have = pool(ds, model, f) as string[]
  const fresh = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 3 }).map((cs) => cs.join(''))
  const piece =
    have.length === 0
      ? fresh
      : fc.tuple(fc.constantFrom(...have), fc.nat(), fc.nat()).map(([v, i, j]) => {
          const cs = codePoints(v)
          const a = cs.length === 0 ? 0 : i % (cs.length + 1)
          return cs.slice(a, a + (j % 4)).join('')
        })
  return fc
    .tuple(fc.oneof(piece, piece, fresh), fc.constantFrom('same', 'same', 'upper', 'lower'))
    .map(([s, c]) => (c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s))
}

/** A pattern whose literals are characters of the column's stored values (so it matches some) or tricky ones. */
const regexArb = (ds: Dataset, model: ModelName, f: FieldSpec): fc.Arbitrary<string> => {
  const chars = new Set(TEXT_CHARS)
  for (const v of pool(ds, model, f) as string[]) for (const c of codePoints(v)) chars.add(c)
  return patternArb([...chars])
}

const partValueArb = (part: string): fc.Arbitrary<number> =>
  part === 'year'
    ? fc.constantFrom(1000, 1999, 2020, 2024, 9999)
    : fc.integer({ min: 0, max: part === 'week' ? 53 : part === 'day' ? 31 : 60 })

/** One `key: value` filter entry on the model (maybe through a relation). */
const entryArb = (s: SchemaSpec, ds: Dataset, model: ModelName): fc.Arbitrary<readonly [string, unknown]> => {
  const hops: ReadonlyArray<Hop> = [
    { path: [], target: model, toOne: true },
    { path: [], target: model, toOne: true },
    ...RELATIONS[model],
  ]
  return fc.constantFrom(...hops).chain((hop) => {
    const prefix = hop.path.map((p) => `${p}__`).join('')
    return fc.constantFrom(...columnsOf(s, hop.target)).chain((f): fc.Arbitrary<readonly [string, unknown]> => {
      const key = `${prefix}${f.key}`
      if (f.kind === 'json')
        return fc.oneof(
          fc.constant([key, null] as const),
          fc.boolean().map((b) => [`${key}__isnull`, b] as const),
        )
      const value = scalarArb(ds, hop.target, f)
      // Booleans and enums have no order to filter by (see plan/filter.ts).
      const unordered = f.kind === 'boolean' || f.kind === 'enumText' || f.kind === 'enumInt'
      const lookups: string[] = [
        ...COMPARABLE_LOOKUPS.filter((l) => !unordered || !ORDERED.has(l)),
        ...(TEXT.has(f.kind) ? [...TEXT_LOOKUPS, ...REGEX_LOOKUPS] : []),
      ]
      const parts = PARTS[f.kind] ?? []
      return fc
        .record({
          lookup: fc.constantFrom(...lookups),
          part: parts.length > 0 ? fc.option(fc.constantFrom(...parts), { freq: 2 }) : fc.constant(null),
          plain: fc.boolean(),
        })
        .chain(({ lookup, part, plain }) => {
          const v = part ? partValueArb(part) : value
          const name = `${key}${part ? `__${part}` : ''}${lookup === 'exact' && plain ? '' : `__${lookup}`}`
          switch (lookup) {
            case 'in':
            case 'notIn':
              return fc.array(v, { maxLength: 3 }).map((xs) => [name, xs] as const)
            case 'range':
              return fc.tuple(v, v).map((xs) => [name, xs] as const)
            case 'isnull':
            case 'notIsnull':
              return fc.boolean().map((b) => [name, b] as const)
            case 'exact':
            case 'not':
              return fc
                .oneof({ arbitrary: v, weight: 5 }, { arbitrary: fc.constant(null), weight: 1 })
                .map((x) => [name, x] as const)
            case 'regex':
            case 'iregex':
              return regexArb(ds, hop.target, f).map((x) => [name, x] as const)
            default:
              return TEXT_LOOKUPS.includes(lookup as never)
                ? needleArb(ds, hop.target, f).map((x) => [name, x] as const)
                : v.map((x) => [name, x] as const)
          }
        })
    })
  })
}

/**
 * An entry that tests a to-many relation by existence (`betas__isnull`, `tags: key`,
 * `betas__in: [...]`, `betas__not: key`): the reference walks the relation and asks whether
 * some related row has the key (or any row at all).
 */
const existenceArb = (s: SchemaSpec, ds: Dataset, model: ModelName): fc.Arbitrary<readonly [string, unknown]> =>
  fc.constantFrom(...RELATIONS[model].filter((h) => !h.toOne)).chain((hop) => {
    const name = hop.path.join('__')
    const key = scalarArb(ds, hop.target, columnsOf(s, hop.target)[0])
    return fc.oneof(
      fc.boolean().map((b) => [`${name}__isnull`, b] as const),
      fc.boolean().map((b) => [`${name}__notIsnull`, b] as const),
      fc.oneof(key, fc.constant(null)).map((v) => [name, v] as const),
      fc.oneof(key, fc.constant(null)).map((v) => [`${name}__not`, v] as const),
      fc.array(key, { maxLength: 3 }).map((vs) => [`${name}__in`, vs] as const),
    )
  })

/** A filter: objects of one or two entries (or none) under nested `q.and/or/not`. */
export const filterArb = (s: SchemaSpec, ds: Dataset, model: ModelName): fc.Arbitrary<FilterSpec> => {
  const leaf = fc
    .uniqueArray(
      fc.oneof({ arbitrary: entryArb(s, ds, model), weight: 6 }, { arbitrary: existenceArb(s, ds, model), weight: 1 }),
      { minLength: 1, maxLength: 2, selector: ([k]) => k },
    )
    .map((obj): FilterSpec => ({ obj }))
  const tree = fc.letrec<{ f: FilterSpec }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 4 },
      // `{}`: every row alone, a ValidationError as a member of `q.or` (as an empty `q.and` is)
      { arbitrary: fc.constant<FilterSpec>({ obj: [] }), weight: 1 },
      { arbitrary: fc.array(tie('f'), { minLength: 0, maxLength: 3 }).map((and): FilterSpec => ({ and })), weight: 1 },
      { arbitrary: fc.array(tie('f'), { minLength: 0, maxLength: 3 }).map((or): FilterSpec => ({ or })), weight: 1 },
      { arbitrary: tie('f').map((not): FilterSpec => ({ not })), weight: 1 },
    ),
  }))
  return tree.f
}

// ------------------------------------------------------------------------------------------
// orderings and projections
// ------------------------------------------------------------------------------------------

/** Keys a model can be ordered by or project: own columns and to-one relation paths. */
export const orderableKeys = (s: SchemaSpec, model: ModelName): ReadonlyArray<string> => [
  ...columnsOf(s, model)
    .filter((f) => f.kind !== 'json')
    .map((f) => f.key),
  ...RELATIONS[model]
    .filter((h) => h.toOne)
    .flatMap((h) =>
      columnsOf(s, h.target)
        .filter((f) => f.kind !== 'json' && f.key !== 'id')
        .slice(0, 4)
        .map((f) => `${h.path.join('__')}__${f.key}`),
    ),
]

const projectable = (s: SchemaSpec, model: ModelName): ReadonlyArray<string> => [
  ...columnsOf(s, model).map((f) => f.key),
  ...FKS[model].map(([rel]) => rel),
  ...RELATIONS[model].filter((h) => h.toOne).map((h) => `${h.path.join('__')}__id`),
]

const orderArb = (keys: ReadonlyArray<string>, pkLast: boolean): fc.Arbitrary<ReadonlyArray<string>> =>
  keys.length === 0
    ? fc.constant([])
    : fc
        .uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: 3 })
        .chain((ks) => fc.tuple(...ks.map((k) => fc.boolean().map((d) => (d ? `-${k}` : k)))))
        .map((ks) => (pkLast && !ks.some((k) => k.replace('-', '') === 'id') ? [...ks, 'id'] : ks))

type Projection =
  | { readonly values: ReadonlyArray<string> }
  | { readonly valuesList: ReadonlyArray<string> }
  | { readonly valuesFlat: string }

const projectionArb = (s: SchemaSpec, model: ModelName): fc.Arbitrary<Projection | null> => {
  const keys = projectable(s, model)
  const some = fc.uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: 3 })
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: some.map((values) => ({ values })), weight: 1 },
    { arbitrary: some.map((valuesList) => ({ valuesList })), weight: 1 },
    { arbitrary: fc.constantFrom(...keys).map((valuesFlat) => ({ valuesFlat })), weight: 1 },
  )
}

const projectedKeys = (p: Projection): ReadonlyArray<string> =>
  'values' in p ? p.values : 'valuesList' in p ? p.valuesList : [p.valuesFlat]

/** A random read plan over a model of the schema, with values drawn from the data. */
export const planArb = (s: SchemaSpec, ds: Dataset): fc.Arbitrary<PlanSpec> =>
  fc.constantFrom<ModelName>('Alpha', 'Beta', 'Gamma').chain((model) =>
    fc
      .record({
        filters: fc.array(fc.record({ exclude: fc.boolean(), f: filterArb(s, ds, model) }), { maxLength: 2 }),
        projection: projectionArb(s, model),
        distinct: fc.boolean(),
        pkLast: fc.boolean(),
        order: fc.boolean(),
        limit: fc.option(fc.nat(4), { freq: 2 }),
        offset: fc.option(fc.nat(4), { freq: 3 }),
        terminal: fc.constantFrom<TerminalName>(
          'all',
          'all',
          'all',
          'all',
          'count',
          'exists',
          'first',
          'get',
          'getOrNone',
        ),
      })
      .chain((r) => {
        const jsonKeys = new Set(
          columnsOf(s, model)
            .filter((f) => f.kind === 'json')
            .map((f) => f.key),
        )
        // DISTINCT compares stored JSON as text on some dialects: keep it to plain values, ordered only by what it selects.
        const isDistinct =
          r.distinct && r.projection !== null && !projectedKeys(r.projection).some((k) => jsonKeys.has(k))
        const orderKeys = isDistinct
          ? projectedKeys(r.projection!).filter(
              (k) => !k.includes('__') && columnsOf(s, model).some((f) => f.key === k),
            )
          : orderableKeys(s, model)
        return (r.order ? orderArb(orderKeys, r.pkLast && !isDistinct) : fc.constant(null)).map((order): PlanSpec => {
          const steps: Step[] = r.filters.map((x) => (x.exclude ? { exclude: x.f } : { where: x.f }))
          if (order && order.length > 0) steps.push({ orderBy: order })
          if (r.limit !== null) steps.push({ limit: r.limit })
          if (r.offset !== null) steps.push({ offset: r.offset })
          if (r.projection) steps.push(r.projection)
          if (isDistinct) steps.push({ distinct: true })
          return { model, steps, terminal: r.terminal }
        })
      }),
  )

/** The generated rows as a dataset, for drawing filter values before the data is stored. */
export const poolOf = (d: DataSpec): Dataset => ({
  rows: { Alpha: d.alpha, Beta: d.beta.map((b) => b.row), Gamma: d.gamma.map((g) => g.row) },
  links: {},
})
