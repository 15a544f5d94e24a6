/**
 * Bad input is a typed `ValidationError` before any SQL is sent: strings over maxLength, nulls
 * in non-null fields, unknown fields, wrong types, undefined, text the databases cannot store,
 * field validators, and filter values of the wrong type for every kind. The query log shows
 * that nothing reached the database and a count shows nothing was written.
 */
import { pipe } from 'fp-ts/function'
import {
  ValidationError,
  bulkCreate,
  count,
  create,
  exclude,
  get,
  getOrCreate,
  orderBy,
  query,
  remove,
  run,
  save,
  update,
  updateOrCreate,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Item, Kinds } from './models'

type AnyPlan = Parameters<ReturnType<typeof run>>[0]

forEachDialect('validation', [Kinds, Item], (t) => {
  beforeEach(() => t().reset())

  /** Runs a plan that must fail validation: a ValidationError, no statement sent, nothing written. */
  const rejects = async (plan: AnyPlan, field?: string): Promise<ValidationError> => {
    const db = t().db
    const before = right(await pipe(query(Kinds), count, run(db))())
    t().clearLog()
    const e = left(await run(db)(plan)())
    expect(e._tag).toBe('ValidationError')
    expect(t().log).toEqual([])
    const v = e as ValidationError
    if (field !== undefined) expect(v.issues.map((i) => i.field)).toContain(field)
    expect(right(await pipe(query(Kinds), count, run(db))())).toBe(before)
    return v
  }

  it('a string over maxLength (counted in code points)', async () => {
    await rejects(create(Kinds, { name: 'x'.repeat(11) }), 'name')
    // 10 emoji are 20 UTF-16 units but 10 characters: accepted.
    right(await pipe(create(Kinds, { name: '\u{1F600}'.repeat(10) }), run(t().db))())
    await rejects(pipe(query(Kinds), update({ name: 'y'.repeat(11) })), 'name')
  })

  it('null in a non-null field, on create and update', async () => {
    await rejects(create(Kinds, { name: null as never }), 'name')
    await rejects(pipe(query(Kinds), update({ flag: null as never })), 'flag')
  })

  it('a missing required field', async () => {
    await rejects(create(Kinds, {} as never), 'name')
  })

  it('an unknown field in runtime input, on every write', async () => {
    const bad = { name: 'a', nope: 1 } as never
    await rejects(create(Kinds, bad), 'nope')
    await rejects(bulkCreate(Kinds, [{ name: 'ok' }, bad]), '[1].nope')
    await rejects(pipe(query(Kinds), update(bad)), 'nope')
    await rejects(getOrCreate(Kinds, bad), 'nope')
    await rejects(updateOrCreate(Kinds, { name: 'a' }, bad), 'nope')
    await rejects(save(Kinds, bad), 'nope')
  })

  it('an unknown field or lookup in a filter or ordering', async () => {
    await rejects(pipe(query(Kinds), where({ nope: 1 } as never)), 'nope')
    await rejects(pipe(query(Kinds), where({ name__nope: 'x' } as never)), 'name__nope')
    await rejects(pipe(query(Kinds), exclude({ flag__contains: 'x' } as never)), 'flag__contains')
    await rejects(pipe(query(Kinds), orderBy('-nope' as never)))
    await rejects(pipe(query(Kinds), where({ nope: 1 } as never), remove))
    await rejects(pipe(query(Kinds), where({ nope: 1 } as never), get))
  })

  it('undefined is never a value: not in a filter (it would match everything), not in input', async () => {
    right(await pipe(create(Kinds, { name: 'keep' }), run(t().db))())
    await rejects(pipe(query(Kinds), where({ id: undefined } as never), remove), 'id')
    await rejects(pipe(query(Kinds), where({ id: undefined } as never), get), 'id')
    await rejects(pipe(query(Kinds), where({ id__in: [1, undefined] } as never)), 'id__in')
    await rejects(create(Kinds, { name: 'x', body: undefined }), 'body')
    await rejects(pipe(query(Kinds), update({ body: undefined })), 'body')
  })

  it('text with NUL or a lone surrogate, in input and in filters', async () => {
    await rejects(create(Kinds, { name: 'a\u0000b' }), 'name')
    await rejects(create(Kinds, { name: 'a', body: 'x\uD800' }), 'body')
    await rejects(create(Kinds, { name: 'a', data: { k: 'x\u0000' } }), 'data')
    await rejects(pipe(query(Kinds), where({ body__contains: 'a\u0000' })), 'body__contains')
    await rejects(pipe(query(Kinds), where({ body: '\uDC00' })), 'body')
  })

  it('wrong types for every kind', async () => {
    const cases: ReadonlyArray<[string, unknown]> = [
      ['i', 1.5],
      ['i', '1'],
      ['i', 2 ** 31],
      ['big', 1.5],
      ['big', '12'],
      ['small', 40000],
      ['body', 1],
      ['flag', 1],
      ['ratio', '1.0'],
      ['ratio', NaN],
      ['price', '1e5'],
      ['price', '12.345'],
      ['price', '123456789'],
      ['price', 'abc'],
      ['at', '2020-01-01'],
      ['at', new Date(NaN)],
      ['day', '2020-1-1'],
      ['day', '2021-02-29'],
      ['day', '2020-04-31'],
      ['day', '2020-13-01'],
      ['day', '0000-01-01'],
      ['clock', '24:00:00'],
      ['clock', '12:60:00'],
      ['clock', '12:00:00.1234'],
      ['day', new Date()],
      ['clock', '25:00'],
      ['ref', 'not-a-uuid'],
      ['point', { x: 'a', y: 1 }],
      ['status', 'other'],
      ['level', '1'],
      ['data', () => 1],
    ]
    for (const [field, value] of cases) {
      const e = await rejects(create(Kinds, { name: 'x', [field]: value } as never), field)
      expect(e.model).toBe('Kinds')
    }
  })

  it("the fields' validators, every problem reported", async () => {
    const e = await rejects(create(Kinds, { name: 'x'.repeat(11), code: 'abc', score: 101 }))
    expect(e.issues.map((i) => [i.field, i.message])).toEqual(
      expect.arrayContaining([
        ['name', expect.stringMatching(/maxLength/)],
        ['code', 'must be upper case'],
        ['score', 'must be at most 100'],
      ]),
    )
    await rejects(pipe(query(Kinds), update({ score: -1 })), 'score')
  })

  it('filter values: the right type for every kind is accepted', async () => {
    const db = t().db
    const at = new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6))
    right(
      await pipe(
        create(Item, {
          name: 'one',
          n: 1,
          big: 5n,
          x: 1.5,
          price: '2.500',
          on: true,
          at,
          day: '2020-01-02',
          clock: '03:04:05',
          ref: '00000000-0000-4000-8000-000000000001',
          kind: 'a',
        }),
        run(db),
      )(),
    )
    const ok = [
      { n: 1 },
      { big: 5n },
      { big: 5 },
      { x: 1.5 },
      { price: '2.5' },
      { price: 2.5 },
      { on: true },
      { at },
      { at__gte: new Date(at.getTime() - 1) },
      { day: '2020-01-02' },
      { clock: '03:04:05' },
      { ref: '00000000-0000-4000-8000-000000000001' },
      { kind: 'a' },
      { at__year: 2020 },
    ] as const
    for (const f of ok) expect([f, right(await pipe(query(Item), where(f as never), count, run(db))())]).toEqual([f, 1])
  })

  it('filter values: the wrong type for every kind is rejected', async () => {
    const bad: ReadonlyArray<Record<string, unknown>> = [
      { n: '1' },
      { n: 1.5 },
      { big: 1.5 },
      { big: 'x' },
      { x: '1' },
      { price: 'x' },
      { on: 1 },
      { at: '2020-01-01T00:00:00Z' },
      { at: new Date(NaN) },
      { day: new Date() },
      { clock: 3 },
      { ref: 'x' },
      { kind: 'z' },
      { at__year: '2020' },
      { at__year: 2020.5 },
      { n__in: 1 },
      { n__range: [1] },
      { n__isnull: 'yes' },
      { name__contains: 1 },
      { n__gt: null },
      { kind__gt: 'a' },
      { on__lt: true },
      { on__range: [false, true] },
    ]
    for (const f of bad) await rejects(pipe(query(Item), where(f as never)), Object.keys(f)[0])
  })

  it('lookups a kind does not have are rejected as the types reject them (json: equality, containment, NULL)', async () => {
    for (const f of [
      { data__in: [1] },
      { data__gt: 'x' },
      { data__icontains: 'x' },
      { name__containedBy: 'x' },
      { status__gte: 'draft' },
      { flag__lt: true },
      { level__range: [1, 2] },
    ])
      await rejects(pipe(query(Kinds), where(f as never)), Object.keys(f)[0])
    right(
      await pipe(
        query(Kinds),
        where({
          data: null,
          data__not: { a: 1 },
          data__isnull: true,
          point__notIsnull: false,
          status__in: ['draft'],
          level__not: 1,
          flag__not: true,
        }),
        count,
        run(t().db),
      )(),
    )
  })

  it('negative or fractional limit/offset and a zero batch size', async () => {
    const { limit, offset } = await import('terrapin')
    await rejects(pipe(query(Kinds), limit(-1)), 'limit')
    await rejects(pipe(query(Kinds), offset(1.5)), 'offset')
    await rejects(bulkCreate(Kinds, [{ name: 'a' }], { batchSize: 0 }), 'batchSize')
  })
})
