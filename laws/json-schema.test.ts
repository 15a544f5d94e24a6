/**
 * JSON Schema laws, on SQLite: a row terrapin reads back (with a prefetched relation) validates
 * against its `read` schema, as JSON.stringify with bigints as strings and as Fastify's
 * fast-json-stringify write it (the two agree); and a body that Fastify lets through against the
 * `create` (`update`) schema is accepted by `create` (`update`) after `fromJson`. Bodies are drawn
 * wide (any code point, NUL and lone surrogates, numbers past every range, digit strings past 64
 * bits, offsets, leap seconds, year 0, `urn:uuid:`, …) and sent through Fastify, whose ajv
 * validates and coerces them as it does for any route; those it refuses are counted, not sent.
 * Two exceptions, documented with `jsonSchema` (`unforeseen` below): text inside a `json` value,
 * and a float Fastify's ajv coerced to Infinity; both are 400s from `create`, not the schema.
 */
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, { FastifyInstance } from 'fastify'
import fastJson from 'fast-json-stringify'
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  Db,
  create,
  fields,
  fromJson,
  get,
  jsonSchema,
  model,
  prefetch,
  query,
  runPromise,
  schema,
  update,
  where,
} from 'terrapin'
import terrapin from 'terrapin/fastify'
import { SEED, params, timeout } from './support/config'
import { show } from './support/harness'
import { BIGINT_EDGES, INT_EDGES, SMALLINT_EDGES, TEXT_CHARS, formatScaled } from './support/values'

const { Owner, Trip } = schema({
  Owner: model('Owner', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 10 }) } }),
  Trip: model('Trip', {
    fields: {
      id: fields.int({ pk: true }),
      i: fields.int({ null: true }),
      s: fields.smallint(),
      b: fields.bigint({ null: true }),
      b2: fields.bigint({ default: 0n }),
      c: fields.char({ maxLength: 6 }),
      t: fields.text({ null: true }),
      bool: fields.boolean({ null: true }),
      f: fields.float({ null: true }),
      d: fields.decimal({ maxDigits: 10, decimalPlaces: 3, null: true }),
      d0: fields.decimal({ maxDigits: 5, decimalPlaces: 0, null: true }),
      dt: fields.datetime({ null: true }),
      at: fields.datetime({ autoNowAdd: true }),
      day: fields.date({ null: true }),
      tm: fields.time({ null: true }),
      u: fields.uuid({ null: true }),
      j: fields.json({ null: true }),
      e: fields.enum(['draft', 'ß', '😀 x'] as const, { null: true }),
      n: fields.enum([1, 2, 3] as const, { default: 1 }),
      owner: fields.foreignKey('Owner', { null: true, relatedName: 'trips' }),
    },
  }),
})

// ------------------------------------------------------------------------------------------
// values
// ------------------------------------------------------------------------------------------

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 6 })

/** Any UTF-16 unit sequence: NUL and lone surrogates included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(...TEXT_CHARS, '\u0000', '\uD800', '\uDC00'), maxLength: 8 }),
)
/** A code point every database stores: any but NUL and surrogate halves. */
const storable = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((n) => n < 0xd800 || n > 0xdfff)
  .map((n) => String.fromCodePoint(n))
const codeText = (max: number) =>
  fc.string({ unit: fc.oneof(fc.constantFrom(...TEXT_CHARS), storable), maxLength: max })
const moment = fc.date({
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
})
const timeText = fc
  .tuple(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999))
  .map(([h, m, s, ms]) => `${pad(h)}:${pad(m)}:${pad(s)}${ms ? `.${pad(ms, 3)}` : ''}`)

