/** Type tests of `manager`: the base is checked like any where, helpers keep their argument types. */
import { pipe } from 'fp-ts/function'
import { Query, RowOf, fields, manager, model, orderBy, schema, where } from 'terrapin'

const { Note } = schema({
  Note: model('Note', {
    fields: {
      id: fields.int({ pk: true }),
      body: fields.text(),
      deletedAt: fields.datetime({ null: true }),
    },
  }),
})
type NoteRow = RowOf<typeof Note>

const Notes = manager(Note, {
  base: (q) => pipe(q, where({ deletedAt__isnull: true })),
  helpers: {
    recent: (q) => pipe(q, orderBy('-id')),
    about: (q, word: string) => pipe(q, where({ body__contains: word })),
  },
})

export const q1: Query<typeof Note, NoteRow> = Notes.query()
export const q2: Query<typeof Note, NoteRow> = Notes.recent()
export const q3: Query<typeof Note, NoteRow> = Notes.about('x')
export const q4: Query<typeof Note, NoteRow> = Notes.unfiltered()

// @ts-expect-error a helper's argument keeps its type
Notes.about(1)
// @ts-expect-error unknown helper
export type Missing = (typeof Notes)['missing']

manager(Note, {
  // @ts-expect-error unknown field in the base
  base: (q) => pipe(q, where({ deletedOn__isnull: true })),
})

manager(Note, {
  base: (q) => q,
  // @ts-expect-error wrong value type in a helper
  helpers: { bad: (q) => pipe(q, where({ body: 3 })) },
})

manager(Note, {
  base: (q) => q,
  // @ts-expect-error a helper may not hide a member
  helpers: { query: (q: unknown) => q },
})
