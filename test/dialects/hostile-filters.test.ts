/**
 * Input a program passes on from its users (a request body as a filter, a list that may be
 * empty) on every dialect: an empty member of `q.or` and a key named after an `Object.prototype`
 * property are `ValidationError`s, returned as a Left before any statement is sent, and the
 * table keeps every row.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  Count,
  F,
  OuterRef,
  exists,
  Plan,
  Max,
  annotate,
  bulkCreate,
  bulkUpdate,
  count,
  create,
  exclude,
  fields,
  getOrCreate,
  groupBy,
  model,
  orderBy,
  prefetch,
  prefetchWith,
  q,
  query,
  remove,
  run,
  save,
  schema,
  update,
  updateOrCreate,
  values,
  valuesFlat,
  valuesList,
  where,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'

const { Author, Book } = schema({
  Author: model('Author', {
    table: 'hf_author',
    fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) },
  }),
  Book: model('Book', {
    table: 'hf_book',
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 50 }),
      rating: fields.int({ null: true }),
      author: fields.foreignKey('Author', { relatedName: 'books' }),
    },
  }),
})

/** Names of `Object.prototype` properties, and paths through relations that end or start with one. */
const PROTO_KEYS = [
  ...Object.getOwnPropertyNames(Object.prototype),
  'author__constructor',
  'constructor__name',
  'books__toString',
  'author__books__valueOf',
  'title__constructor',
  'rating__hasOwnProperty',
]

/**
 * What an app gets when it parses a request body `{ …rest, "__proto__": 1 }`: an own `__proto__`
 * key (an object literal would set the prototype instead).
 */
const protoBody = (rest: Record<string, unknown>): Record<string, unknown> => {
  const inner = JSON.stringify(rest).slice(1, -1)
  return JSON.parse(`{${inner}${inner ? ',' : ''}"__proto__":1}`) as Record<string, unknown>
}

/** Input whose type the combinator rejects (it comes from users, untyped). */
const untyped = (x: unknown): never => x as never

/** Every position that takes a field name, with `key` there. */
const plansNaming = (key: string): ReadonlyArray<readonly [string, () => Plan<unknown>]> => {
  const k = untyped(key)
  const filter = key === '__proto__' ? protoBody({}) : { [key]: 1 }
  return [
    ['where', () => pipe(query(Book), where(untyped(filter)))],
    ['where (second key)', () => pipe(query(Book), where(untyped({ id: 1, ...filter })))],
    ['exclude', () => pipe(query(Book), exclude(untyped(filter)))],
    ['q.or', () => pipe(query(Book), where(q.or(untyped(filter), { id: 1 })))],
    ['q.and', () => pipe(query(Book), where(q.and({ id: 1 }, untyped(filter))))],
    ['q.not', () => pipe(query(Book), where(q.not(untyped(filter))))],
    ['where … remove', () => pipe(query(Book), where(untyped(filter)), remove)],
    ['values', () => pipe(query(Book), values(k))],
    ['valuesList', () => pipe(query(Book), valuesList(k))],
    ['valuesFlat', () => pipe(query(Book), valuesFlat(k))],
    ['groupBy', () => pipe(query(Book), groupBy(k))],
    ['orderBy', () => pipe(query(Book), orderBy(k))],
    ['orderBy -', () => pipe(query(Book), orderBy(untyped(`-${key}`)))],
    ['F', () => pipe(query(Book), where({ rating: F(k) }))],
    ['F in update', () => pipe(query(Book), update({ rating: F(k) }))],
    ['Count', () => pipe(query(Author), annotate({ n: Count(k) }))],
    ['Max', () => pipe(query(Book), annotate({ n: Max(k) }))],
    ['annotate name', () => pipe(query(Author), annotate(untyped({ [key]: Count('books') })))],
    [
      'create',
      () =>
        create(
          Book,
          untyped(key === '__proto__' ? protoBody({ title: 'x', authorId: 1 }) : { title: 'x', authorId: 1, [key]: 1 }),
        ),
    ],
    [
      'bulkCreate',
      () =>
        bulkCreate(Book, [
          untyped(key === '__proto__' ? protoBody({ title: 'x', authorId: 1 }) : { title: 'x', authorId: 1, [key]: 1 }),
        ]),
    ],
    [
      'update',
      () =>
        pipe(query(Book), update(untyped(key === '__proto__' ? protoBody({ title: 'y' }) : { title: 'y', [key]: 1 }))),
    ],
    ['getOrCreate', () => getOrCreate(Book, untyped(filter), untyped({ title: 'x', authorId: 1 }))],
    [
      'getOrCreate defaults',
      () =>
        getOrCreate(
          Book,
          { id: 1 },
          untyped(key === '__proto__' ? protoBody({ title: 'x' }) : { title: 'x', [key]: 1 }),
        ),
    ],
    ['updateOrCreate', () => updateOrCreate(Book, untyped(filter), untyped({ title: 'x', authorId: 1 }))],
    [
      'save',
      () =>
        save(
          Book,
          untyped(
            key === '__proto__'
              ? protoBody({ id: 1, title: 'x', authorId: 1 })
              : { id: 1, title: 'x', authorId: 1, [key]: 1 },
          ),
        ),
    ],
    ['bulkUpdate', () => bulkUpdate(Book, untyped([{ id: 1, title: 'x', [key]: 1 }]), untyped([key]))],
    ['prefetch', () => pipe(query(Author), prefetch(k))],
  ]
}

