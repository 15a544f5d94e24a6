/**
 * Row decoders, built once per statement output and dialect (a model's rows share one): a plain
 * function that converts each column from the driver's representation and checks it with the
 * field's codec, and builds the row as one object literal. io-ts is the source of truth for the
 * check (its guard on the fast path, its decoder when the guard refuses); nothing is allocated
 * per row beyond the row itself.
 */
import { DecodeError, decodeError } from '../errors'
import { Dialect } from '../compile/dialect'
import { Output } from '../compile/sql'
import { parseUtc } from '../model/codecs'
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
  const is = codec.is
  const fromDriver = d.decoder(col)
  const datetime = col.kind === 'datetime'
  // Times are always validated: that is where they get their one spelling.
  const always = col.kind === 'time'
  const slow = (v: unknown): unknown => {
    if (datetime && typeof v === 'string') {
      // the codec's own reading, without its Either (the common case: a driver's text)
      const t = parseUtc(v)
      if (t) return t
    }
    const r = codec.validate(v, [])
    if (r._tag === 'Right') return r.right
    throw new DecodeFailure(decodeError(model, col.key, `the stored value is not a valid ${col.kind}`))
  }
  return (raw) => {
    if (raw === null || raw === undefined) return null
    let v: unknown
    try {
      v = fromDriver(raw)
    } catch {
      throw new DecodeFailure(decodeError(model, col.key, `cannot read the stored ${col.kind}`))
    }
    return !always && is(v) ? v : slow(v)
  }
}

export type RowDecoder = (row: ReadonlyArray<unknown>) => unknown

/**
 * `(row) => ({ "id": d0(row[0]), "title": d1(row[1]), … })`: one object literal, so every row of
 * a statement gets the same hidden class at once instead of growing key by key.
 */
const objectBuilder = (keys: ReadonlyArray<string>, decs: ReadonlyArray<ColumnDecoder>): RowDecoder => {
  if (keys.some((k) => k === '__proto__') || new Set(keys).size !== keys.length) {
    const n = keys.length
    return (row) => {
      const o: Record<string, unknown> = {}
      for (let i = 0; i < n; i++) o[keys[i]] = decs[i](row[i])
      return o
    }
  }
  const names = decs.map((_, i) => `d${i}`)
  const body = `const [${names.join(', ')}] = decs\nreturn (row) => ({ ${keys.map((k, i) => `${JSON.stringify(k)}: d${i}(row[${i}])`).join(', ')} })`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds names only as JSON.stringify literals
  const make = new Function('decs', body) as (decs: ReadonlyArray<(raw: unknown) => unknown>) => RowDecoder
  return make(decs)
}

/**
 * Rows with related rows read by joins (`selectRelated`): the row's own columns, then each
 * related row under its name (`book.author.publisher`), or null where the join found none.
 */
const nestedBuilder = (out: Output, decs: ReadonlyArray<ColumnDecoder>): RowDecoder => {
  const nest = out.nest!
  const ownEnd = nest[0].start
  const own = objectBuilder(out.keys.slice(0, ownEnd), decs.slice(0, ownEnd))
  const parts = nest.map((n) => ({
    path: n.path,
    pk: n.pk,
    start: n.start,
    end: n.end,
    build: objectBuilder(
      out.keys.slice(n.start, n.end).map((k) => k.slice(n.path.join('__').length + 2)),
      decs.slice(n.start, n.end),
    ),
  }))
  return (row) => {
    const o = own(row) as Record<string, unknown>
    for (const p of parts) {
      let parent: Record<string, unknown> | null = o
      for (let i = 0; i < p.path.length - 1 && parent; i++) parent = parent[p.path[i]] as Record<string, unknown> | null
      if (!parent) continue
      parent[p.path[p.path.length - 1]] =
        row[p.pk] === null || row[p.pk] === undefined ? null : p.build(row.slice(p.start, p.end))
    }
    return o
  }
}

export type Shape = Projection['_tag'] | 'Flat'

const cache = new WeakMap<Dialect, WeakMap<Output, Partial<Record<Shape, RowDecoder>>>>()

/** The decoder asked for last, answered without the two lookups (a hot query asks for the same one). */
let lastDialect: Dialect | undefined
let lastOutput: Output | undefined
let lastShape: Shape | undefined
let lastDecoder: RowDecoder | undefined

/** The decoder of a statement's rows for a projection (objects, tuples, or single values). */
export const rowDecoder = (d: Dialect, model: string, out: Output, shape: Shape): RowDecoder => {
  if (out === lastOutput && d === lastDialect && shape === lastShape) return lastDecoder!
  const dec = decoderOf(d, model, out, shape)
  lastDialect = d
  lastOutput = out
  lastShape = shape
  lastDecoder = dec
  return dec
}

const decoderOf = (d: Dialect, model: string, out: Output, shape: Shape): RowDecoder => {
  let byOutput = cache.get(d)
  if (!byOutput) cache.set(d, (byOutput = new WeakMap()))
  let byShape = byOutput.get(out)
  if (!byShape) byOutput.set(out, (byShape = {}))
  const hit = byShape[shape]
  if (hit) return hit
  const decs = out.columns.map((c) => columnDecoder(d, model, c))
  const n = decs.length
  let dec: RowDecoder
  if (shape === 'Flat') {
    const d0 = decs[0]
    dec = (row) => d0(row[0])
  } else if (shape === 'ValuesList')
    dec = (row) => {
      const t = new Array<unknown>(n)
      for (let i = 0; i < n; i++) t[i] = decs[i](row[i])
      return t
    }
  else if (out.nest && shape === 'Rows') dec = nestedBuilder(out, decs)
  else dec = objectBuilder(out.keys, decs)
  byShape[shape] = dec
  return dec
}
