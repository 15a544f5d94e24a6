/**
 * Type tests of `__regex`, `__iregex` and `__search`, checked by `tsc --noEmit`: text fields
 * only, a string (or a placeholder) as the value, `fulltext` only on text fields, and no pattern
 * lookup inside a json path.
 */
import { pipe } from 'fp-ts/function'
import { F, fields, model, param, q, query, where } from 'terrapin'

const Post = model('Post', {
  fields: {
    id: fields.int({ pk: true }),
    title: fields.char({ maxLength: 100, fulltext: true }),
    body: fields.text({ null: true, fulltext: true }),
    views: fields.int(),
    published: fields.boolean(),
    data: fields.json({ null: true }),
  },
})

pipe(query(Post), where({ title__regex: '^[A-Z]', body__iregex: 'fox|dog', title__search: 'quick fox' }))
pipe(query(Post), where({ title__regex: param('p') }))
pipe(query(Post), where(q.or({ body__search: 'x' }, q.not({ title__iregex: 'a+' }))))

// @ts-expect-error -- regex applies to text fields only
pipe(query(Post), where({ views__regex: '1+' }))
// @ts-expect-error -- iregex applies to text fields only
pipe(query(Post), where({ published__iregex: 'true' }))
// @ts-expect-error -- search applies to text fields only
pipe(query(Post), where({ views__search: 'x' }))
// @ts-expect-error -- a pattern is a string, not a RegExp
pipe(query(Post), where({ title__regex: /^a/ }))
// @ts-expect-error -- a pattern is a string, not a number
pipe(query(Post), where({ title__iregex: 1 }))
// @ts-expect-error -- search takes a string of words, not a list
pipe(query(Post), where({ title__search: ['quick', 'fox'] }))
// @ts-expect-error -- not null: a pattern lookup has no NULL form
pipe(query(Post), where({ body__regex: null }))
// @ts-expect-error -- the same checks inside q
pipe(query(Post), where(q.or({ views__regex: 'x' }, { title: 'a' })))

// @ts-expect-error -- fulltext is an option of text fields only
fields.int({ fulltext: true })

// @ts-expect-error -- a pattern from a column could not be checked: strings and placeholders only
pipe(query(Post), where({ title__regex: F('body') }))
// @ts-expect-error -- nor words to search for
pipe(query(Post), where(q.and({ title__search: F('body') })))