/** Empty members of `q.or`, however deep, and in `exclude`/`q.not` positions. */
const EMPTY_MEMBERS: ReadonlyArray<readonly [string, () => Plan<number>, string]> = [
  ['where(q.or({}, { id: 1 }))', () => pipe(query(Book), where(q.or({}, { id: 1 })), remove), 'member 1 is empty'],
  [
    'where(q.or({ id: 1 }, q.and()))',
    () => pipe(query(Book), where(q.or({ id: 1 }, q.and())), remove),
    'member 2 is empty',
  ],
  ['where(q.or({}))', () => pipe(query(Book), where(q.or({})), remove), 'member 1 is empty'],
  [
    'where(q.or({ id: 1 }, q.and({}, q.and())))',
    () => pipe(query(Book), where(q.or({ id: 1 }, q.and({}, q.and()))), remove),
    'member 2 is empty',
  ],
  [
    'where(q.or({ id: 1 }, q.not(q.not({}))))',
    () => pipe(query(Book), where(q.or({ id: 1 }, q.not(q.not({})))), remove),
    'member 2 is empty',
  ],
  [
    'where(q.or({ id: 1 }, q.not(q.or())))',
    () => pipe(query(Book), where(q.or({ id: 1 }, q.not(q.or()))), remove),
    'member 2 is empty',
  ],
  [
    'where(q.and({ id: 2 }, q.or({ id: 1 }, q.or({ id: 3 }, {}))))',
    () => pipe(query(Book), where(q.and({ id: 2 }, q.or({ id: 1 }, q.or({ id: 3 }, {})))), remove),
    'member 2 is empty',
  ],
  ['exclude(q.or({}, { id: 1 }))', () => pipe(query(Book), exclude(q.or({}, { id: 1 })), remove), 'member 1 is empty'],
  [
    'where(q.not(q.or({ id: 1 }, {})))',
    () => pipe(query(Book), where(q.not(q.or({ id: 1 }, {}))), remove),
    'member 2 is empty',
  ],
  [
    'where(q.or(...[].map(…), {}))',
    () =>
      pipe(
        query(Book),
        where(q.or(...[1, 2].map((id) => ({ id })), JSON.parse('{}') as Record<string, never>)),
        remove,
      ),
    'member 3 is empty',
  ],
  [
    'update after where(q.or({}, { id: 1 }))',
    () => pipe(query(Book), where(q.or({}, { id: 1 })), update({ title: 'gone' })),
    'member 1 is empty',
  ],
]

const N = 4

