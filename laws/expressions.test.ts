/**
 * Differential law of expressions: random arithmetic (add, sub, mul, div, mod, pow, neg) /
 * COALESCE / Case-When / Value trees over an int column, a nullable float column and literals
 * give, on every dialect, the values a small JS reference interpreter computes (NULL
 * propagates, division is real and NULL for a zero divisor, mod truncates with the dividend's
 * sign and is NULL by zero, pow is NULL where JS's `**` is no finite number, a Case without a
 * matching branch or default is NULL) — as annotations, as filter operands and in UPDATE … SET.
 * Compilation law: placeholders = params.
 */
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import {
  Case,
  Coalesce,
  Expr,
  F,
  Value,
  When,
  annotate,
  bulkCreate,
  compile,
  fields,
  model,
  orderBy,
  query,
  run,
  schema,
  update,
  values,
  valuesFlat,
  where,
} from 'terrapin'
import { forEachDialect, right } from '../test/support/dialects'

const { LawRow } = schema({
  LawRow: model('LawRow', {
    table: 'law_expr_row',
    fields: {
      id: fields.int({ pk: true }),
      i: fields.int(),
      f: fields.float({ null: true }),
      out: fields.float({ null: true }),
    },
  }),
})

const ROWS = Array.from({ length: 16 }, (_, k) => ({
  id: k + 1,
  i: ((k * 7) % 11) - 5,
  f: k % 4 === 0 ? null : ((k * 5) % 9) / 4 - 1,
}))
type Row = (typeof ROWS)[number]

/** An expression tree, built both as a terrapin expression and as a JS evaluator. */
interface Tree {
  readonly expr: Expr<unknown, string> | number
  readonly eval: (r: Row) => number | null
  readonly show: string
}

const leaf: fc.Arbitrary<Tree> = fc.oneof(
  fc.constant<Tree>({ expr: F('i'), eval: (r) => r.i, show: 'i' }),
  fc.constant<Tree>({ expr: F('f'), eval: (r) => r.f, show: 'f' }),
  fc.integer({ min: -4, max: 4 }).map((n): Tree => ({ expr: n, eval: () => n, show: String(n) })),
  fc.integer({ min: -8, max: 8 }).map((n): Tree => ({ expr: n / 4, eval: () => n / 4, show: String(n / 4) })),
)

const asExpr = (t: Tree): Expr<unknown, string> => (typeof t.expr === 'number' ? Coalesce(t.expr) : t.expr)

const OPS = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
} as const

const call = (t: Tree, op: string, x?: unknown): Expr<unknown, string> =>
  (asExpr(t) as unknown as Record<string, (x?: unknown) => Expr<unknown, string>>)[op](x)

/** `a mod b` over leaves only: mod is discontinuous, and a computed float near a multiple would make it a coin toss. */
const modTree: fc.Arbitrary<Tree> = fc.tuple(leaf, leaf).map(([a, b]): Tree => ({
  expr: call(a, 'mod', b.expr),
  eval: (r) => {
    const x = a.eval(r)
    const y = b.eval(r)
    if (x === null || y === null || y === 0) return null
    return x % y || 0
  },
  show: `(${a.show} mod ${b.show})`,
}))

/** `a pow b` with a small exponent (a leaf): NULL where JS gives NaN or an infinity. */
const powTree = (base: fc.Arbitrary<Tree>): fc.Arbitrary<Tree> =>
  fc.tuple(base, leaf).map(([a, b]): Tree => ({
    expr: call(a, 'pow', b.expr),
    eval: (r) => {
      const x = a.eval(r)
      const y = b.eval(r)
      if (x === null || y === null) return null
      const p = x ** y
      return Number.isFinite(p) ? p : null
    },
    show: `(${a.show} pow ${b.show})`,
  }))

/** A condition of a `When`, with its JS meaning (two-valued: NULL is false). */
const whenCond = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map((n) => ({ filter: { i__lt: n }, holds: (r: Row) => r.i < n, show: `i<${n}` })),
  fc.integer({ min: -4, max: 4 }).map((n) => ({
    filter: { f__gte: n / 4 },
    holds: (r: Row) => r.f !== null && r.f >= n / 4,
    show: `f>=${n / 4}`,
  })),
  fc.constant({ filter: { f: null }, holds: (r: Row) => r.f === null, show: 'f=null' }),
)

