/**
 * Type tests of json filters, checked by `tsc --noEmit`: documents compared whole and by
 * containment, and paths into them, typed from the field's codec where it has one (any path,
 * scalar values, without).
 */
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { fields, model, query, schema, where } from 'terrapin'

const Meta = t.type({ author: t.type({ name: t.string, age: t.number }), tags: t.array(t.string) })
const { Post } = schema({
  Post: model('Post', {
    fields: { id: fields.int({ pk: true }), meta: fields.json({ codec: Meta }), data: fields.json({ null: true }) },
  }),
})

// typed paths, with the codec's types and the usual lookups after them
pipe(query(Post), where({ meta__author__name: 'Ann', meta__author__name__icontains: 'a', meta__author__age__gte: 3 }))
pipe(query(Post), where({ meta__tags__0: 'orm', meta__tags__1__startswith: 'o', meta__author__age__in: [1, 2] }))
// without a codec: any path, scalar values
pipe(
  query(Post),
  where({ data__anything__deep: 1, data__x__icontains: 'y', data__list__0: true, data__k__isnull: true }),
)
// documents: whole, contained, containing
pipe(query(Post), where({ meta__contains: { author: { name: 'Ann' } }, data__containedBy: [1, 2] }))

// @ts-expect-error name is a string
pipe(query(Post), where({ meta__author__name: 1 }))
// @ts-expect-error age has no text lookups... icontains takes a string
pipe(query(Post), where({ meta__author__age__icontains: 1 }))
// @ts-expect-error no key nmae in the codec
pipe(query(Post), where({ meta__author__nmae: 'Ann' }))
// @ts-expect-error tags is an array: index it by number
pipe(query(Post), where({ meta__tags__first: 'x' }))
// @ts-expect-error a document, not a scalar, is compared at author
pipe(query(Post), where({ meta__author: 'Ann' }))
// @ts-expect-error contains takes a part of the codec's type
pipe(query(Post), where({ meta__contains: { author: { age: 'x' } } }))
