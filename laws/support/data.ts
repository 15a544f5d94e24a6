/**
 * Random data for a schema, inserted through the public API (`bulkCreate`) and kept as the
 * reference's dataset. Foreign keys are drawn as indexes into the parent's rows, so models with
 * generated keys work the same on every dialect.
 */
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { Db, Model, bulkCreate, run } from 'terrapin'
import { throughColumns, throughTable } from '../../src/model/relations'
import { ManyToManyField } from '../../src/model/fields'
import { Dataset, Row } from '../reference'
import { FieldSpec, ModelSpec, SchemaSpec, specOf } from './schema'
import { canon, storedArb, textArb } from './values'

export type ModelName = 'Alpha' | 'Beta' | 'Gamma'
export type Models = Readonly<Record<ModelName, Model>>

export interface DataSpec {
  readonly alpha: ReadonlyArray<Row>
  readonly beta: ReadonlyArray<{ readonly row: Row; readonly alpha: number | null }>
  readonly gamma: ReadonlyArray<{ readonly row: Row; readonly beta: number | null; readonly owner: number | null }>
  /** Many-to-many pairs (alpha index, gamma index). */
  readonly links: ReadonlyArray<readonly [number, number]>
}

/** The key column of a model as a field spec (for filters and orderings). */
export const pkSpec = (m: ModelSpec): FieldSpec => ({
  key: 'id',
  kind: m.pk === 'char' ? 'char' : 'int',
  column: 'id',
  nullable: false,
  size: 10,
})

const rowArb = (m: ModelSpec): fc.Arbitrary<Row> =>
  fc.record(Object.fromEntries(m.fields.map((f) => [f.key, storedArb(f)])))

const keysArb = (m: ModelSpec, max: number): fc.Arbitrary<ReadonlyArray<unknown>> =>
  m.pk === 'char'
    ? fc.uniqueArray(textArb(10), { maxLength: max })
    : m.pk === 'int'
      ? // Not near 2147483647: InnoDB reserves auto-increment values for a multi-row INSERT
        // even when every key is given, so once a key near the maximum is stored, later
        // inserts into the table fail (a limit of the server, noted in laws/README.md).
        fc.uniqueArray(fc.oneof(fc.integer({ min: -3, max: 20 }), fc.constantFrom(-2147483648, 1_000_000)), {
          maxLength: max,
        })
      : fc.integer({ min: 0, max }).map((n) => Array.from({ length: n }, () => undefined))

const ref = (n: number, nullable: boolean): fc.Arbitrary<number | null> =>
  n === 0 ? fc.constant(null) : nullable ? fc.option(fc.nat(n - 1), { nil: null, freq: 4 }) : fc.nat(n - 1)

/** Rows for the three models and their links; at most `max` rows per model. */
export const dataArb = (s: SchemaSpec, max = 10): fc.Arbitrary<DataSpec> => {
  const [a, b, g] = (['Alpha', 'Beta', 'Gamma'] as const).map((n) => specOf(s, n))
  return fc.record({ ak: keysArb(a, max), bk: keysArb(b, max), gk: keysArb(g, max) }).chain(({ ak, bk, gk }) => {
    if (!s.gammaBetaNull && bk.length === 0) gk = []
    const withId = (m: ModelSpec, keys: ReadonlyArray<unknown>) =>
      fc.tuple(...keys.map((k) => rowArb(m).map((r) => (k === undefined ? r : { id: k, ...r }))))
    return fc.record({
      alpha: withId(a, ak),
      beta: fc.tuple(
        ...bk.map((k) => fc.record({ row: withId(b, [k]).map((x) => x[0]), alpha: ref(ak.length, true) })),
      ),
      gamma: fc.tuple(
        ...gk.map((k) =>
          fc.record({
            row: withId(g, [k]).map((x) => x[0]),
            beta: ref(bk.length, s.gammaBetaNull),
            owner: ref(ak.length, true),
          }),
        ),
      ),
      links:
        ak.length === 0 || gk.length === 0
          ? fc.constant([])
          : fc.uniqueArray(fc.tuple(fc.nat(ak.length - 1), fc.nat(gk.length - 1)), {
              maxLength: max,
              selector: ([x, y]) => `${x},${y}`,
            }),
    })
  })
}

const insertAll = async (db: Db, m: Model, rows: ReadonlyArray<Row>): Promise<ReadonlyArray<Row>> => {
  if (rows.length === 0) return []
  const r = await run(db)(bulkCreate(m, rows as never))()
  if (E.isLeft(r)) throw new Error(`bulkCreate ${m.name}: ${r.left._tag}: ${r.left.message}`)
  return r.right
}

/** The complete row as the reference sees it: every column, NULL where not given. */
const complete = (m: Model, given: Row, stored: Row): Row =>
  Object.fromEntries(m.columns.map((c) => [c.key, c.key in given ? given[c.key] : (stored[c.key] ?? null)]))

/**
 * Inserts the data (the tables must be empty) and returns the reference's dataset: the values
 * as generated, with keys the database generated. Fails when a stored row does not read back
 * as written — a round-trip break would otherwise surface as a confusing query difference.
 */
export const insertData = async (db: Db, models: Models, data: DataSpec): Promise<Dataset> => {
  const { Alpha, Beta, Gamma } = models
  const rows: Record<string, Row[]> = { Alpha: [], Beta: [], Gamma: [] }
  const put = async (m: Model, given: ReadonlyArray<Row>): Promise<Row[]> => {
    const stored = await insertAll(db, m, given)
    const out = given.map((g, i) => complete(m, g, stored[i]))
    out.forEach((r, i) => {
      if (canon(r) !== canon(stored[i]))
        throw new Error(`${m.name} row ${i} reads back as ${canon(stored[i])}, written ${canon(r)}`)
    })
    rows[m.name] = out
    return out
  }
  const as = await put(Alpha, data.alpha)
  const idOf = (xs: ReadonlyArray<Row>, i: number | null, m: Model): unknown => (i === null ? null : xs[i][m.pk])
  const bs = await put(
    Beta,
    data.beta.map((b) => ({ ...b.row, alphaId: idOf(as, b.alpha, Alpha) })),
  )
  const gs = await put(
    Gamma,
    data.gamma.map((g) => ({ ...g.row, betaId: idOf(bs, g.beta, Beta), ownerId: idOf(as, g.owner, Alpha) })),
  )
  const links = data.links.map(([x, y]) => [as[x][Alpha.pk], gs[y][Gamma.pk]] as const)
  if (links.length > 0) {
    const q = db.executor.dialect.quote
    const field = Alpha.fields.tags as ManyToManyField
    const { own, other } = throughColumns(Alpha, field, Gamma)
    const ph = (i: number) => db.executor.dialect.placeholder(i)
    const values = links.map((_, i) => `(${ph(2 * i + 1)}, ${ph(2 * i + 2)})`).join(', ')
    await db.executor.run(
      `INSERT INTO ${q(throughTable(Alpha, field, Gamma))} (${q(own)}, ${q(other)}) VALUES ${values}`,
      links.flat(),
    )
  }
  return { rows, links: { 'Alpha.tags': links } }
}
