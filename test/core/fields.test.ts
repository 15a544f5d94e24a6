/**
 * Every scalar field kind with its options: values round-trip through the database unchanged,
 * rows are decoded by the field codecs, defaults / autoNow / autoNowAdd / source apply, and the
 * DDL carries unique and index.
 */
import { pipe } from 'fp-ts/function'
import {
  bulkCreate,
  compile,
  create,
  dialects,
  fields,
  get,
  model,
  orderBy,
  query,
  run,
  schemaSql,
  update,
  values,
  where,
} from 'terrapin'
import { LONG_RESULT } from '../../src/run/statement'
import { forEachDialect, left, right } from '../support/dialects'
import { Kinds, Seq } from './models'

const full = {
  i: -2147483648,
  big: 9007199254740993n,
  small: -32768,
  name: 'ñandú',
  body: 'line1\nline2 \u00df emoji \u{1F600} quote \' "',
  flag: true,
  ratio: 0.1 + 0.2,
  price: '12345678.90',
  at: new Date(Date.UTC(2021, 11, 31, 23, 59, 58, 123)),
  day: '2020-02-29',
  clock: '13:45:07.25',
  ref: '5f1c2a4e-8b3d-4c6f-9a7e-1d2c3b4a5e6f',
  data: { a: [1, 'two', null, { b: true }], n: 1.5 },
  point: { x: 1, y: -2 },
  status: 'published' as const,
  level: 3 as const,
  code: 'ABC',
  score: 100,
}

