/**
 * Names a model answers to mean one thing: `schema()` refuses two relations that give a model the
 * same reverse name, and a reverse name that is already a field of the model, with a
 * `ConfigurationError` naming both fields.
 */
import { TerrapinFailure, fields, model, schema } from 'terrapin'

const refusal = (f: () => unknown): TerrapinFailure => {
  try {
    f()
  } catch (e) {
    if (e instanceof TerrapinFailure) return e
    throw e
  }
  throw new Error('schema() accepted the models')
}

const Author = model('Author', { fields: { name: fields.text() } })

describe('duplicate related names', () => {
  it('refuses two foreign keys with the same relatedName, naming both fields', () => {
    const e = refusal(() =>
      schema({
        Author,
        Book: model('Book', {
          fields: {
            author: fields.foreignKey('Author', { relatedName: 'books' }),
            editor: fields.foreignKey('Author', { relatedName: 'books' }),
          },
        }),
      }),
    )
    expect(e._tag).toBe('ConfigurationError')
    expect(e.message).toMatch(/Book\.editor/)
    expect(e.message).toMatch(/Book\.author/)
    expect(e.message).toMatch(/\bbooks\b/)
  })

  it('refuses two defaults that collide (two keys to the same model without relatedName)', () => {
    const e = refusal(() =>
      schema({
        Author,
        Book: model('Book', {
          fields: { author: fields.foreignKey('Author'), editor: fields.foreignKey('Author', { null: true }) },
        }),
      }),
    )
    expect([e._tag, /Book\.author/.test(e.message), /Book\.editor/.test(e.message)]).toEqual([
      'ConfigurationError',
      true,
      true,
    ])
  })

  it('refuses the same name across models and kinds (a foreign key and a many-to-many)', () => {
    const e = refusal(() =>
      schema({
        Author,
        Book: model('Book', { fields: { author: fields.foreignKey('Author', { relatedName: 'works' }) } }),
        Essay: model('Essay', { fields: { authors: fields.manyToMany('Author', { relatedName: 'works' }) } }),
      }),
    )
    expect(e._tag).toBe('ConfigurationError')
    expect(e.message).toMatch(/Book\.author/)
    expect(e.message).toMatch(/Essay\.authors/)
  })

  it('refuses a relatedQueryName that is another relation’s relatedName', () => {
    const e = refusal(() =>
      schema({
        Author,
        Book: model('Book', {
          fields: {
            author: fields.foreignKey('Author', { relatedName: 'books' }),
            editor: fields.foreignKey('Author', { relatedName: 'edited', relatedQueryName: 'books' }),
          },
        }),
      }),
    )
    expect([e._tag, /Book\.author/.test(e.message), /Book\.editor/.test(e.message)]).toEqual([
      'ConfigurationError',
      true,
      true,
    ])
  })

  it('refuses a reverse name that is a field of the target model', () => {
    const e = refusal(() =>
      schema({
        Author: model('Author', { fields: { name: fields.text(), books: fields.int() } }),
        Book: model('Book', { fields: { author: fields.foreignKey('Author', { relatedName: 'books' }) } }),
      }),
    )
    expect(e._tag).toBe('ConfigurationError')
    expect(e.message).toMatch(/Book\.author/)
    expect(e.message).toMatch(/Author\.books/)
  })

  it('refuses a reverse name that is the implicit id, and a self relation named as its own field', () => {
    const id = refusal(() =>
      schema({
        Author,
        Book: model('Book', { fields: { author: fields.foreignKey('Author', { relatedName: 'id' }) } }),
      }),
    )
    expect([id._tag, /Author\.id/.test(id.message)]).toEqual(['ConfigurationError', true])
    const self = refusal(() =>
      schema({
        Person: model('Person', { fields: { friends: fields.manyToMany('Person', { relatedName: 'friends' }) } }),
      }),
    )
    expect([self._tag, /Person\.friends/.test(self.message)]).toEqual(['ConfigurationError', true])
  })

  it('accepts distinct names, a relatedQueryName equal to its own relatedName, and the same name on two targets', () => {
    const models = schema({
      Author,
      Publisher: model('Publisher', { fields: { name: fields.text() } }),
      Book: model('Book', {
        fields: {
          author: fields.foreignKey('Author', { relatedName: 'books', relatedQueryName: 'books' }),
          editor: fields.foreignKey('Author', { relatedName: 'edited', null: true }),
          publisher: fields.foreignKey('Publisher', { relatedName: 'books' }),
        },
      }),
    })
    expect(Object.keys(models)).toEqual(['Author', 'Publisher', 'Book'])
  })
})
