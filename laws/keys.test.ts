/**
 * Keys are data: any string given where a field name goes (a filter key, an ordering, a
 * projection, a write's field, an expression's path, an annotation's name, a prefetch path) gives
 * a valid plan or a `ValidationError`, never a throw — names of `Object.prototype` properties
 * (`constructor`, `__proto__` as an own key of a parsed body, …) and relation paths through them
 * included. A plan that is valid compiles on every dialect (or is a `ValidationError` there, for
 * an expression's path, which the compiler checks) and runs on SQLite without a throw.
 */
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  Count,
  DATE_PARTS,
  F,
  LOOKUPS,
  Max,
  OuterRef,
  Plan,
  annotate,
  bulkCreate,
  bulkUpdate,
  compile,
  create,
  exclude,
  exists,
  getOrCreate,
  groupBy,
  orderBy,
  prefetch,
  q,
  query,
  remove,
  run,
  save,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { forEachDialect } from '../test/support/dialects'
import { SEED, params } from './support/config'
import { ModelName, Models } from './support/data'
import { RELATIONS, columnsOf } from './support/plans'
import { buildModels, schemaArb } from './support/schema'

const spec = fc.sample(schemaArb, { seed: SEED + 3, numRuns: 1 })[0]
const models: Models = buildModels(spec)

/** Every name of `Object.prototype` (`constructor`, `__proto__`, `__defineGetter__`, …). */
const PROTO = Object.getOwnPropertyNames(Object.prototype)

/** Names a model does have: its columns and relations, so that paths are sometimes valid. */
const realNames = (m: ModelName): ReadonlyArray<string> => [
  ...columnsOf(spec, m).map((f) => f.key),
  ...RELATIONS[m].map((h) => h.path[0]),
  ...(m === 'Beta' ? ['alpha'] : m === 'Gamma' ? ['beta', 'owner'] : ['tags']),
]

const segmentArb = (m: ModelName): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PROTO) },
    { weight: 6, arbitrary: fc.constantFrom(...realNames(m)) },
    { weight: 1, arbitrary: fc.constantFrom(...LOOKUPS, ...DATE_PARTS) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'prototype', 'length', 'name', '0', 'then', 'toJSON', '$1', '"', '`', '-'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  )

/** Any string: arbitrary text, or `__`-joined segments among prototype names, real names and lookups. */
const keyArb = (m: ModelName): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 6, arbitrary: fc.array(segmentArb(m), { minLength: 1, maxLength: 3 }).map((s) => s.join('__')) },
  )

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -2, max: 5 }),
  fc.constantFrom('x', '', 'constructor', null, true, false, undefined, [1, 2], [], {}),
  fc.string({ maxLength: 4 }),
)

/**
 * A record with these entries as own data properties, as `JSON.parse` makes them: a
 * `__proto__` key is then a key, not the prototype.
 */
const recordOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

/** A value given to a combinator whose type it does not meet (the law feeds untyped input on purpose). */
type Any = never

/** Every combinator that takes a field name, given the key (and a second one, and a value). */
const POSITIONS: Readonly<Record<string, (m: Models[ModelName], k: string, k2: string, v: unknown) => Plan<unknown>>> =
  {
    where: (m, k, k2, v) => pipe(query(m), where(recordOf([[k, v]]) as Any)),
    'where, two keys': (m, k, k2, v) =>
      pipe(
        query(m),
        where(
          recordOf([
            [k, v],
            [k2, v],
          ]) as Any,
        ),
      ),
    exclude: (m, k, _k2, v) => pipe(query(m), exclude(recordOf([[k, v]]) as Any)),
    'q.or': (m, k, k2, v) => pipe(query(m), where(q.or(recordOf([[k, v]]) as Any, recordOf([[k2, v]]) as Any))),
    'q.and': (m, k, k2, v) => pipe(query(m), where(q.and(recordOf([[k, v]]) as Any, recordOf([[k2, 1]]) as Any))),
    'q.not': (m, k, _k2, v) => pipe(query(m), exclude(q.not(q.or(recordOf([[k, v]]) as Any)))),
    remove: (m, k, _k2, v) => pipe(query(m), where(recordOf([[k, v]]) as Any), remove),
    values: (m, k, k2) => pipe(query(m), values(k as Any, k2 as Any)),
    valuesList: (m, k) => pipe(query(m), valuesList(k as Any)),
    valuesFlat: (m, k) => pipe(query(m), valuesFlat(k as Any)),
    groupBy: (m, k) => pipe(query(m), groupBy(k as Any)),
    orderBy: (m, k, k2) => pipe(query(m), orderBy(k as Any, `-${k2}` as Any)),
    F: (m, k, k2) => pipe(query(m), where(recordOf([[k2, F(k)]]) as Any)),
    'F in update': (m, k, k2) => pipe(query(m), update(recordOf([[k2, F(k)]]) as Any)),
    OuterRef: (m, k, k2) =>
      pipe(query(m), where(exists(pipe(query(m), where(recordOf([[k2, OuterRef(k)]]) as Any))) as Any)),
    Count: (m, k) => pipe(query(m), annotate({ n: Count(k) } as Any)),
    Max: (m, k, k2) => pipe(query(m), annotate({ n: Max(k) } as Any), where(recordOf([[k2, 1]]) as Any)),
    'annotate name': (m, k, k2) => pipe(query(m), annotate(recordOf([[k, Count()]]) as Any), orderBy(k2 as Any)),
    create: (m, k, _k2, v) => create(m, recordOf([[k, v]]) as Any),
    bulkCreate: (m, k, k2, v) => bulkCreate(m, [recordOf([[k, v]]), recordOf([[k2, v]])] as Any),
    update: (m, k, _k2, v) => pipe(query(m), update(recordOf([[k, v]]) as Any)),
    getOrCreate: (m, k, k2, v) => getOrCreate(m, recordOf([[k, v]]) as Any, recordOf([[k2, v]]) as Any),
    updateOrCreate: (m, k, k2, v) => updateOrCreate(m, recordOf([[k, v]]) as Any, recordOf([[k2, v]]) as Any),
    save: (m, k, _k2, v) => save(m, recordOf([[k, v]]) as Any),
    bulkUpdate: (m, k, k2, v) =>
      bulkUpdate(
        m,
        [
          recordOf([
            ['id', 1],
            [k, v],
          ]),
        ] as Any,
        [k, k2] as Any,
      ),
    prefetch: (m, k) => pipe(query(m), prefetch(k as Any)),
  }