forEachDialect('fields', [Kinds, Seq], (t) => {
  beforeEach(() => t().reset())

  it('round-trips a value of every kind and returns it decoded', async () => {
    const made = right(await pipe(create(Kinds, full), run(t().db))())
    const read = right(await pipe(query(Kinds), where({ id: made.id }), get, run(t().db))())
    for (const row of [made, read]) {
      expect(row).toMatchObject({ ...full, at: full.at })
      expect(typeof row.big).toBe('bigint')
      expect(row.at).toBeInstanceOf(Date)
      expect(row.at!.getTime()).toBe(full.at.getTime())
      expect(row.createdAt).toBeInstanceOf(Date)
      expect(typeof row.id).toBe('number')
    }
  })

  it('round-trips the extremes: bigint beyond 2^53 both ways, max int, negative decimals, empty strings', async () => {
    const db = t().db
    const a = right(
      await pipe(
        create(Kinds, {
          name: 'a',
          big: -9223372036854775808n,
          i: 2147483647,
          small: 32767,
          price: '-0.05',
          body: '',
          ratio: -1e300,
        }),
        run(db),
      )(),
    )
    const b = right(
      await pipe(create(Kinds, { name: 'b', big: 9223372036854775807n, price: '0', ratio: 0 }), run(db))(),
    )
    const rows = right(
      await pipe(query(Kinds), values('name', 'big', 'i', 'small', 'price', 'body', 'ratio'), run(db))(),
    )
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]))
    expect(byName.a).toEqual({
      name: 'a',
      big: -9223372036854775808n,
      i: 2147483647,
      small: 32767,
      price: '-0.05',
      body: '',
      ratio: -1e300,
    })
    expect(byName.b).toEqual({
      name: 'b',
      big: 9223372036854775807n,
      i: null,
      small: null,
      price: '0.00',
      body: null,
      ratio: 0,
    })
    expect(a.big).toBe(-9223372036854775808n)
    expect(b.price).toBe('0.00')
  })

  it('normalises decimals to the field scale, on create and on read', async () => {
    const db = t().db
    const made = right(await pipe(create(Kinds, { name: 'd', price: '1.5' }), run(db))())
    expect(made.price).toBe('1.50')
    const read = right(await pipe(query(Kinds), where({ name: 'd' }), get, run(db))())
    expect(read.price).toBe('1.50')
    right(await pipe(query(Kinds), where({ name: 'd' }), update({ price: '-7' }), run(db))())
    expect(right(await pipe(query(Kinds), where({ name: 'd' }), get, run(db))()).price).toBe('-7.00')
    // A decimal compares by value, not as text.
    right(await pipe(create(Kinds, { name: 'e', price: '10.00' }), run(db))())
    const gt = right(await pipe(query(Kinds), where({ price__gt: '9.5' }), values('name'), run(db))())
    expect(gt.map((r) => r.name)).toEqual(['e'])
  })

  it('applies defaults, default functions, autoNowAdd and autoNow; nullable fields default to null', async () => {
    const before = Date.now()
    const row = right(await pipe(create(Kinds, { name: 'x' }), run(t().db))())
    const after = Date.now()
    expect(row).toMatchObject({
      big: 0n,
      flag: false,
      status: 'draft',
      score: 10,
      i: null,
      body: null,
      data: null,
      point: null,
      level: null,
      code: null,
    })
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1)
    expect(row.createdAt.getTime()).toBeLessThanOrEqual(after + 1)
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime())
  })

  it('a default function is called per row', async () => {
    const a = right(await pipe(create(Seq, {}), run(t().db))())
    const b = right(await pipe(create(Seq, {}), run(t().db))())
    expect(Number(b.name.slice(1))).toBe(Number(a.name.slice(1)) + 1)
  })

  it('stores a field under its `source` column', async () => {
    right(await pipe(create(Kinds, { name: 's', code: 'XY' }), run(t().db))())
    const sql = compile(pipe(query(Kinds), where({ code: 'XY' }), values('code')), t().dialect).sql
    expect(sql).toContain(dialects[t().dialect].quote('code_col'))
    const rows = right(await pipe(query(Kinds), where({ code: 'XY' }), values('name', 'code'), run(t().db))())
    expect(rows).toEqual([{ name: 's', code: 'XY' }])
  })

  it('json: any JSON value without a codec; with a codec, values are checked on write and read', async () => {
    const db = t().db
    for (const [i, v] of [
      [1, 'a string'],
      [2, 42],
      [3, [1, [2]]],
      [4, true],
      [5, { deep: { er: ['x'] } }],
    ] as const) {
      const row = right(await pipe(create(Kinds, { name: `j${i}`, data: v }), run(db))())
      expect(row.data).toEqual(v)
    }
    const bad = left(await pipe(create(Kinds, { name: 'jp', point: { x: 1 } as never }), run(db))())
    expect(bad._tag).toBe('ValidationError')
    const flat = right(await pipe(query(Kinds), where({ name__startswith: 'j' }), values('name', 'data'), run(db))())
    expect(flat.length).toBe(5)
  })

  it('enum: string and integer enums round-trip; other values are rejected', async () => {
    const db = t().db
    const row = right(await pipe(create(Kinds, { name: 'e1', status: 'draft', level: 1 }), run(db))())
    expect([row.status, row.level]).toEqual(['draft', 1])
    expect(left(await pipe(create(Kinds, { name: 'e2', status: 'gone' as never }), run(db))())._tag).toBe(
      'ValidationError',
    )
    expect(left(await pipe(create(Kinds, { name: 'e3', level: 4 as never }), run(db))())._tag).toBe('ValidationError')
  })

  it('uuid: stored and returned in lower case; a uuid pk gets a random default', async () => {
    const row = right(
      await pipe(create(Kinds, { name: 'u', ref: '5F1C2A4E-8B3D-4C6F-9A7E-1D2C3B4A5E6F' }), run(t().db))(),
    )
    expect(row.ref).toBe('5f1c2a4e-8b3d-4c6f-9a7e-1d2c3b4a5e6f')
    const U = model('U', { fields: { id: fields.uuid({ pk: true }) } })
    expect(U.fields.id.optional).toBe(true)
  })

  it('time keeps milliseconds; date is a calendar day', async () => {
    const row = right(await pipe(create(Kinds, { name: 't', clock: '00:00:00', day: '1999-12-31' }), run(t().db))())
    expect([row.clock, row.day]).toEqual(['00:00:00', '1999-12-31'])
    const leap = right(await pipe(create(Kinds, { name: 'leap', day: '2000-02-29' }), run(t().db))())
    expect(leap.day).toBe('2000-02-29')
    const far = right(await pipe(create(Kinds, { name: 'far', day: '9999-12-31', clock: '23:59:59' }), run(t().db))())
    expect([far.day, far.clock]).toEqual(['9999-12-31', '23:59:59'])
    const r2 = right(await pipe(create(Kinds, { name: 't2', clock: '23:59:59.999' }), run(t().db))())
    expect(r2.clock).toBe('23:59:59.999')
    // One spelling: trailing zeros of the milliseconds are dropped, and filters agree.
    const r3 = right(await pipe(create(Kinds, { name: 't3', clock: '10:00:00.500' }), run(t().db))())
    expect(r3.clock).toBe('10:00:00.5')
    const found = right(await pipe(query(Kinds), where({ clock: '10:00:00.50' }), values('name'), run(t().db))())
    expect(found).toEqual([{ name: 't3' }])
  })

  it('datetimes are UTC with millisecond precision', async () => {
    const at = new Date('2024-03-10T02:30:00.007Z')
    const row = right(await pipe(create(Kinds, { name: 'dt', at }), run(t().db))())
    const read = right(await pipe(query(Kinds), where({ at }), get, run(t().db))())
    expect(row.at!.toISOString()).toBe('2024-03-10T02:30:00.007Z')
    expect(read.at!.toISOString()).toBe('2024-03-10T02:30:00.007Z')
  })

  it('datetimes of years 1 to 9999 round-trip; others are a ValidationError', async () => {
    const db = t().db
    for (const iso of [
      '0001-01-01T00:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
      '0500-03-01T12:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      const at = new Date(iso)
      const made = right(await pipe(create(Kinds, { name: `y${iso.slice(0, 4)}`, at }), run(db))())
      const read = right(await pipe(query(Kinds), where({ id: made.id }), get, run(db))())
      expect([iso, made.at?.toISOString(), read.at?.toISOString()]).toEqual([iso, iso, iso])
      expect(right(await pipe(query(Kinds), where({ at }), values('name'), run(db))())).toEqual([
        { name: `y${iso.slice(0, 4)}` },
      ])
    }
    for (const iso of ['+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '0000-06-01T00:00:00.000Z'])
      expect(left(await pipe(create(Kinds, { name: 'bad', at: new Date(iso) }), run(db))())._tag).toBe(
        'ValidationError',
      )
  })

  it('datetimes at the edges of the calendar read back alike in a long result, read whole and row by row', async () => {
    const db = t().db
    // Each is read by the arithmetic reader of datetime text (MariaDB's and SQLite's text,
    // PostgreSQL's with +00): the first years, whose Date.UTC reading is 19xx; leap days of
    // years divisible by 4, 100 and 400; the days around the epoch; fractions of one digit.
    const edges = [
      '0001-01-01T00:00:00.000Z',
      '0001-02-28T23:59:59.999Z',
      '0004-02-29T12:00:00.001Z',
      '0004-03-01T00:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
      '0100-02-28T00:00:00.010Z',
      '0100-03-01T00:00:00.100Z',
      '1582-10-04T00:00:00.000Z',
      '1899-12-31T23:59:59.999Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T23:59:59.999Z',
      '2000-03-01T00:00:00.000Z',
      '2038-01-19T03:14:08.000Z',
      '2400-02-29T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ]
    const n = LONG_RESULT + 100
    const expected = Array.from({ length: n }, (_, i) => edges[i % edges.length])
    right(
      await pipe(
        bulkCreate(
          Kinds,
          expected.map((iso, i) => ({ name: `e${i}`, at: new Date(iso) })),
        ),
        run(db),
      )(),
    )
    // The second read of a long result is decoded as the driver hands its rows over (PostgreSQL).
    for (let k = 0; k < 2; k++) {
      const rows = right(await pipe(query(Kinds), orderBy('id'), run(db))())
      expect(rows.map((r) => r.at?.toISOString())).toEqual(expected)
    }
  })

  it('unique: a duplicate is an IntegrityError of kind unique', async () => {
    right(await pipe(create(Kinds, { name: 'dup' }), run(t().db))())
    const e = left(await pipe(create(Kinds, { name: 'dup' }), run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
  })
})

describe('field definitions', () => {
  it('are frozen records with their kind, options and codec', () => {
    for (const f of Object.values(Kinds.fields)) {
      expect(Object.isFrozen(f)).toBe(true)
      expect(Object.isFrozen(f.options)).toBe(true)
      expect(f._tag).toBe('Field')
    }
    expect(Kinds.fields.code.options).toMatchObject({
      maxLength: 5,
      source: 'code_col',
      index: true,
      description: 'a short code',
    })
    expect(Kinds.columnByKey.code.column).toBe('code_col')
    expect(Kinds.fields.name.codec.is('x')).toBe(true)
    expect(Kinds.fields.name.codec.is(1)).toBe(false)
  })

  it('the DDL declares unique and index on every dialect', () => {
    for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
      const ddl = schemaSql(dialects[d], [Kinds], false).join(';\n')
      const q = dialects[d].quote
      expect(ddl).toMatch(new RegExp(`${escape(q('name'))} [^,]*UNIQUE`))
      expect(ddl).toMatch(new RegExp(`CREATE INDEX .* ON ${escape(q('core_kinds'))} \\(${escape(q('code_col'))}\\)`))
    }
  })

  it('a model has exactly one primary key; an implicit int id otherwise', () => {
    expect(() => model('Two', { fields: { a: fields.int({ pk: true }), b: fields.int({ pk: true }) } })).toThrow(
      /more than one/,
    )
    const M = model('M', { fields: { a: fields.text() } })
    expect(M.pk).toBe('id')
    expect(M.columns.map((c) => c.key)).toEqual(['id', 'a'])
  })
})

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')
