/**
 * Row decoders, built once per statement output and dialect: a plain function that converts
 * each column from the driver's representation and checks it with the field's codec. io-ts is
 * the source of truth for the check; the loop around it allocates nothing beyond the row.
 */
import { DecodeError, decodeError } from '../errors'
import { Dialect } from '../compile/dialect'
import { Output } from '../compile/sql'
import { Column } from '../model/model'
import { Projection } from '../plan/ast'

/** Thrown inside a decode loop and turned into a `Left` by the runner. */
export class DecodeFailure extends Error {
  constructor(readonly error: DecodeError) {
    super(error.message)
  }
}

type ColumnDecoder = (raw: unknown) => unknown

const columnDecoder = (d: Dialect, model: string, col: Column): ColumnDecoder => {
  const codec = col.scalar.codec
  return (raw) => {
    if (raw === null || raw === undefined) return null
    let v: unknown
    try {
      v = d.decode(col, raw)
    } catch {
      throw new DecodeFailure(decodeError(model, col.key, `cannot read the stored ${col.kind}`))
    }
    // Times are always validated: that is where they get their one spelling.
    if (col.kind !== 'time' && codec.is(v)) return v
    const r = codec.validate(v, [])
    if (r._tag === 'Right') return r.right
    throw new DecodeFailure(decodeError(model, col.key, `the stored value is not a valid ${col.kind}`))
  }
}

export type RowDecoder = (row: ReadonlyArray<unknown>) => unknown

const cache = new WeakMap<Output, Map<string, RowDecoder>>()

/** The decoder of a statement's rows for a projection (objects, tuples, or single values). */
export const rowDecoder = (d: Dialect, model: string, out: Output, shape: Projection['_tag'] | 'Flat'): RowDecoder => {
  let byShape = cache.get(out)
  if (!byShape) cache.set(out, (byShape = new Map()))
  const key = `${d.name}:${shape}`
  const hit = byShape.get(key)
  if (hit) return hit
  const decs = out.columns.map((c) => columnDecoder(d, model, c))
  const keys = out.keys
  const n = keys.length
  let dec: RowDecoder
  if (shape === 'Flat') dec = (row) => decs[0](row[0])
  else if (shape === 'ValuesList')
    dec = (row) => {
      const t = new Array<unknown>(n)
      for (let i = 0; i < n; i++) t[i] = decs[i](row[i])
      return t
    }
  else
    dec = (row) => {
      const o: Record<string, unknown> = {}
      for (let i = 0; i < n; i++) o[keys[i]] = decs[i](row[i])
      return o
    }
  byShape.set(key, dec)
  return dec
}
