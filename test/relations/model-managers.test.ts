/**
 * `manager(Model, …)` on every dialect, with a soft delete: removing marks `deletedAt` through
 * an update, the manager's plans skip deleted rows (in reads, counts, updates and prefetch via
 * `prefetchWith`), `unfiltered()` sees them, and `query(Model)` itself is unchanged.
 */
import { pipe } from 'fp-ts/function'
import {
  Plan,
  TerrapinFailure,
  bulkCreate,
  count,
  create,
  fields,
  manager,
  model,
  orderBy,
  prefetchWith,
  query,
  run,
  schema,
  update,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Blog, Post } = schema({
  Blog: model('Blog', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) } }),
  Post: model('Post', {
    fields: {
      id: fields.int({ pk: true }),
      title: fields.char({ maxLength: 50 }),
      status: fields.enum(['draft', 'published'], { default: 'draft' }),
      deletedAt: fields.datetime({ null: true }),
      blog: fields.foreignKey('Blog', { relatedName: 'posts' }),
    },
  }),
})

const Posts = manager(Post, {
  base: (q) => pipe(q, where({ deletedAt__isnull: true }), orderBy('title')),
  helpers: {
    published: (q) => pipe(q, where({ status: 'published' })),
    titled: (q, prefix: string) => pipe(q, where({ title__startswith: prefix })),
    trash: (q, id: number) => pipe(q, where({ id }), update({ deletedAt: new Date() })),
  },
})

forEachDialect('relations: model managers', [Blog, Post], (t) => {
  const go = async <A>(p: Plan<A>): Promise<A> => right(await run(t().db)(p)())
  let blogId = 0
  beforeEach(async () => {
    await t().reset()
    const blog = await go(create(Blog, { name: 'b' }))
    blogId = blog.id
    await go(
      bulkCreate(Post, [
        { title: 'a', status: 'published', blogId },
        { title: 'b', blogId },
        { title: 'c', status: 'published', blogId },
      ]),
    )
  })
  const idOf = async (title: string) => (await go(pipe(query(Post), where({ title }), valuesFlat('id'))))[0]

  it('trash marks deletedAt by an UPDATE; the manager skips the row, unfiltered and query(Post) see it', async () => {
    expect(await go(Posts.trash(await idOf('a')))).toBe(1)
    expect(
      t()
        .log.map((e) => e.sql)
        .filter((s) => /^DELETE/i.test(s)),
    ).toEqual([])
    expect((await go(Posts.query())).map((p) => p.title)).toEqual(['b', 'c'])
    expect(await go(pipe(Posts.unfiltered(), orderBy('title'), valuesFlat('title')))).toEqual(['a', 'b', 'c'])
    expect(await go(pipe(query(Post), count))).toBe(3)
    const trashed = await go(pipe(Posts.unfiltered(), where({ deletedAt__isnull: false }), valuesFlat('title')))
    expect(trashed).toEqual(['a'])
    // trashing a trashed row touches nothing: the helper starts from the base plan
    expect(await go(Posts.trash(await idOf('a')))).toBe(0)
  })

  it('helpers start from the base and take their own arguments; plans compose further', async () => {
    expect(await go(pipe(Posts.published(), valuesFlat('title')))).toEqual(['a', 'c'])
    await go(Posts.trash(await idOf('c')))
    expect(await go(pipe(Posts.published(), valuesFlat('title')))).toEqual(['a'])
    expect(await go(pipe(Posts.titled('b'), count))).toBe(1)
    expect(await go(pipe(Posts.titled('c'), count))).toBe(0)
    expect(await go(pipe(Posts.query(), where({ status: 'draft' }), update({ title: 'bb' })))).toBe(1)
    expect(await go(pipe(Posts.query(), valuesFlat('title')))).toEqual(['a', 'bb'])
  })

  it('prefetchWith the manager’s plan loads only the rows it sees', async () => {
    await go(Posts.trash(await idOf('b')))
    const [blog] = await go(pipe(query(Blog), prefetchWith('posts', Posts.query())))
    expect(blog.posts.map((p) => p.title)).toEqual(['a', 'c'])
    const [again] = await go(
      pipe(
        query(Blog),
        prefetchWith('posts', Posts.published()),
        prefetchWith('posts', Posts.unfiltered(), { to: 'all' }),
      ),
    )
    expect([again.posts.length, again.all.length]).toEqual([2, 3])
  })
})

describe('manager', () => {
  it('a helper named after a member is a ConfigurationError (untyped code)', () => {
    const define = () => manager(Post, { base: (q) => q, helpers: { query: (q: unknown) => q } as never })
    expect(define).toThrow(TerrapinFailure)
    expect(define).toThrow(/may not be named 'query'/)
  })

  it('each query() applies the base again; query(Post) is unchanged', () => {
    let calls = 0
    const M = manager(Post, { base: (q) => (calls++, pipe(q, where({ status: 'draft' }))) })
    M.query()
    M.query()
    expect(calls).toBe(2)
    expect(M.unfiltered()).toBe(query(Post))
    expect(M.model).toBe(Post)
    expect(Object.isFrozen(M)).toBe(true)
  })
})
