/**
 * Type tests of lifecycle hooks, checked by `tsc --noEmit`: hooks are typed from the model's row
 * (a foreign key's `authorId` included), `beforeSave` narrows on `created`, a hook returns
 * nothing, a promise, an Either or a TaskEither of a terrapin error, unknown hook names fail to
 * compile, and the hooked model is the model's type (usable everywhere the model is).
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { AfterSave, BeforeSave, Db, Hooks, RowOf, count, create, invalid, query, run, withHooks } from 'terrapin'
import { Rel, Tag } from '../core/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

type TagRow = RowOf<typeof Tag>

const Tagged = withHooks(Tag, {
  beforeSave: (e) => {
    if (e.created) {
      expectType<Equals<typeof e.values.name, string | undefined>>()
      // @ts-expect-error -- an insert's values have no row yet
      void e.row
    } else expectType<Equals<typeof e.row, TagRow>>()
    expectType<Equals<(typeof e.fields)[number], Extract<keyof TagRow, string>>>()
  },
  afterSave: (e, tx) => {
    expectType<Equals<typeof e, AfterSave<TagRow>>>()
    expectType<Equals<typeof tx, Db>>()
    return pipe(query(Tag), count, run(tx))
  },
  beforeDelete: (row) => (row.uses > 0 ? E.left(invalid('uses', 'in use')) : E.right(undefined)),
  afterDelete: async (row) => {
    expectType<Equals<typeof row, TagRow>>()
    await Promise.resolve()
  },
})
expectType<Equals<typeof Tagged, typeof Tag>>()
expectType<Equals<BeforeSave<TagRow>['created'], boolean>>()

// a foreign key is on the row as its key
withHooks(Rel.Book, { afterSave: (e) => void (e.row.authorId satisfies number) })

// hooks returning a TaskEither of any terrapin error
const hooks: Hooks<TagRow> = { beforeSave: () => TE.left(invalid('name', 'no')) }
withHooks(Tag, hooks)
create(withHooks(Tag, hooks), { name: 'x' })

// @ts-expect-error -- unknown hook name
withHooks(Tag, { beforeSav: () => undefined })

// @ts-expect-error -- unknown hook name (tortoise's signal name is not one)
withHooks(Tag, { preSave: () => undefined })

// @ts-expect-error -- a Left must be a terrapin error
withHooks(Tag, { beforeDelete: () => E.left('no') })

// @ts-expect-error -- a TaskEither's Left too
withHooks(Tag, { afterSave: () => TE.left(42) })

// @ts-expect-error -- a field the row does not have
withHooks(Tag, { afterDelete: (row) => void row.titel })

// @ts-expect-error -- a hook is a function
withHooks(Tag, { afterSave: true })
