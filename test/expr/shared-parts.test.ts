/**
 * Plans built again with the same annotations or grouping share the frozen lists those parts
 * are made of (so what is kept per list is found again), and sharing never mixes up two plans:
 * a plan of the same shape with other expression values, other names or annotations after others
 * gets its own parts, its own SQL and its own parameters.
 */
import { pipe } from 'fp-ts/function'
import { Avg, Count, F, annotate, compile, groupBy, orderBy, query, where } from 'terrapin'
import { Book } from './models'

const grouped = (lo: number) =>
  pipe(
    query(Book),
    where({ authorId__gte: lo }),
    groupBy('authorId'),
    annotate({ n: Count(), avg: Avg('rating') }),
    orderBy('-n'),
  )

describe('shared plan parts', () => {
  it('a grouped plan built twice shares its annotation list, grouping keys and ordering', () => {
    const a = grouped(1)
    const b = grouped(2)
    expect(a).not.toBe(b)
    expect(b.annotations).toBe(a.annotations)
    expect(b.groupBy).toBe(a.groupBy)
    expect(b.order).toBe(a.order)
    expect(Object.isFrozen(a.annotations)).toBe(true)
    expect(Object.isFrozen(a.groupBy)).toBe(true)
    expect(a.groupBy).toEqual(['authorId'])
    expect(compile(a, 'sqlite').params).toEqual([1])
    expect(compile(b, 'sqlite').params).toEqual([2])
  })

  it('the same shape with another expression value gets its own annotations and parameters', () => {
    const plus = (k: number) => pipe(query(Book), annotate({ more: F('pages').add(k) }))
    const one = plus(1)
    const two = plus(2)
    expect(two.annotations).not.toBe(one.annotations)
    expect(two.annotations?.[0].expr).not.toBe(one.annotations?.[0].expr)
    expect(compile(one, 'sqlite').params).toEqual([1])
    expect(compile(two, 'sqlite').params).toEqual([2])
    // and the first again, after the second was kept for the shape
    expect(compile(plus(1), 'sqlite').params).toEqual([1])
    expect(plus(2).annotations?.[0].name).toBe('more')
  })

  it('other names, other keys and annotations after annotations are their own lists', () => {
    const n = pipe(query(Book), annotate({ n: Count() }))
    const m = pipe(query(Book), annotate({ m: Count() }))
    expect(m.annotations).not.toBe(n.annotations)
    expect(m.annotations?.map((a) => a.name)).toEqual(['m'])
    const twice = pipe(n, annotate({ m: Count() }))
    expect(twice.annotations?.map((a) => a.name)).toEqual(['n', 'm'])
    expect(n.annotations?.map((a) => a.name)).toEqual(['n'])
    const byAuthor = pipe(query(Book), groupBy('authorId'), annotate({ n: Count() }))
    const byTitle = pipe(query(Book), groupBy('title'), annotate({ n: Count() }))
    expect(byTitle.groupBy).toEqual(['title'])
    expect(byAuthor.groupBy).toEqual(['authorId'])
    expect(compile(byTitle, 'sqlite').sql).toContain('GROUP BY "t0"."title"')
  })

  it('an ordering by an annotation is one frozen item per spelling, and keeps its direction', () => {
    const desc = grouped(1).order[0]
    expect(grouped(3).order[0]).toBe(desc)
    expect(desc).toMatchObject({ key: 'n', desc: true, annotation: true })
    expect(Object.isFrozen(desc)).toBe(true)
    const asc = pipe(query(Book), groupBy('authorId'), annotate({ n: Count(), avg: Avg('rating') }), orderBy('n'))
      .order[0]
    expect(asc).toMatchObject({ key: 'n', desc: false, annotation: true })
  })

  it('a bad grouping key is an error on the plan, whatever was shared before', () => {
    grouped(1)
    const bad = pipe(query(Book), groupBy('nope' as 'authorId'))
    expect(bad.error?._tag).toBe('ValidationError')
  })
})