forEachDialect('hostile filters', [Author, Book], (t) => {
  beforeEach(async () => {
    await t().reset()
    right(await run(t().db)(create(Author, { id: 1, name: 'a' }))())
    right(
      await run(t().db)(
        bulkCreate(
          Book,
          [1, 2, 3, 4].map((id) => ({ id, title: `t${id}`, rating: id, authorId: 1 })),
        ),
      )(),
    )
    t().clearLog()
  })

  const rowsLeft = async (): Promise<number> => right(await run(t().db)(count(query(Book)))())

  describe('an empty member of q.or', () => {
    it.each(EMPTY_MEMBERS)(
      '%s is a ValidationError naming it; nothing is sent, every row stays',
      async (_name, plan, says) => {
        const e = left(await run(t().db)(plan())())
        expect(e._tag).toBe('ValidationError')
        expect(e.message).toContain(`q.or: ${says} (an empty filter matches every row)`)
        expect(t().log).toEqual([])
        expect(await rowsLeft()).toBe(N)
      },
    )

    it("in an aggregate's filter and in a prefetch plan too", async () => {
      const agg = left(
        await run(t().db)(pipe(query(Author), annotate({ n: Count('books', { filter: q.or({}, { id: 1 }) }) })))(),
      )
      expect(agg.message).toBe('Book: q.or: member 1 is empty (an empty filter matches every row)')
      const pre = left(
        await run(t().db)(
          pipe(query(Author), prefetchWith('books', pipe(query(Book), where(q.or({ id: 1 }, q.and()))))),
        )(),
      )
      expect(pre.message).toBe('Book: q.or: member 2 is empty (an empty filter matches every row)')
      expect(t().log).toEqual([])
    })

    it('where({}) and q.and() alone are every row; q.not({}), exclude({}) and q.or() are none', async () => {
      const n = async (p: Plan<number>): Promise<number> => right(await run(t().db)(p)())
      expect(await n(count(pipe(query(Book), where({}))))).toBe(N)
      expect(await n(count(pipe(query(Book), where(q.and()))))).toBe(N)
      expect(await n(count(pipe(query(Book), where(q.and({}, q.and())))))).toBe(N)
      expect(await n(count(pipe(query(Book), where(q.not({})))))).toBe(0)
      expect(await n(count(pipe(query(Book), exclude({}))))).toBe(0)
      expect(await n(count(pipe(query(Book), where(q.or()))))).toBe(0)
      // a member false of every row is harmless: it adds nothing
      expect(await n(count(pipe(query(Book), where(q.or({ id: 1 }, q.not({}), q.or())))))).toBe(1)
      expect(await n(pipe(query(Book), where(q.or({ id: 1 }, { id: 2 })), remove))).toBe(2)
      expect(await rowsLeft()).toBe(N - 2)
    })
  })

  it('a text lookup given an expression is a ValidationError, in a filter and a subquery; nothing is sent', async () => {
    const LOOKUPS = ['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'iexact']
    for (const lookup of LOOKUPS) {
      const direct = left(await run(t().db)(pipe(query(Book), where(untyped({ [`title__${lookup}`]: F('title') }))))())
      expect([direct._tag, direct.message]).toEqual([
        'ValidationError',
        `Book: title__${lookup}: ${lookup} takes a string (or a param), not an expression`,
      ])
      const inner = pipe(query(Book), where(untyped({ [`title__${lookup}`]: OuterRef('name') })))
      const outer = left(await run(t().db)(pipe(query(Author), where(exists(inner))))())
      expect(outer._tag).toBe('ValidationError')
    }
    expect(t().log).toEqual([])
  })

  describe('keys named after Object.prototype properties are unknown fields', () => {
    const cases = PROTO_KEYS.flatMap((key) => plansNaming(key).map(([where, plan]) => [key, where, plan] as const))
    it(`${cases.length} plans built and run: a ValidationError each, never a throw; nothing sent, every row stays`, async () => {
      const wrong: string[] = []
      for (const [key, where, plan] of cases) {
        let got: string
        try {
          const r = await run(t().db)(plan())()
          got = E.isLeft(r) ? r.left._tag : `Right ${JSON.stringify(r.right)}`
        } catch (e) {
          got = `thrown ${(e as Error).name}: ${(e as Error).message}`
        }
        if (got !== 'ValidationError') wrong.push(`${where} with ${key}: ${got}`)
      }
      expect(wrong).toEqual([])
      expect(t().log).toEqual([])
      expect(await rowsLeft()).toBe(N)
    })

    it('the message names the key, as for any unknown field', async () => {
      const e = left(await run(t().db)(pipe(query(Book), where(untyped({ constructor: 1 }))))())
      expect(e.message).toBe("Book: constructor: unknown field 'constructor' on Book")
      const p = left(await run(t().db)(pipe(query(Book), where(untyped(protoBody({ id: 1 })))))())
      expect(p.message).toContain("__proto__: unknown field '__proto__' on Book")
      const c = left(await run(t().db)(create(Book, untyped(protoBody({ title: 'x', authorId: 1 }))))())
      expect(c.message).toContain("__proto__: unknown field '__proto__' on Book")
    })

    it('a value that is a prototype name, or a row holding one, is an ordinary value', async () => {
      right(await run(t().db)(create(Book, { id: 9, title: 'constructor', authorId: 1 }))())
      expect(right(await run(t().db)(pipe(query(Book), where({ title: 'constructor' }), valuesFlat('id')))())).toEqual([
        9,
      ])
      expect(
        right(await run(t().db)(pipe(query(Book), where({ title__in: ['__proto__', 'toString'] }), count))()),
      ).toBe(0)
    })
  })
})