/** Values as stored: what `create` takes, the read law's rows. */
const rowArb = fc.record({
  i: nullable(fc.oneof(fc.integer({ min: INT_EDGES[0], max: INT_EDGES[1] }), fc.constantFrom(...INT_EDGES))),
  s: fc.oneof(fc.integer({ min: SMALLINT_EDGES[0], max: SMALLINT_EDGES[1] }), fc.constantFrom(...SMALLINT_EDGES)),
  b: nullable(fc.oneof(fc.bigInt({ min: BIGINT_EDGES[0], max: BIGINT_EDGES[1] }), fc.constantFrom(...BIGINT_EDGES))),
  c: codeText(6),
  t: nullable(codeText(40)),
  bool: nullable(fc.boolean()),
  f: nullable(fc.double({ noNaN: true, noDefaultInfinity: true })),
  d: nullable(fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }).map((n) => formatScaled(n, 3))),
  d0: nullable(fc.bigInt({ min: -99999n, max: 99999n }).map((n) => formatScaled(n, 0))),
  dt: nullable(moment),
  day: nullable(moment.map((d) => d.toISOString().slice(0, 10))),
  tm: nullable(timeText),
  u: nullable(fc.uuid()),
  j: nullable(fc.jsonValue()),
  e: nullable(fc.constantFrom('draft' as const, 'ß' as const, '😀 x' as const)),
  n: fc.constantFrom(1 as const, 2 as const, 3 as const),
})

/** Anything a JSON body may hold. */
const wild: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e300, -1e300, 2 ** 53 + 2, 2147483648, -2147483649, 32768, 0.5, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('true', 'false', '1', '0', '', ' ', '-0', '00', '+1'),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => n.toString()),
  fc.constantFrom('9223372036854775808', '-9223372036854775809', '0009223372036854775807', '99999999999999999999'),
  fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).chain((n) => fc.nat(6).map((p) => formatScaled(n, p))),
  moment.map((d) => d.toISOString()),
  fc
    .tuple(moment, fc.integer({ min: -14, max: 14 }), fc.nat(59), fc.nat(9))
    .map(
      ([d, h, m, digits]) =>
        `${d.toISOString().slice(0, 19)}${digits ? `.${'123456789012'.slice(0, digits + 1)}` : ''}${h < 0 ? '-' : '+'}${pad(Math.abs(h))}:${pad(m)}`,
    ),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-01:00',
    '0001-01-01T00:30:00+01:00',
    '2016-12-31T23:59:60Z',
    '2020-01-01t00:00:00z',
    '2020-02-30',
    '0000-01-01',
    '2021-02-29',
    '24:00:00',
    '12:30:00+01:00',
    'urn:uuid:123e4567-e89b-12d3-a456-426614174000',
  ),
  moment.map((d) => d.toISOString().slice(0, 10)),
  timeText,
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom('draft', 'ß', '😀 x', 'Draft', 1, 2, 3, 4, '2'),
  fc.jsonValue(),
)

/** The JSON a Fastify reply without a response schema carries (the plugin's serializer). */
const plainJson = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)))

const UUID = '123e4567-e89b-12d3-a456-426614174000'

/** Values near the edge of what each kind takes, on both sides of it. */
const EDGES: Readonly<Record<string, ReadonlyArray<unknown>>> = {
  int: [2147483647, 2147483648, -2147483648, -2147483649, 1.5, '12', '1e3', true, '0x10'],
  smallint: [32767, 32768, -32768, -32769, '7', 2.5],
  bigint: [
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775808',
    '-9223372036854775809',
    '0009223372036854775807',
    '-0',
    '+1',
    '1.0',
    2 ** 53 + 2,
    12,
    '',
  ],
  float: [1e300, -1e300, '1e400', '1.5', 'NaN', 'Infinity', -0, true],
  decimal: ['9999999.999', '10000000.000', '0000009999999', '1.2345', '.5', '5.', '-', '1e5', 1e21, 0.1 + 0.2, -0.5],
  char: ['abcdef', 'abcdefg', '😀😀😀😀😀😀', '😀😀😀😀😀😀😀', 'a\u0000', '\uD800', 'a\uDC00b', 7],
  text: ['a\u0000', '\uD800', '\uDBFF\uDFFF', '', 7, false],
  boolean: ['true', 'false', 1, 0, 'yes', ''],
  datetime: [
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59-01:00',
    '2016-12-31T23:59:60Z',
    '2020-01-01t00:00:00z',
    '2020-01-01T00:00:00.123456789Z',
    '2020-01-01T00:00:00.1234567891Z',
    '2020-01-01 00:00:00Z',
    '2020-01-01T00:00:00',
    '2020-02-30T00:00:00Z',
    '2020-01-01T00:00:00+24:00',
  ],
  date: [
    '2020-02-29',
    '2021-02-29',
    '2020-02-30',
    '0000-01-01',
    '0001-01-01',
    '9999-12-31',
    '2020-1-01',
    '2020-01-01T00:00:00Z',
  ],
  time: ['23:59:59.999', '24:00:00', '12:30:00+01:00', '12:30:00.1234', '12:30', '1:00:00', '12:60:00', '12:30:00.'],
  uuid: [UUID, UUID.toUpperCase(), `urn:uuid:${UUID}`, `{${UUID}}`, UUID.replace(/-/g, ''), UUID.slice(1)],
  enum: ['draft', 'Draft', 'ß', 'SS', 1, 2, 3, 4, '2', 2.0, null],
  json: ['a\u0000', ['\uD800'], { 'k\u0000': 1 }, { a: [{ b: '\uDC00' }] }, 1e300, '', [], {}],
}

