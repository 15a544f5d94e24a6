/**
 * Raw SQL as a plan: the `sql` tagged template. Every interpolated value becomes a bound
 * parameter, never text in the statement (a string, finite number, bigint, boolean, Date, bytes or
 * null; anything else is a `ValidationError` when the plan runs); identifiers go through
 * `sql.ident`, which quotes them for the dialect. `rowsOf(codec)` makes it a read whose rows the io-ts codec decodes.
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Raw, freeze } from './ast'

/** An identifier to quote (a table or column name), for `sql` templates. */
export interface Ident {
  readonly _tag: 'Ident'
  readonly name: string
}

const isRaw = (u: unknown): u is Raw<unknown> =>
  typeof u === 'object' && u !== null && (u as Raw<unknown>)._tag === 'Raw'

/**
 * A raw statement; run as is it yields the number of rows affected. Values are parameters,
 * nested `sql` fragments are spliced in (their values stay parameters).
 *
 * @example
 * ```ts
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * const id = 7
 * const changed = await pipe(sql`UPDATE book SET rating = ${5} WHERE id = ${id}`, runPromise(db)) // UPDATE book SET rating = ? WHERE id = ?
 * console.log(changed)
 * //> 0
 * await close(db)
 * ```
 */
export const sql = Object.assign(
  (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Raw<number> => {
    const out: string[] = [strings[0]]
    const vals: unknown[] = []
    values.forEach((v, i) => {
      if (isRaw(v)) {
        out[out.length - 1] += v.strings[0]
        v.values.forEach((x, j) => {
          vals.push(x)
          out.push(v.strings[j + 1])
        })
        out[out.length - 1] += strings[i + 1]
      } else {
        vals.push(v instanceof Date ? new Date(v.getTime()) : v)
        out.push(strings[i + 1])
      }
    })
    return freeze({ _tag: 'Raw', strings: freeze(out), values: freeze(vals) })
  },
  {
    /** A quoted identifier: `sql\`SELECT * FROM ${sql.ident('book')}\``. */
    ident: (name: string): Ident => freeze({ _tag: 'Ident', name }),
  },
)

/**
 * Reads rows with a raw statement and decodes each with an io-ts codec (a `DecodeError` when
 * one does not fit).
 *
 * @example
 * ```ts
 * import * as t from 'io-ts'
 *
 * const db = connect('sqlite://:memory:')
 * await generateSchemas(db, [Author, Book])()
 * await pipe(bulkCreate(Author, [{ name: 'A' }, { name: 'B' }]), runPromise(db))
 * const rows = pipe(sql`SELECT id, name FROM author WHERE id > ${1}`, rowsOf(t.type({ id: t.number, name: t.string })))
 * console.log(await pipe(rows, runPromise(db))) // ReadonlyArray<{ id: number; name: string }>
 * //> [ { id: 2, name: 'B' } ]
 * await close(db)
 * ```
 */
export const rowsOf =
  <A>(codec: t.Decoder<unknown, A>) =>
  (raw: Raw<unknown>): Raw<ReadonlyArray<A>> =>
    freeze({
      ...raw,
      // Name the failing keys, never the values (messages may be logged).
      decode: (row: unknown) =>
        E.mapLeft((errs: t.Errors) =>
          [
            ...new Set(
              errs.map((e) =>
                e.context
                  .map((c) => c.key)
                  .filter((k) => k !== '')
                  .join('.'),
              ),
            ),
          ].join(', '),
        )(codec.decode(row)),
    }) as Raw<ReadonlyArray<A>>
