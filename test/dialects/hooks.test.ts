/**
 * Lifecycle hooks (`withHooks`): they run in order around every kind of write, see the rows the
 * write touches, run their own plans in the write's transaction (committed with it), and veto
 * it — with a Left, a throw or a rejection — rolling the whole statement back, inside a user's
 * transaction only the statement (a savepoint). Models without hooks send what they always sent.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import {
  Db,
  F,
  selectForUpdate,
  TerrapinError,
  bulkCreate,
  bulkUpdate,
  count,
  create,
  fields,
  getOrCreate,
  invalid,
  model,
  orderBy,
  param,
  prepare,
  bind,
  bindEach,
  query,
  remove,
  run,
  runSync,
  save,
  schema,
  transaction,
  update,
  updateOrCreate,
  valuesFlat,
  where,
  withHooks,
} from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'

const { Account, Audit } = schema({
  Account: model('Account', {
    table: 'hk_account',
    fields: {
      id: fields.int({ pk: true }),
      name: fields.char({ maxLength: 40 }),
      balance: fields.int({ default: 0 }),
    },
  }),
  Audit: model('Audit', {
    table: 'hk_audit',
    fields: { id: fields.int({ pk: true }), event: fields.char({ maxLength: 80 }) },
  }),
})

/** A hook's own write: an audit row, in the write's transaction. */
const audit = (tx: Db, event: string) => pipe(create(Audit, { event }), run(tx))

/** The audit rows, in the order written. */
const audits = (db: Db) => pipe(query(Audit), orderBy('id'), valuesFlat('event'), run(db))()

const accounts = (db: Db) => pipe(query(Account), orderBy('id'), valuesFlat('name'), run(db))()

/** A model whose every hook writes an audit row naming itself and the row. */
const Audited = withHooks(Account, {
  beforeSave: (e, tx) => audit(tx, e.created ? `beforeSave new ${e.values.name}` : `beforeSave ${e.row.name}`),
  afterSave: (e, tx) => audit(tx, `afterSave ${e.created ? 'new ' : ''}${e.row.name} [${e.fields.join(',')}]`),
  beforeDelete: (row, tx) => audit(tx, `beforeDelete ${row.name}`),
  afterDelete: (row, tx) => audit(tx, `afterDelete ${row.name}`),
})

/** A veto of any row named `bad`. */
const noBad = withHooks(Audited, {
  beforeSave: (e) =>
    (e.created ? e.values.name : e.row.name) === 'bad' ? E.left(invalid('name', 'bad is not a name')) : E.right(0),
  beforeDelete: (row) => (row.name === 'bad' ? E.left(invalid('name', 'bad stays')) : E.right(0)),
})