/** For a field of `kind`: anything at all, or (more often) a value at the edge of the kind. */
const wildFor = (kind: string): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: wild, weight: 1 }, { arbitrary: fc.constantFrom(...(EDGES[kind] ?? [null])), weight: 3 })

/**
 * A body: each writable field as stored (as JSON carries it) or absent, and one or two fields
 * wild, so that most bodies reach `create` while every field meets its edges.
 */
const bodyArb = (keys: ReadonlyArray<string>): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(
      rowArb,
      fc.array(fc.oneof({ arbitrary: fc.constant(true), weight: 8 }, { arbitrary: fc.constant(false), weight: 1 }), {
        minLength: keys.length,
        maxLength: keys.length,
      }),
      fc.uniqueArray(fc.nat(keys.length - 1), { minLength: 1, maxLength: 2 }),
    )
    .chain(([row, present, wildKeys]) =>
      fc.tuple(...wildKeys.map((i) => wildFor(Trip.columnByKey[keys[i]].kind))).map((wilds) => {
        const stored = plainJson(row) as Record<string, unknown>
        const body: Record<string, unknown> = {}
        keys.forEach((k, i) => {
          if (present[i] && k in stored) body[k] = stored[k]
        })
        wildKeys.forEach((i, n) => {
          body[keys[i]] = wilds[n]
        })
        return body
      }),
    )

/**
 * The refusals the schema cannot foresee. A `json` field's schema is any JSON value, while
 * `create` refuses text inside it that no database stores and nesting past 100 levels. And
 * Fastify's ajv coerces the strings `'Infinity'` and `'1e400'` of a number field to Infinity
 * without checking it further (its numeric keywords skip non-finite numbers), which `create`
 * refuses as no float.
 */
const unforeseen = (i: { field: string; message: string }): boolean =>
  (i.field === 'j' && /NUL|lone surrogates|nested more than/.test(i.message)) ||
  (i.field === 'f' && /^-?Infinity is not a valid float$/.test(i.message))

// ------------------------------------------------------------------------------------------
// the laws
// ------------------------------------------------------------------------------------------

/** A validator that takes a row's JSON as it is: no coercion, nothing removed. */
const ajv = addFormats(new Ajv({ allErrors: true }))

