/**
 * Raw SQL with the `sql` template: values are always bound parameters (an injection attempt is
 * just a string that matches nothing), identifiers are quoted by `sql.ident`, fragments nest,
 * rows are decoded by an io-ts codec, and a row that does not fit is a DecodeError whose message
 * names the key but not the value.
 */
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { bulkCreate, connect, query, rowsOf, run, sql, valuesFlat } from 'terrapin'
import { forEachDialect, left, right } from '../support/dialects'
import { Author } from './models'

const Row = t.type({ id: t.number, name: t.string })

forEachDialect('raw sql', [Author], (t2) => {
  let ids: number[] = []
  beforeAll(async () => {
    await t2().reset()
    ids = right(
      await pipe(bulkCreate(Author, [{ name: 'a' }, { name: "o'hara" }, { name: 'c', nick: 'x' }]), run(t2().db))(),
    ).map((r) => r.id)
  })

  it('reads rows decoded by a codec, with values bound as parameters', async () => {
    const rows = right(
      await pipe(sql`SELECT id, name FROM x_author WHERE id > ${ids[0]} ORDER BY id`, rowsOf(Row), run(t2().db))(),
    )
    expect(rows).toEqual([
      { id: ids[1], name: "o'hara" },
      { id: ids[2], name: 'c' },
    ])
    const e = t2().log[t2().log.length - 1]
    expect(e.sql).toMatch(/^SELECT id, name FROM x_author WHERE id > (\?|\$1) ORDER BY id$/)
  })

  it('treats an injection attempt as a plain value', async () => {
    const evil = "x' OR '1'='1"
    expect(
      right(await pipe(sql`SELECT id, name FROM x_author WHERE name = ${evil}`, rowsOf(Row), run(t2().db))()),
    ).toEqual([])
    expect(
      right(await pipe(sql`SELECT id, name FROM x_author WHERE name = ${"o'hara"}`, rowsOf(Row), run(t2().db))()).map(
        (r) => r.id,
      ),
    ).toEqual([ids[1]])
  })

  it('an object, array, undefined, NaN or function interpolated is a ValidationError, and nothing is sent', async () => {
    // mysql2 writes an object's keys as column names: name = `name` = 1 holds on every row
    const odd: ReadonlyArray<unknown> = [{ name: 1 }, [ids[0], ids[1]], undefined, NaN, () => 1, new Date(NaN)]
    for (const v of odd) {
      t2().clearLog()
      const e = left(await pipe(sql`SELECT id, name FROM x_author WHERE name = ${v}`, rowsOf(Row), run(t2().db))())
      expect([e._tag, e.message]).toEqual(['ValidationError', expect.stringMatching(/is no value of a sql template/)])
      expect(t2().log).toHaveLength(0)
    }
    // a boolean is bound as the dialect stores it
    const count = right(
      await pipe(
        sql`SELECT COUNT(*) AS n FROM x_author WHERE ${true} = ${true}`,
        rowsOf(t.type({ n: t.unknown })),
        run(t2().db),
      )(),
    )
    expect(Number(count[0].n)).toBe(3)
  })

  it('quotes identifiers with sql.ident and splices nested fragments (their values stay parameters)', async () => {
    const cond = sql`nick = ${'x'}`
    const rows = right(
      await pipe(
        sql`SELECT ${sql.ident('id')}, ${sql.ident('name')} FROM ${sql.ident('x_author')} WHERE ${cond} AND id >= ${ids[0]}`,
        rowsOf(Row),
        run(t2().db),
      )(),
    )
    expect(rows).toEqual([{ id: ids[2], name: 'c' }])
  })

  it('runs a write and yields the affected row count', async () => {
    expect(right(await pipe(sql`UPDATE x_author SET nick = ${'n'} WHERE id <> ${ids[2]}`, run(t2().db))())).toBe(2)
    expect(right(await pipe(query(Author), valuesFlat('nick'), run(t2().db))()).filter((n) => n === 'n').length).toBe(2)
  })

  it('a row that does not fit the codec is a DecodeError naming the key, not the value', async () => {
    const e = left(
      await pipe(
        sql`SELECT id, name FROM x_author WHERE name = ${"o'hara"}`,
        rowsOf(t.type({ id: t.string, name: t.string })),
        run(t2().db),
      )(),
    )
    expect(e._tag).toBe('DecodeError')
    expect(e.message).toContain('id')
    expect(e.message).not.toContain(String(ids[1]))
  })

  it('a syntax error is a QueryError with the SQL, never a throw', async () => {
    const e = left(await pipe(sql`SELEC id FROM x_author WHERE id = ${1}`, rowsOf(Row), run(t2().db))())
    expect(e._tag).toBe('QueryError')
  })

  it('onQuery: SQL, duration and row count always; bound values only with logParams', async () => {
    t2().clearLog()
    right(await pipe(sql`SELECT id, name FROM x_author WHERE id >= ${ids[0]}`, rowsOf(Row), run(t2().db))())
    const [ev] = t2().log
    expect(ev.sql).toMatch(/^SELECT id, name FROM x_author WHERE id >= (\?|\$1)$/)
    expect(ev.rows).toBe(3)
    expect(ev.durationMs).toBeGreaterThanOrEqual(0)
    expect(ev.params).toBeUndefined()
    const events: Array<{ params?: ReadonlyArray<unknown>; rows: number; error?: { _tag: string } }> = []
    const db = connect(t2().url, { onQuery: (e) => events.push(e), logParams: true })
    try {
      right(await pipe(sql`SELECT ${'secret'} AS v`, rowsOf(t.type({ v: t.string })), run(db))())
      expect(events[events.length - 1].params).toEqual(['secret'])
      expect(events[events.length - 1].rows).toBe(1)
      left(await pipe(sql`SELECT * FROM no_such_table WHERE x = ${1}`, rowsOf(t.unknown), run(db))())
      expect(events[events.length - 1].error?._tag).toBe('QueryError')
      expect(events[events.length - 1].rows).toBe(0)
    } finally {
      await db.executor.close()
    }
  })
})
