/**
 * generateSchemas' statements for relations, per dialect (pure; the relation suites also run
 * them on real databases): foreign keys with their ON DELETE action, link tables, and an order
 * in which every referenced table exists before a constraint names it.
 */
import { dialects, fields, model, schema, schemaSql } from 'terrapin'
import { ALL } from './models'

const created = (sql: string): string | undefined => /^CREATE TABLE (?:IF NOT EXISTS )?["`]([^"`]+)["`]/.exec(sql)?.[1]
const referenced = (sql: string): ReadonlyArray<string> =>
  [...sql.matchAll(/REFERENCES ["`]([^"`]+)["`]/g)].map((m) => m[1])

describe.each(['sqlite', 'postgres', 'mysql'] as const)('relations DDL [%s]', (name) => {
  const sql = schemaSql(dialects[name], ALL, false)

  it('names every referenced table after creating it (SQLite excepted: it checks on write)', () => {
    const seen = new Set<string>()
    for (const s of sql) {
      const table = created(s)
      if (table) seen.add(table)
      if (name !== 'sqlite') for (const r of referenced(s)) expect([s, seen.has(r) || r === table]).toEqual([s, true])
    }
    expect([...seen].sort()).toEqual([
      'author',
      'book',
      'book_tag',
      'city',
      'country',
      'edition',
      'employee',
      'person',
      'person_person',
      'profile',
      'publisher',
      'shelf',
      'slot',
      'tag',
    ])
  })

  it('emits each ON DELETE action and the link table keys', () => {
    const all = sql.join('\n')
    for (const action of ['CASCADE', 'SET NULL', 'RESTRICT', 'SET DEFAULT'])
      expect(all).toContain(`ON DELETE ${action}`)
    const link = sql.find((s) => created(s) === 'book_tag')!
    expect(referenced(link)).toEqual(['book', 'tag'])
    expect(link).toMatch(/UNIQUE \(["`]book_id["`], ["`]tag_id["`]\)/)
  })

  it('adds the key of a cycle (Author ↔ Book) after both tables exist, except on SQLite', () => {
    const alters = sql.filter((s) => s.startsWith('ALTER TABLE'))
    expect(alters).toHaveLength(name === 'sqlite' ? 0 : 1)
  })
})

describe('relation definitions', () => {
  it('refuses onDelete actions the database could not carry out', () => {
    const parent = model('Parent', { fields: { name: fields.text() } })
    const setNull = model('Child', { fields: { parent: fields.foreignKey('Parent', { onDelete: 'SET NULL' }) } })
    const setDefault = model('Child', { fields: { parent: fields.foreignKey('Parent', { onDelete: 'SET DEFAULT' }) } })
    const missing = model('Child', { fields: { parent: fields.foreignKey('Nope') } })
    expect(() => schema({ parent, setNull })).toThrow(/SET NULL but is not null: true/)
    expect(() => schema({ parent, setDefault })).toThrow(/SET DEFAULT but no default/)
    expect(() => schema({ parent, missing })).toThrow(/names the model Nope/)
    expect(() =>
      schema({
        parent,
        ok: model('Child', { fields: { parent: fields.foreignKey('Parent', { null: true, onDelete: 'SET NULL' }) } }),
      }),
    ).not.toThrow()
  })
})
