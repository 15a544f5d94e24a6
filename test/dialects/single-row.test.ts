/**
 * Single-row reads: `first`, and `get`/`getOrNone` pinned to a primary or unique key, which a
 * synchronous driver reads with its one-row call (better-sqlite3's `get`) instead of a list.
 * Whatever path a read takes, `get` still fails on two rows and on none, on every dialect.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  bulkCreate,
  fields,
  first,
  get,
  getOrNone,
  model,
  orderBy,
  query,
  q,
  run,
  schema,
  values,
  where,
} from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Person, Passport } = schema({
  Person: model('Person', {
    table: 'single_person',
    fields: {
      id: fields.int({ pk: true }),
      email: fields.char({ maxLength: 40, unique: true }),
      team: fields.char({ maxLength: 10 }),
    },
  }),
  Passport: model('Passport', {
    table: 'single_passport',
    fields: {
      id: fields.int({ pk: true }),
      number: fields.char({ maxLength: 10 }),
      holder: fields.oneToOne('Person', { relatedName: 'passport' }),
    },
  }),
})

const PEOPLE = [
  { id: 1, email: 'ann@x.org', team: 'red' },
  { id: 2, email: 'bob@x.org', team: 'red' },
  { id: 3, email: 'cy@x.org', team: 'blue' },
]

forEachDialect('single-row reads', [Person, Passport], (t) => {
  beforeAll(async () => {
    right(await pipe(bulkCreate(Person, PEOPLE), run(t().db))())
    right(await pipe(bulkCreate(Passport, [{ id: 10, number: 'P-3', holderId: 3 }]), run(t().db))())
  })

  const tagOf = <A>(e: E.Either<{ readonly _tag: string }, A>): string => (E.isLeft(e) ? e.left._tag : 'Right')

  it('get by primary key: the row, DoesNotExist for a missing key, getOrNone null', async () => {
    for (const p of PEOPLE) expect(right(await pipe(query(Person), where({ id: p.id }), get, run(t().db))())).toEqual(p)
    expect(tagOf(await pipe(query(Person), where({ id: 99 }), get, run(t().db))())).toBe('DoesNotExist')
    expect(right(await pipe(query(Person), where({ id: 99 }), getOrNone, run(t().db))())).toBeNull()
  })

  it('get by a unique field compares exactly (another case is another value)', async () => {
    expect(right(await pipe(query(Person), where({ email: 'bob@x.org' }), get, run(t().db))()).id).toBe(2)
    expect(tagOf(await pipe(query(Person), where({ email: 'BOB@x.org' }), get, run(t().db))())).toBe('DoesNotExist')
  })

  it('get by a one-to-one foreign key finds the one row', async () => {
    expect(right(await pipe(query(Passport), where({ holderId: 3 }), get, run(t().db))()).number).toBe('P-3')
    expect(right(await pipe(query(Passport), where({ holderId: 1 }), getOrNone, run(t().db))())).toBeNull()
  })

  it('a key with a condition that fails is no row', async () => {
    expect(tagOf(await pipe(query(Person), where({ id: 1, team: 'blue' }), get, run(t().db))())).toBe('DoesNotExist')
    expect(right(await pipe(query(Person), where({ id: 1, team: 'red' }), get, run(t().db))()).email).toBe('ann@x.org')
  })

  it('get on a field that is not unique, or on keys joined by or, still reports two rows', async () => {
    const multiple = (e: E.Either<{ readonly _tag: string }, unknown>) => tagOf(e)
    expect(multiple(await pipe(query(Person), where({ team: 'red' }), get, run(t().db))())).toBe(
      'MultipleObjectsReturned',
    )
    expect(multiple(await pipe(query(Person), where(q.or({ id: 1 }, { id: 2 })), get, run(t().db))())).toBe(
      'MultipleObjectsReturned',
    )
    expect(multiple(await pipe(query(Person), where({ id__in: [1, 3] }), getOrNone, run(t().db))())).toBe(
      'MultipleObjectsReturned',
    )
  })

  it('first: the lowest key unordered, the first by the order given, null when none', async () => {
    expect(right(await pipe(query(Person), where({ team: 'red' }), first, run(t().db))())?.id).toBe(1)
    expect(right(await pipe(query(Person), orderBy('-email'), first, run(t().db))())?.id).toBe(3)
    expect(right(await pipe(query(Person), where({ team: 'green' }), first, run(t().db))())).toBeNull()
    expect(right(await pipe(query(Person), where({ id: 2 }), values('email'), first, run(t().db))())).toEqual({
      email: 'bob@x.org',
    })
  })

  it('a read by key is one statement, logged with its one row', async () => {
    t().clearLog()
    right(await pipe(query(Person), where({ id: 2 }), get, run(t().db))())
    expect(t().log.map((e) => e.rows)).toEqual([1])
  })
})