const tree: fc.Arbitrary<Tree> = fc
  .letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      modTree,
      powTree(tie('t')),
      tie('t').map((a): Tree => ({
        expr: call(a, 'neg'),
        eval: (r) => {
          const x = a.eval(r)
          return x === null ? null : -x
        },
        show: `-${a.show}`,
      })),
      fc.tuple(whenCond, tie('t'), fc.option(tie('t'))).map(([c, a, b]): Tree => ({
        expr: Case([When(c.filter, typeof a.expr === 'number' ? Value(a.expr) : a.expr)], b ? { default: b.expr } : {}),
        eval: (r) => (c.holds(r) ? a.eval(r) : b ? b.eval(r) : null),
        show: `case(${c.show} then ${a.show} else ${b?.show ?? 'null'})`,
      })),
      fc
        .tuple(fc.constantFrom(...(Object.keys(OPS) as Array<keyof typeof OPS>)), tie('t'), tie('t'))
        .map(([op, a, b]): Tree => ({
          expr: (asExpr(a) as unknown as Record<string, (x: unknown) => Expr<unknown, string>>)[op](b.expr),
          eval: (r) => {
            const x = a.eval(r)
            const y = b.eval(r)
            if (x === null || y === null) return null
            if (op === 'div' && y === 0) return null
            return OPS[op](x, y)
          },
          show: `(${a.show} ${op} ${b.show})`,
        })),
      fc.tuple(tie('t'), tie('t')).map(([a, b]): Tree => ({
        expr: Coalesce(a.expr, b.expr),
        eval: (r) => a.eval(r) ?? b.eval(r),
        show: `coalesce(${a.show}, ${b.show})`,
      })),
    ),
  }))
  .t.filter((t) => typeof t.expr !== 'number' && ROWS.every((r) => Math.abs(t.eval(r) ?? 0) < 1e6))

const same = (got: number | null, want: number | null): boolean =>
  got === null || want === null ? got === want : Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want))

const placeholders = (sql: string, dialect: string): number =>
  dialect === 'postgres'
    ? new Set(sql.match(/\$\d+/g) ?? []).size
    : (sql.replace(/'(?:[^']|'')*'/g, '').match(/\?/g) ?? []).length

forEachDialect('expression laws', [LawRow], (t) => {
  beforeAll(async () => {
    await t().reset()
    right(await pipe(bulkCreate(LawRow, ROWS), run(t().db))())
  })

  it('annotations agree with the reference interpreter, and every value is a parameter', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (tr) => {
        const plan = pipe(
          query(LawRow),
          annotate({ e: tr.expr as Expr<unknown, 'i'> }),
          orderBy('id'),
          values('id', 'e'),
        )
        const c = compile(plan, t().dialect)
        expect(placeholders(c.sql, t().dialect)).toBe(c.params.length)
        const rows = right(await pipe(plan, run(t().db))())
        rows.forEach((r, k) => {
          const got = r.e as number | null
          if (!same(got, tr.eval(ROWS[k])))
            throw new Error(`${tr.show} on row ${k}: got ${got}, want ${tr.eval(ROWS[k])}`)
        })
      }),
      { numRuns: 60 },
    )
  })

  it('as a filter operand: where(i < e) and exclude(i < e) partition the rows as in JS', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (tr) => {
        // a value within rounding of i compares either way (pow's last bit is the database's libm)
        fc.pre(
          ROWS.every((r) => {
            const v = tr.eval(r)
            return v === null || Math.abs(v - r.i) > 1e-9 * Math.max(1, Math.abs(v))
          }),
        )
        const e = tr.expr as Expr<unknown, 'i'>
        const got = right(await pipe(query(LawRow), where({ i__lt: e }), valuesFlat('id'), run(t().db))())
        const want = ROWS.filter((r) => {
          const v = tr.eval(r)
          return v !== null && r.i < v
        }).map((r) => r.id)
        expect([...got].sort((a, b) => a - b)).toEqual(want)
      }),
      { numRuns: 40 },
    )
  })

  it('in UPDATE … SET: out = e on every row', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (tr) => {
        expect(right(await pipe(query(LawRow), update({ out: tr.expr as Expr<unknown, 'i'> }), run(t().db))())).toBe(
          ROWS.length,
        )
        const outs = right(await pipe(query(LawRow), orderBy('id'), valuesFlat('out'), run(t().db))())
        outs.forEach((o, k) => {
          if (!same(o, tr.eval(ROWS[k])))
            throw new Error(`${tr.show} on row ${k}: stored ${o}, want ${tr.eval(ROWS[k])}`)
        })
      }),
      { numRuns: 30 },
    )
  })
})
