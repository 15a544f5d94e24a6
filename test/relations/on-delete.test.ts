/**
 * `onDelete` behaviours on every dialect: CASCADE (also through many-to-many links and
 * one-to-one), SET NULL (mutual Author ↔ Book, self reference), RESTRICT (an IntegrityError of
 * kind foreignKey, nothing deleted) and SET DEFAULT (emulated where InnoDB ignores it).
 */
import { pipe } from 'fp-ts/function'
import { create, count, get, orderBy, query, remove, run, runPromise, update, valuesFlat, where } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { seed } from './fixtures'
import { ALL, Author, Book, Edition, Employee, Profile, Publisher, Shelf, Slot } from './models'

forEachDialect('relations: onDelete', ALL, (t) => {
  let s: Awaited<ReturnType<typeof seed>>
  beforeEach(async () => {
    await t().reset()
    s = await seed(t().db)
  })

  it('CASCADE deletes the books of a deleted author, their links and the profile', async () => {
    const go = runPromise(t().db)
    expect(await go(pipe(query(Author), where({ id: s.ann.id }), remove))).toBe(1)
    expect(await go(pipe(query(Book), orderBy('id'), valuesFlat('title')))).toEqual(['Gamma'])
    expect(await go(pipe(query(Profile), count))).toBe(0)
    const links = await t().db.executor.all(
      `SELECT COUNT(*) FROM ${t().db.executor.dialect.quote('book_tag')}`,
      [],
      false,
    )
    expect(Number(links[0][0])).toBe(1)
  })

  it('SET NULL clears a mutual reference (Author.favourite → Book) and a self reference', async () => {
    const go = runPromise(t().db)
    await go(pipe(query(Author), where({ id: s.bob.id }), update({ favouriteId: s.a1.id })))
    await go(pipe(query(Book), where({ id: s.a1.id }), remove))
    expect((await go(pipe(query(Author), where({ id: s.bob.id }), get))).favouriteId).toBeNull()
    await go(pipe(query(Employee), where({ name: 'Mid' }), remove))
    expect((await go(pipe(query(Employee), where({ name: 'Low' }), get))).managerId).toBeNull()
  })

  it('RESTRICT refuses to delete a referenced row with IntegrityError foreignKey', async () => {
    const go = runPromise(t().db)
    const pub = await go(create(Publisher, { name: 'P' }))
    const free = await go(create(Publisher, { name: 'Q' }))
    await go(create(Edition, { publisher: pub }))
    const e = left(await pipe(query(Publisher), where({ id: pub.id }), remove, run(t().db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'foreignKey' })
    expect(await go(pipe(query(Publisher), count))).toBe(2)
    expect(await go(pipe(query(Publisher), where({ id: free.id }), remove))).toBe(1)
  })

  it('SET DEFAULT moves the slots of a deleted shelf to the default shelf', async () => {
    const go = runPromise(t().db)
    await go(create(Shelf, { id: 1, label: 'default' }))
    await go(create(Shelf, { id: 2, label: 'other' }))
    const slot = await go(create(Slot, { shelfId: 2 }))
    const kept = await go(create(Slot, {}))
    expect(kept.shelfId).toBe(1)
    expect(await go(pipe(query(Shelf), where({ label: 'other' }), remove))).toBe(1)
    expect(right(await pipe(query(Slot), orderBy('id'), valuesFlat('shelfId'), run(t().db))())).toEqual([1, 1])
    expect((await go(pipe(query(Slot), where({ id: slot.id }), get))).shelfId).toBe(1)
  })
})