forEachDialect('hooks', [Account, Audit], (t) => {
  beforeEach(() => t().reset())

  it('create runs beforeSave then afterSave, each hook in the order attached, with the values and the stored row', async () => {
    const { db } = t()
    const order: string[] = []
    const Twice = withHooks(
      withHooks(Account, {
        beforeSave: (e) => void order.push(`1 before ${e.created ? JSON.stringify(e.values) : ''}`),
        afterSave: (e) => void order.push(`1 after ${e.created} ${JSON.stringify(e.row)}`),
      }),
      { beforeSave: () => void order.push('2 before'), afterSave: () => Promise.resolve(void order.push('2 after')) },
    )
    const made = right(await pipe(create(Twice, { name: 'ann' }), run(db))())
    expect(made).toEqual({ id: made.id, name: 'ann', balance: 0 })
    expect(order).toEqual([
      '1 before {"name":"ann"}',
      '2 before',
      `1 after true {"id":${made.id},"name":"ann","balance":0}`,
      '2 after',
    ])
  })

  it("the hooks' own writes commit with the statement", async () => {
    const { db } = t()
    right(await pipe(create(Audited, { name: 'ann' }), run(db))())
    expect(right(await audits(db))).toEqual(['beforeSave new ann', 'afterSave new ann [name]'])
  })

  it('bulkCreate runs beforeSave for every row, then afterSave for every stored row', async () => {
    const { db } = t()
    const made = right(await pipe(bulkCreate(Audited, [{ name: 'a' }, { name: 'b', balance: 3 }]), run(db))())
    expect(made.map((r) => r.name)).toEqual(['a', 'b'])
    expect(right(await audits(db))).toEqual([
      'beforeSave new a',
      'beforeSave new b',
      'afterSave new a [name]',
      'afterSave new b [name,balance]',
    ])
  })

  it('bulkCreate with ignoreConflicts runs afterSave for the rows it returns; with onConflict, it is refused', async () => {
    const { db } = t()
    const a = right(await pipe(create(Account, { name: 'a' }), run(db))())
    const seen: string[] = []
    const Watched = withHooks(Account, {
      beforeSave: (e) => void seen.push(`before ${e.created ? e.values.name : ''}`),
      afterSave: (e) => void seen.push(`after ${e.row.name}`),
    })
    const rows = [
      { id: a.id, name: 'dup' },
      { id: a.id + 1, name: 'new' },
    ]
    const made = right(await pipe(bulkCreate(Watched, rows, { ignoreConflicts: true }), run(db))())
    expect(seen).toEqual(['before dup', 'before new', ...made.map((r) => `after ${r.name}`)])
    expect(right(await accounts(db))).toEqual(['a', 'new'])
    const upsert = bulkCreate(Watched, [{ id: a.id, name: 'b' }], { onConflict: { fields: ['id'], update: ['name'] } })
    expect(left(await pipe(upsert, run(db))())._tag).toBe('ConfigurationError')
    expect(right(await accounts(db))).toEqual(['a', 'new'])
  })

  it('an update sees each row as it was and the fields set, then each row as stored', async () => {
    const { db } = t()
    right(await pipe(bulkCreate(Account, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]), run(db))())
    const seen: string[] = []
    const Watched = withHooks(Account, {
      beforeSave: (e) =>
        void (e.created ? undefined : seen.push(`before ${e.row.name}=${e.row.balance} ${e.fields.join()}`)),
      afterSave: (e) => void seen.push(`after ${e.row.name}=${e.row.balance} ${e.created}`),
    })
    const n = right(
      await pipe(query(Watched), where({ name__in: ['a', 'c'] }), orderBy('id'), update({ balance: 7 }), run(db))(),
    )
    expect(n).toBe(2)
    expect(seen).toEqual(['before a=0 balance', 'before c=0 balance', 'after a=7 false', 'after c=7 false'])
    expect(right(await pipe(query(Account), where({ balance: 7 }), count, run(db))())).toBe(2)
  })

  it('an update or delete matching no row runs no hook and sends no write', async () => {
    const { db } = t()
    const hooksRan: string[] = []
    const Watched = withHooks(Account, {
      beforeSave: () => void hooksRan.push('save'),
      beforeDelete: () => void hooksRan.push('delete'),
    })
    expect(right(await pipe(query(Watched), where({ name: 'none' }), update({ balance: 1 }), run(db))())).toBe(0)
    expect(right(await pipe(query(Watched), where({ name: 'none' }), remove, run(db))())).toBe(0)
    expect(hooksRan).toEqual([])
  })

  it('a delete runs beforeDelete and afterDelete for each row deleted', async () => {
    const { db } = t()
    right(await pipe(bulkCreate(Account, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]), run(db))())
    const n = right(await pipe(query(Audited), where({ name__not: 'b' }), orderBy('id'), remove, run(db))())
    expect(n).toBe(2)
    expect(right(await accounts(db))).toEqual(['b'])
    expect(right(await audits(db))).toEqual(['beforeDelete a', 'beforeDelete c', 'afterDelete a', 'afterDelete c'])
  })

  it('bulkUpdate runs the save hooks for each row', async () => {
    const { db } = t()
    const [a, b] = right(await pipe(bulkCreate(Account, [{ name: 'a' }, { name: 'b' }]), run(db))())
    const rows = [
      { id: a.id, balance: 1 },
      { id: b.id, balance: 2 },
    ]
    expect(right(await pipe(bulkUpdate(Audited, rows, ['balance']), run(db))())).toBe(2)
    expect(right(await audits(db))).toEqual([
      'beforeSave a',
      'beforeSave b',
      'afterSave a [balance]',
      'afterSave b [balance]',
    ])
  })

  it('save runs the hooks as a create, then as an update; getOrCreate of an existing row runs none', async () => {
    const { db } = t()
    const made = right(await pipe(save(Audited, { name: 'ann' }), run(db))())
    right(await pipe(save(Audited, { ...made, balance: 5 }), run(db))())
    right(await pipe(getOrCreate(Audited, { name: 'ann' }), run(db))())
    expect(right(await audits(db))).toEqual([
      'beforeSave new ann',
      'afterSave new ann [name]',
      'beforeSave ann',
      'afterSave ann [name,balance]',
    ])
  })

  it("under a run's signal, hooks run in the write's transaction through tx, and a run aborted in a hook writes nothing", async () => {
    const { db } = t()
    const counts: number[] = []
    const stopped = new AbortController()
    const Counting = withHooks(Audited, {
      // the run is aborted by its own hook, after Audited's beforeSave has written
      beforeSave: (e) => void (e.created && e.values.name === 'b' ? stopped.abort() : undefined),
      afterSave: (_e, tx) =>
        pipe(
          query(Account),
          count,
          run(tx),
          TE.map((n) => counts.push(n)),
        ),
    })
    const live = new AbortController()
    right(await pipe(create(Counting, { name: 'a' }), run(db, { signal: live.signal }))())
    expect(counts).toEqual([1])
    const r = await pipe(create(Counting, { name: 'b' }), run(db, { signal: stopped.signal }))()
    expect(left(r)).toMatchObject({ _tag: 'QueryError', code: 'CANCELLED' })
    expect(right(await accounts(db))).toEqual(['a'])
    expect(right(await audits(db))).toEqual(['beforeSave new a', 'afterSave new a [name]'])
  })

  it('prepared writes run the hooks with the bound values, once (bind) or per record (bindEach)', async () => {
    const { db } = t()
    right(await pipe(prepare(create(Audited, { name: param('name') })), bind({ name: 'p' }), run(db))())
    right(
      await pipe(prepare(create(noBad, { name: param('name') })), bindEach([{ name: 'q' }, { name: 'r' }]), run(db))(),
    )
    const vetoed = await pipe(
      prepare(create(noBad, { name: param('name') })),
      bindEach([{ name: 's' }, { name: 'bad' }]),
      run(db),
    )()
    expect(left(vetoed)._tag).toBe('ValidationError')
    const renamed = pipe(query(Audited), where({ name: param('old') }), update({ name: param('new') }))
    expect(right(await pipe(prepare(renamed), bind({ old: 'p', new: 'pp' }), run(db))())).toBe(1)
    expect(right(await accounts(db))).toEqual(['pp', 'q', 'r'])
    expect(right(await audits(db))).toEqual([
      'beforeSave new p',
      'afterSave new p [name]',
      'beforeSave new q',
      'beforeSave new r',
      'afterSave new q [name]',
      'afterSave new r [name]',
      'beforeSave p',
      'afterSave pp [name]',
    ])
  })

  it('a hook sees its own statement in run(tx) and in run(db): the same transaction', async () => {
    const { db } = t()
    const counts: number[] = []
    const Counting = withHooks(Account, {
      afterSave: (_e, tx) =>
        pipe(
          query(Account),
          count,
          run(tx),
          TE.chain((n) => (counts.push(n), pipe(query(Account), count, run(db)))),
          TE.map((n) => counts.push(n)),
        ),
    })
    right(await pipe(create(Counting, { name: 'a' }), run(db))())
    right(await pipe(save(Counting, { name: 'b' }), run(db))())
    right(await pipe(getOrCreate(Counting, { name: 'c' }), run(db))())
    const [c] = right(await pipe(updateOrCreate(Counting, { name: 'c' }, { balance: 3 }), run(db))())
    expect(c.balance).toBe(3)
    expect(counts).toEqual([1, 1, 2, 2, 3, 3, 3, 3])
  })

  it('a veto in beforeSave is the Left, and nothing of the statement is written', async () => {
    const { db } = t()
    const e = left(await pipe(create(noBad, { name: 'bad' }), run(db))())
    expect(e).toMatchObject({ _tag: 'ValidationError', issues: [{ field: 'name', message: 'bad is not a name' }] })
    expect(right(await accounts(db))).toEqual([])
    // the audit row the first beforeSave hook wrote was rolled back with the statement
    expect(right(await audits(db))).toEqual([])
  })

  it('a veto of one row of a bulkCreate or update rolls back every row', async () => {
    const { db } = t()
    left(await pipe(bulkCreate(noBad, [{ name: 'a' }, { name: 'bad' }, { name: 'c' }]), run(db))())
    expect(right(await accounts(db))).toEqual([])
    right(await pipe(bulkCreate(Account, [{ name: 'a' }, { name: 'bad' }]), run(db))())
    const e = left(await pipe(query(noBad), update({ balance: 9 }), run(db))())
    expect(e._tag).toBe('ValidationError')
    expect(right(await pipe(query(Account), where({ balance: 9 }), count, run(db))())).toBe(0)
    expect(left(await pipe(query(noBad), remove, run(db))())._tag).toBe('ValidationError')
    expect(right(await accounts(db))).toEqual(['a', 'bad'])
    expect(right(await audits(db))).toEqual([])
  })

  it('a veto in afterSave or afterDelete undoes the write already made', async () => {
    const { db } = t()
    const Late = withHooks(Account, {
      afterSave: (e) => (e.row.balance > 100 ? TE.left(invalid('balance', 'too much')) : TE.right(0)),
      afterDelete: () => TE.left(invalid('', 'no deletes')),
    })
    right(await pipe(create(Late, { name: 'a', balance: 1 }), run(db))())
    expect(left(await pipe(create(Late, { name: 'b', balance: 101 }), run(db))())._tag).toBe('ValidationError')
    expect(left(await pipe(query(Late), update({ balance: 500 }), run(db))())._tag).toBe('ValidationError')
    expect(left(await pipe(query(Late), remove, run(db))())._tag).toBe('ValidationError')
    expect(right(await pipe(query(Account), valuesFlat('balance'), run(db))())).toEqual([1])
  })

  it('a throw or a rejection in a hook is a typed HookError, and rolls back', async () => {
    const { db } = t()
    const boom = new Error('boom')
    const Throws = withHooks(Audited, {
      afterSave: () => {
        throw boom
      },
    })
    const Rejects = withHooks(Audited, { beforeDelete: () => Promise.reject(new Error('no')) })
    const thrown = left(await pipe(create(Throws, { name: 'a' }), run(db))())
    expect(thrown).toMatchObject({ _tag: 'HookError', model: 'Account', hook: 'afterSave', cause: boom })
    expect(thrown.message).toBe('Account.afterSave: threw: boom')
    right(await pipe(create(Account, { name: 'b' }), run(db))())
    const rejected = left(await pipe(query(Rejects), remove, run(db))())
    expect(rejected).toMatchObject({
      _tag: 'HookError',
      hook: 'beforeDelete',
      message: 'Account.beforeDelete: threw: no',
    })
    expect(right(await accounts(db))).toEqual(['b'])
    // from code the compiler did not check: a Left that is no terrapin error, a TaskEither that rejects
    const odd = withHooks(Account, { beforeDelete: (() => E.left('nope')) as never })
    expect(left(await pipe(query(odd), remove, run(db))())).toMatchObject({
      _tag: 'HookError',
      message: 'Account.beforeDelete: returned a Left: nope',
      cause: 'nope',
    })
    const broken = withHooks(Account, { beforeDelete: () => () => Promise.reject(new Error('lost')) })
    expect(left(await pipe(query(broken), remove, run(db))())).toMatchObject({
      _tag: 'HookError',
      hook: 'beforeDelete',
    })
    expect(right(await accounts(db))).toEqual(['b'])
    expect(right(await audits(db))).toEqual([])
  })

  it("a hook's failing statement is the write's Left (the database's typed error)", async () => {
    const { db } = t()
    const Dup = withHooks(Account, {
      afterSave: (e, tx) => pipe(create(Account, { id: e.row.id, name: 'again' }), run(tx)),
    })
    const e: TerrapinError = left(await pipe(create(Dup, { name: 'a' }), run(db))())
    expect(e).toMatchObject({ _tag: 'IntegrityError', kind: 'unique' })
    expect(right(await accounts(db))).toEqual([])
  })

  it("inside a user's transaction, hooks run in it, and a veto undoes only its statement", async () => {
    const { db } = t()
    const r = await transaction(db, (tx) =>
      pipe(
        create(Audited, { name: 'kept' }),
        run(tx),
        TE.chain(() => TE.fromTask(pipe(create(noBad, { name: 'bad' }), run(tx)))),
        TE.chain((vetoed) =>
          pipe(
            create(Audited, { name: 'after' }),
            run(tx),
            TE.map(() => vetoed),
          ),
        ),
      ),
    )()
    expect(left(right(r))._tag).toBe('ValidationError')
    expect(right(await accounts(db))).toEqual(['kept', 'after'])
    expect(right(await audits(db))).toEqual([
      'beforeSave new kept',
      'afterSave new kept [name]',
      'beforeSave new after',
      'afterSave new after [name]',
    ])
    // the user's rollback takes the hooks' writes with it
    const stopped = await transaction(db, (tx) =>
      pipe(
        create(Audited, { name: 'gone' }),
        run(tx),
        TE.chainW(() => TE.left('stop')),
      ),
    )()
    expect(stopped).toEqual(E.left('stop'))
    expect(right(await audits(db))).toHaveLength(4)
  })

  it('in nested transactions, a veto undoes the innermost savepoint only', async () => {
    const { db } = t()
    const r = await transaction(db, (outer) =>
      pipe(
        create(Audited, { name: 'outer' }),
        run(outer),
        TE.chain(() =>
          transaction(outer, (inner) =>
            pipe(
              create(Audited, { name: 'inner' }),
              run(inner),
              TE.chain(() => pipe(query(noBad), where({ name: 'inner' }), update({ name: 'bad' }), run(inner))),
              TE.chain(() => pipe(create(noBad, { name: 'bad' }), run(inner))),
            ),
          ),
        ),
        TE.orElse((e) => (e._tag === 'ValidationError' ? TE.right(undefined) : TE.left(e))),
        TE.chain(() => pipe(query(Account), count, run(outer))),
      ),
    )()
    expect(right(r)).toBe(1)
    expect(right(await accounts(db))).toEqual(['outer'])
    expect(right(await audits(db))).toEqual(['beforeSave new outer', 'afterSave new outer [name]'])
  })

  it('two tasks writing through hooks at once each commit or roll back alone', async () => {
    const { db } = t()
    const Slow = withHooks(Audited, {
      beforeSave: async (e) => {
        await new Promise((r) => setTimeout(r, 20))
        return e.created && e.values.name === 'bad' ? E.left(invalid('name', 'no')) : E.right(0)
      },
    })
    const names = ['a', 'bad', 'b', 'c']
    const results = await Promise.all(names.map((name) => pipe(create(Slow, { name }), run(db))()))
    expect(results.map((r) => r._tag)).toEqual(['Right', 'Left', 'Right', 'Right'])
    expect([...right(await accounts(db))].sort()).toEqual(['a', 'b', 'c'])
    expect([...right(await audits(db))].sort()).toEqual(
      ['a', 'b', 'c'].flatMap((n) => [`afterSave new ${n} [name]`, `beforeSave new ${n}`]).sort(),
    )
  })

  it('with selectForUpdate, a concurrent update waits, and its beforeSave sees the row as the first left it', async () => {
    const { db } = t()
    const a = right(await pipe(create(Account, { name: 'a' }), run(db))())
    const before: number[] = []
    const Locking = withHooks(Account, {
      beforeSave: async (e) => {
        if (!e.created) before.push(e.row.balance)
        await new Promise((r) => setTimeout(r, 50))
      },
    })
    const add = () =>
      pipe(query(Locking), where({ id: a.id }), selectForUpdate(), update({ balance: F('balance').add(1) }))
    const results = await Promise.all([pipe(add(), run(db))(), pipe(add(), run(db))()])
    expect(results.map(right)).toEqual([1, 1])
    expect(before).toEqual([0, 1])
    expect(right(await pipe(query(Account), valuesFlat('balance'), run(db))())).toEqual([2])
  })

  it('through the model without hooks, an update and a delete send one statement each, and no hook runs', async () => {
    const { db } = t()
    right(await pipe(create(Account, { name: 'a' }), run(db))())
    t().clearLog()
    right(await pipe(query(Account), where({ name: 'a' }), update({ balance: 2 }), run(db))())
    right(await pipe(query(Account), where({ name: 'a' }), remove, run(db))())
    expect(t().log.map((e) => e.sql.split(' ')[0])).toEqual(['UPDATE', 'DELETE'])
    expect(right(await audits(db))).toEqual([])
  })

  it('runSync refuses a write through a model with hooks, sending nothing', async () => {
    const { db } = t()
    t().clearLog()
    const r = runSync(db)(create(Audited, { name: 'a' }))()
    expect(left(r)._tag).toBe('ConfigurationError')
    expect(t().log).toEqual([])
    expect(right(await accounts(db))).toEqual([])
  })

  it('withHooks refuses an unknown hook or one that is not a function', () => {
    expect(() => withHooks(Account, { beforeSav: () => undefined } as never)).toThrow(/unknown hook beforeSav/)
    expect(() => withHooks(Account, { afterSave: 1 } as never)).toThrow(/afterSave is not a function/)
  })
})
