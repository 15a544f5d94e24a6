/**
 * Type-level tests: names of `Object.prototype` properties (`constructor`, `toString`,
 * `__proto__`, …) are no field of a model, in every position that takes one, whatever the value
 * (a function value, which such a property's type would accept, included).
 */
import { pipe } from 'fp-ts/function'
import {
  F,
  save,
  updateOrCreate,
  create,
  exclude,
  orderBy,
  q,
  query,
  update,
  values,
  valuesFlat,
  valuesList,
  where,
  groupBy,
  annotate,
  Count,
  getOrCreate,
  bulkUpdate,
  prefetch,
} from 'terrapin'
import { Author, Book } from '../../demo/models'

// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ constructor: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ toString: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ __proto__: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ hasOwnProperty: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ author__constructor: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ constructor__name: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), exclude({ valueOf: 1 }))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where(q.or({ constructor: 1 }, { id: 1 })))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), orderBy('constructor'))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), orderBy('-constructor'))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), values('constructor'))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), valuesList('toString'))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), valuesFlat('valueOf'))
// @ts-expect-error a prototype name is no field to order, select or group by
pipe(query(Book), groupBy('constructor'))
// @ts-expect-error a prototype name is no field to write
create(Book, { title: 'x', authorId: 1, constructor: 1 })
// @ts-expect-error a prototype name is no field to write
pipe(query(Book), update({ constructor: 1 }))
// @ts-expect-error a prototype name is no field to write
getOrCreate(Book, { constructor: 1 })
// @ts-expect-error Count names no relation constructor
pipe(query(Author), annotate({ n: Count('constructor') }))
// @ts-expect-error F names no field constructor
pipe(query(Book), where({ id: F('constructor') }))
// @ts-expect-error constructor is no field to update
bulkUpdate(Book, [{ id: 1, title: 'x' }], ['constructor'])
// @ts-expect-error constructor is no relation
pipe(query(Author), prefetch('constructor'))

// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where(q.or({ constructor: Object }, { id: 1 })))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where(q.and({ toString: () => '' })))
// @ts-expect-error a prototype name is no field to filter on
pipe(query(Book), where({ constructor: Object }))
// @ts-expect-error a prototype name is no field to write
pipe(query(Book), update({ constructor: Object }))
// @ts-expect-error a prototype name is no field to write
getOrCreate(Book, { constructor: Object })
// @ts-expect-error a prototype name is no field to write
updateOrCreate(Book, { title: 'x' }, { constructor: Object })
// @ts-expect-error a prototype name is no field to write
save(Book, { title: 'x', authorId: 1, constructor: Object })
// @ts-expect-error a prototype name is no field to write
create(Book, { title: 'x', authorId: 1, constructor: Object })