interface Case {
  readonly model: ModelName
  readonly position: string
  readonly key: string
  readonly key2: string
  readonly value: unknown
}

const caseArb: fc.Arbitrary<Case> = fc.constantFrom<ModelName>('Alpha', 'Beta', 'Gamma').chain((model) =>
  fc.record({
    model: fc.constant(model),
    position: fc.constantFrom(...Object.keys(POSITIONS)),
    key: keyArb(model),
    key2: fc.oneof(keyArb(model), fc.constantFrom(...realNames(model))),
    value: valueArb,
  }),
)

const tagOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && '_tag' in e ? String(e._tag) : undefined

const show = (c: Case): string => JSON.stringify(c, (_k, x: unknown) => (x === undefined ? '(undefined)' : x))

/** Builds a case's plan: a thrown error is the law broken. */
const build = (c: Case): Plan<unknown> => {
  try {
    return POSITIONS[c.position](models[c.model], c.key, c.key2, c.value)
  } catch (e) {
    throw new Error(`${c.position} threw ${(e as Error)?.name}: ${(e as Error)?.message}\ncase: ${show(c)}`, {
      cause: e,
    })
  }
}

/** Compiles a valid plan on every dialect: SQL, or a `ValidationError` thrown by the compiler. */
const compiles = (plan: Plan<unknown>, c: Case): void => {
  // `compile` takes single statements; upserts and bulk updates are several, made when run (which the run law checks)
  if (plan._tag === 'Upsert' || plan._tag === 'BulkUpdate') return
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const)
    try {
      compile(plan as never, dialect)
    } catch (e) {
      if (tagOf(e) !== 'ValidationError')
        throw new Error(
          `compiling on ${dialect} threw ${(e as Error)?.name}: ${(e as Error)?.message}\ncase: ${show(c)}`,
          { cause: e },
        )
    }
}

describe(`keys are data (seed ${SEED})`, () => {
  it('any string as a key, in any combinator, gives a valid plan or a ValidationError, never a throw', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = build(c)
        if (plan.error) {
          if (plan.error._tag !== 'ValidationError')
            throw new Error(`expected a ValidationError, got ${plan.error._tag}\ncase: ${show(c)}`)
          // a key of Object.prototype never reaches the message as `undefined`
          expect(plan.error.message).not.toMatch(/no (field|relation) undefined/)
        } else compiles(plan, c)
      }),
      params(2000),
    )
  })
})

/** What a run may give besides rows: typed errors a valid plan can meet on real data. */
const EXPECTED_LEFTS = new Set(['ValidationError', 'IntegrityError', 'DoesNotExist', 'MultipleObjectsReturned'])

forEachDialect(
  `keys are data, run (seed ${SEED})`,
  Object.values(models),
  (t) => {
    it('every plan built from any key runs on SQLite to rows or a typed error, never a throw', async () => {
      let valid = 0
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const plan = build(c)
          let r: E.Either<unknown, unknown>
          try {
            r = await run(t().db)(plan)()
          } catch (e) {
            throw new Error(`run threw ${(e as Error)?.name}: ${(e as Error)?.message}\ncase: ${show(c)}`, { cause: e })
          }
          if (E.isLeft(r) && !EXPECTED_LEFTS.has(tagOf(r.left) ?? ''))
            throw new Error(`run gave ${tagOf(r.left)}: ${(r.left as Error)?.message}\ncase: ${show(c)}`)
          if (plan.error && (E.isRight(r) || tagOf(r.left) !== 'ValidationError'))
            throw new Error(`an invalid plan ran\ncase: ${show(c)}`)
          if (E.isRight(r)) valid++
        }),
        params(400),
      )
      // the keys are not all junk: some plans are valid and run
      expect(valid).toBeGreaterThan(0)
    })
  },
  {},
  ['sqlite'],
)
