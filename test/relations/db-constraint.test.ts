/**
 * `dbConstraint: false` on a foreign key or one-to-one: no FOREIGN KEY constraint in
 * generateSchemas or in migrations (the snapshot records the option, so turning it on or off is
 * a change), a key no row has can be written, and joins, filters and prefetch read as before.
 */
import { pipe } from 'fp-ts/function'
import {
  connect,
  create,
  dialects,
  fields,
  generateSchemas,
  get,
  model,
  orderBy,
  prefetch,
  query,
  remove,
  run,
  runPromise,
  schema,
  schemaSql,
  selectRelated,
  valuesFlat,
  where,
} from 'terrapin'
import { diff, introspect, modelState, renderSql, schemaDifferences, viewsOf } from '../../src/migrate'
import { createIsolated, DIALECTS } from '../support/databases'
import { forEachDialect, left, right } from '../support/dialects'

const define = (dbConstraint: boolean) =>
  schema({
    Owner: model('Owner', { fields: { name: fields.char({ maxLength: 20 }) } }),
    Item: model('Item', {
      fields: {
        label: fields.char({ maxLength: 20 }),
        owner: fields.foreignKey('Owner', { relatedName: 'items', dbConstraint }),
        badge: fields.oneToOne('Owner', { relatedName: 'badgeOf', null: true, dbConstraint }),
      },
    }),
  })
const { Owner, Item } = define(false)
const strict = define(true)

describe.each(['sqlite', 'postgres', 'mysql'] as const)('dbConstraint: false in the DDL [%s]', (name) => {
  it('writes no FOREIGN KEY for the key, keeps it for the others', () => {
    const free = schemaSql(dialects[name], [Owner, Item], false).join('\n')
    expect(free).not.toMatch(/FOREIGN KEY|REFERENCES/)
    const kept = schemaSql(dialects[name], [strict.Owner, strict.Item], false).join('\n')
    expect(kept.match(/REFERENCES/g)).toHaveLength(2)
  })

  it('records the option in the migration snapshot, so a change is diffed both ways', () => {
    const on = modelState([strict.Owner, strict.Item])
    const off = modelState([Owner, Item])
    expect(off.models[1].fields.owner.options.dbConstraint).toBe(false)
    const ops = diff(on, off).operations
    // the key loses its constraint and, where the database indexed it for the constraint, gains its own index
    expect(ops.map((o) => (o.op === 'alterColumn' ? [o.column, o.changes.includes('foreignKey')] : o.op))).toEqual([
      ['owner_id', true],
      ['badge_id', true],
    ])
    const down = renderSql(dialects[name], ops, viewsOf(on), viewsOf(off)).join('\n')
    expect(down).not.toMatch(/REFERENCES/)
    const up = renderSql(dialects[name], diff(off, on).operations, viewsOf(off), viewsOf(on)).join('\n')
    expect(up.match(/REFERENCES/g)).toHaveLength(2)
  })
})

forEachDialect('relations: dbConstraint false', [Owner, Item], (t) => {
  beforeEach(() => t().reset())

  it('writes a key no row has, and a delete of the owner leaves the item alone', async () => {
    const go = runPromise(t().db)
    const ann = await go(create(Owner, { name: 'Ann' }))
    const dangling = await go(create(Item, { label: 'lost', ownerId: ann.id + 1000, badgeId: ann.id + 1000 }))
    expect(dangling.ownerId).toBe(ann.id + 1000)
    await go(create(Item, { label: 'kept', owner: ann }))
    expect(await go(pipe(query(Owner), where({ id: ann.id }), remove))).toBe(1)
    expect(await go(pipe(query(Item), orderBy('label'), valuesFlat('label')))).toEqual(['kept', 'lost'])
  })

  it('joins, filters and prefetches as with the constraint', async () => {
    const go = runPromise(t().db)
    const ann = await go(create(Owner, { name: 'Ann' }))
    await go(create(Item, { label: 'a', owner: ann, badge: ann }))
    await go(create(Item, { label: 'b', ownerId: ann.id + 1000 }))
    expect(await go(pipe(query(Item), where({ owner__name: 'Ann' }), valuesFlat('label')))).toEqual(['a'])
    expect(await go(pipe(query(Owner), where({ items__label: 'a' }), valuesFlat('name')))).toEqual(['Ann'])
    const joined = await go(pipe(query(Item), selectRelated('owner'), orderBy('label')))
    expect(joined.map((i) => [i.label, i.owner?.name ?? null])).toEqual([
      ['a', 'Ann'],
      ['b', null],
    ])
    const owner = await go(pipe(query(Owner), prefetch('items', 'badgeOf'), get))
    expect(owner.items.map((i) => i.label)).toEqual(['a'])
    expect(owner.badgeOf?.label).toBe('a')
  })
})

describe.each(DIALECTS)('dbConstraint migrations on a live database [%s]', (dialect) => {
  it('drops the constraint, lets a dangling key in, and adds it back', async () => {
    const iso = await createIsolated(dialect, 'dbconstraint')
    const db = connect(iso.url)
    try {
      right(await generateSchemas(db, [strict.Owner, strict.Item])())
      const d = db.executor.dialect
      const on = modelState([strict.Owner, strict.Item])
      const off = modelState([Owner, Item])
      const refused = left(await run(db)(create(strict.Item, { label: 'x', ownerId: 999 }))())
      expect(refused).toMatchObject({ _tag: 'IntegrityError' })
      for (const sql of renderSql(d, diff(on, off).operations, viewsOf(on), viewsOf(off)))
        await db.executor.run(sql, [])
      expect(schemaDifferences(d, off, await introspect(db))).toEqual([])
      right(await run(db)(create(Item, { label: 'x', ownerId: 999 }))())
      right(await pipe(query(Item), remove, run(db))())
      for (const sql of renderSql(d, diff(off, on).operations, viewsOf(off), viewsOf(on)))
        await db.executor.run(sql, [])
      expect(schemaDifferences(d, on, await introspect(db))).toEqual([])
      expect(left(await run(db)(create(strict.Item, { label: 'y', ownerId: 999 }))())).toMatchObject({
        _tag: 'IntegrityError',
      })
    } finally {
      await db.executor.close()
      await iso.drop()
    }
  })
})