describe(`JSON Schema laws [sqlite] (seed ${SEED})`, () => {
  let db: Db
  let app: FastifyInstance
  let owners: ReadonlyArray<number>
  const sent = { create: 0, update: 0, refused: 0, jsonRefused: 0 }

  beforeAll(async () => {
    app = Fastify()
    await app.register(terrapin, { config: { url: 'sqlite://:memory:', models: [Owner, Trip] }, generateSchemas: true })
    db = app.db
    owners = await Promise.all(['a', 'b'].map(async (name) => (await runPromise(db)(create(Owner, { name }))).id))
    app.post('/trips', { schema: { body: jsonSchema(Trip, { mode: 'create' }) } }, async (req) => {
      sent.create++
      return runPromise(db)(create(Trip, fromJson(Trip, req.body)))
    })
    app.patch<{ Params: { id: string } }>(
      '/trips/:id',
      { schema: { body: jsonSchema(Trip, { mode: 'update' }) } },
      async (req) => {
        sent.update++
        return runPromise(db)(
          pipe(query(Trip), where({ id: Number(req.params.id) }), update(fromJson(Trip, req.body, 'update'))),
        )
      },
    )
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
  })

  it(
    'a row read back validates against its read schema, serialized as Fastify does with and without the schema',
    async () => {
      const rowSchema = jsonSchema(Trip, { mode: 'read' })
      const withOwner = jsonSchema(Trip, { mode: 'read', relations: ['owner'] })
      const ownerWithTrips = jsonSchema(Owner, { mode: 'read', relations: ['trips'] })
      const checks = [rowSchema, withOwner, ownerWithTrips].map((s) => ({ valid: ajv.compile(s), write: fastJson(s) }))
      await fc.assert(
        fc.asyncProperty(rowArb, fc.constantFrom(null, ...owners), async (row, ownerId) => {
          const made = await runPromise(db)(create(Trip, { ...row, ownerId }))
          const read = await runPromise(db)(pipe(query(Trip), where({ id: made.id }), prefetch('owner'), get))
          const owner = await runPromise(db)(pipe(query(Owner), where({ id: owners[0] }), prefetch('trips'), get))
          for (const [k, value] of [[0, read] as const, [1, read] as const, [2, owner] as const]) {
            const { valid, write } = checks[k]
            const viaSchema: unknown = JSON.parse(write(value) as string)
            const plain = plainJson(value)
            if (!valid(viaSchema)) throw new Error(`${show(viaSchema)}\nfails: ${show(valid.errors)}`)
            if (k === 0)
              expect(viaSchema).toEqual(
                Object.fromEntries(Object.entries(plain as object).filter(([key]) => key !== 'owner')),
              )
            else expect(viaSchema).toEqual(plain)
          }
        }),
        params(60),
      )
    },
    timeout(60, 200),
  )

  it(
    'a body Fastify accepts against the create schema is accepted by create; against the update schema, by update',
    async () => {
      // the key's existence is the database's to check (a 409): drawn apart, from the owners' keys
      const createKeys = Object.keys(
        (jsonSchema(Trip, { mode: 'create' }) as { properties: object }).properties,
      ).filter((k) => k !== 'ownerId')
      const target = await runPromise(db)(create(Trip, { s: 1, c: 'x' }))
      await fc.assert(
        fc.asyncProperty(bodyArb(createKeys), fc.constantFrom(undefined, null, ...owners), async (body, ownerId) => {
          const payload = ownerId === undefined ? body : { ...body, ownerId }
          for (const [method, url] of [
            ['POST', '/trips'],
            ['PATCH', `/trips/${target.id}`],
          ] as const) {
            const r = await app.inject({ method, url, payload })
            const answer = JSON.parse(r.body) as {
              in?: string
              code?: string
              issues?: ReadonlyArray<{ field: string; message: string }>
            }
            // refused by the schema, or before it (Fastify's JSON parser refuses `__proto__` keys)
            if (r.statusCode === 400 && (answer.in === 'body' || answer.code === 'FST_ERR_CTP_INVALID_JSON_BODY'))
              sent.refused++
            else if (r.statusCode === 400 && answer.issues?.every(unforeseen)) sent.jsonRefused++
            else if (r.statusCode !== 200) throw new Error(`${method} ${show(payload)}\n→ ${r.statusCode} ${r.body}`)
          }
        }),
        params(300),
      )
      // the drawing reaches create and update, not only the schema's refusals
      expect(sent.create).toBeGreaterThan(20)
      expect(sent.update).toBeGreaterThan(20)
    },
    timeout(300, 100),
  )
})
