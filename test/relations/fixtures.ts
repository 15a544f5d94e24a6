/**
 * A small library for the relation suites: three authors (one without books), books with tags,
 * one profile, an employee hierarchy. Built through terrapin's own write plans.
 */
import { runPromise, create, Db, related } from 'terrapin'
import { Author, Book, Employee, Profile, Tag } from './models'

export const seed = async (db: Db) => {
  const go = runPromise(db)
  const ann = await go(create(Author, { name: 'Ann' }))
  const bob = await go(create(Author, { name: 'Bob' }))
  const cy = await go(create(Author, { name: 'Cy' }))
  const a1 = await go(create(Book, { title: 'Alpha', rating: 5, author: ann }))
  const a2 = await go(create(Book, { title: 'Beta', rating: 3, authorId: ann.id }))
  const b1 = await go(create(Book, { title: 'Gamma', rating: null, author: bob }))
  const py = await go(create(Tag, { name: 'python' }))
  const sq = await go(create(Tag, { name: 'sql' }))
  const un = await go(create(Tag, { name: 'unused' }))
  await go(related(Book, a1, 'tags').add(py, sq))
  await go(related(Book, a2, 'tags').add(sq))
  await go(related(Book, b1, 'tags').add(py))
  const profile = await go(create(Profile, { bio: 'writes', author: ann }))
  const boss = await go(create(Employee, { name: 'Boss' }))
  const mid = await go(create(Employee, { name: 'Mid', manager: boss }))
  const low = await go(create(Employee, { name: 'Low', managerId: mid.id }))
  return { ann, bob, cy, a1, a2, b1, py, sq, un, profile, boss, mid, low }
}
