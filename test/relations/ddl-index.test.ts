/**
 * A foreign key declared with `index: true` gets one index, not two (the second CREATE INDEX
 * failed on every dialect), and generateSchemas succeeds — run on each database.
 */
import { pipe } from 'fp-ts/function'
import { count, create, dialects, fields, model, query, run, schema, schemaSql, where } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'

const { Shelf, Item } = schema({
  Shelf: model('Shelf', { fields: { label: fields.char({ maxLength: 20 }) } }),
  Item: model('Item', {
    fields: {
      shelf: fields.foreignKey('Shelf', { relatedName: 'items', index: true }),
      name: fields.char({ maxLength: 20, index: true }),
    },
  }),
})

forEachDialect('indexed foreign key', [Shelf, Item], (t) => {
  it('creates each index once and the tables work', async () => {
    const statements = schemaSql(dialects[t().dialect], [Shelf, Item], false).filter((s) =>
      s.startsWith('CREATE INDEX'),
    )
    expect(new Set(statements).size).toBe(statements.length)
    const shelf = right(await pipe(create(Shelf, { label: 'a' }), run(t().db))())
    right(await pipe(create(Item, { shelfId: shelf.id, name: 'x' }), run(t().db))())
    expect(right(await pipe(query(Item), where({ shelf__label: 'a' }), count, run(t().db))())).toBe(1)
  })
})
