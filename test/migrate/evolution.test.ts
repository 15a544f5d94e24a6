/**
 * A property test of random evolutions, on every dialect: a random sequence of model changes
 * (columns added, dropped, renamed, widened; tables added and dropped; foreign keys added and
 * dropped), a row with a value in every column added to every table after each step. After each
 * step `makeMigration` + `upgrade` leave a live schema (introspected) equal to the models and
 * every row of every table kept with its values (but those of dropped columns); downgrading all the way returns the introspected schema to the start. Kept small for CI
 * (TERRAPIN_EVOLUTION_STEPS sets the steps per run, TERRAPIN_EVOLUTION_SEED replays a failure's seed).
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import {
  AnyModel,
  Db,
  Fields,
  connect,
  create,
  fields,
  model,
  orderBy,
  query,
  runPromise,
  schema,
  values,
} from 'terrapin'
import {
  MigrationTarget,
  Rename,
  downgrade,
  initDb,
  introspect,
  makeMigration,
  modelState,
  schemaDifferences,
  upgrade,
} from '../../src/migrate'
import { DIALECTS, IsolatedDatabase, createIsolated } from '../support/databases'

const STEPS = Number(process.env.TERRAPIN_EVOLUTION_STEPS ?? 100)

type Kind = 'int' | 'bigint' | 'char' | 'text'
interface Col {
  readonly kind: Kind
  readonly maxLength: number
}
interface Table {
  readonly cols: Readonly<Record<string, Col>>
  readonly fk?: string
}
type State = Readonly<Record<string, Table>>

const modelName = (table: string): string => `M_${table}`

const modelsOf = (s: State): ReadonlyArray<AnyModel> => {
  const defs = Object.fromEntries(
    Object.entries(s).map(([table, t]) => {
      const cols = Object.fromEntries(
        Object.entries(t.cols).map(([name, c]) => [
          name,
          c.kind === 'char'
            ? fields.char({ maxLength: c.maxLength, null: true })
            : c.kind === 'text'
              ? fields.text({ null: true })
              : c.kind === 'int'
                ? fields.int({ null: true })
                : fields.bigint({ null: true }),
        ]),
      )
      const fk: Fields = t.fk
        ? {
            ref: fields.foreignKey(modelName(t.fk), { relatedName: `${table}_refs`, null: true, onDelete: 'SET NULL' }),
          }
        : {}
      return [
        modelName(table),
        model(modelName(table), {
          table,
          fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 20 }), ...cols, ...fk },
        }),
      ]
    }),
  )
  return Object.values(schema(defs as never) as Record<string, AnyModel>)
}

/** One step: what to do (`op`) and the choices it needs, read against the state it meets. */
const stepArb = fc.record({ op: fc.nat(7), a: fc.nat(1000), b: fc.nat(1000) })
type Step = { readonly op: number; readonly a: number; readonly b: number }

const KINDS: ReadonlyArray<Kind> = ['int', 'bigint', 'char', 'text']

/** The next state and the renames it makes. */
const apply = (
  s: State,
  step: Step,
  fresh: () => string,
): { readonly next: State; readonly renames: ReadonlyArray<Rename> } => {
  const tables = Object.keys(s)
  const table = tables[step.a % tables.length]
  const t = s[table]
  const cols = Object.keys(t.cols)
  const col = cols.length ? cols[step.b % cols.length] : undefined
  const put = (tt: Table): State => ({ ...s, [table]: tt })
  switch (step.op) {
    case 0:
      return {
        next: put({ ...t, cols: { ...t.cols, [fresh()]: { kind: KINDS[step.b % 4], maxLength: 10 + (step.b % 20) } } }),
        renames: [],
      }
    case 1: {
      if (!col) break
      const { [col]: _gone, ...rest } = t.cols
      void _gone
      return { next: put({ ...t, cols: rest }), renames: [] }
    }
    case 2: {
      if (!col) break
      const to = fresh()
      const { [col]: c, ...rest } = t.cols
      return { next: put({ ...t, cols: { ...rest, [to]: c } }), renames: [{ table, from: col, to }] }
    }
    case 3: {
      if (!col) break
      const c = t.cols[col]
      const wider: Col | undefined =
        c.kind === 'char'
          ? { ...c, maxLength: c.maxLength + 5 }
          : c.kind === 'int'
            ? { ...c, kind: 'bigint' }
            : undefined
      if (!wider) break
      return { next: put({ ...t, cols: { ...t.cols, [col]: wider } }), renames: [] }
    }
    case 4:
      if (tables.length >= 4) break
      return { next: { ...s, [fresh()]: { cols: {} } }, renames: [] }
    case 5: {
      if (tables.length <= 1 || tables.some((o) => s[o].fk === table)) break
      const { [table]: _gone, ...rest } = s
      void _gone
      return { next: rest, renames: [] }
    }
    default: {
      if (t.fk) return { next: put({ cols: t.cols }), renames: [] }
      const others = tables.filter((o) => o !== table)
      if (!others.length) break
      return { next: put({ ...t, fk: others[step.b % others.length] }), renames: [] }
    }
  }
  // a step that does not apply to the state it meets adds a column instead
  return apply(s, { ...step, op: 0 }, fresh)
}

const right = <A>(r: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** Adds a row with a value in every column to each table, then reads every table back and compares it with `rows`. */
const writeAndRead = async (
  db: Db,
  models: ReadonlyArray<AnyModel>,
  s: State,
  i: number,
  rows: Map<string, Array<Record<string, string>>>,
): Promise<void> => {
  for (const m of models) {
    const cols = s[m.table].cols
    const row: Record<string, unknown> = { label: `s${i}` }
    for (const [c, col] of Object.entries(cols))
      row[c] =
        col.kind === 'int'
          ? i
          : col.kind === 'bigint'
            ? BigInt(i) * 1000000000n
            : col.kind === 'char'
              ? `v${i}`
              : `text ${i}`
    await runPromise(db)(create(m as never, row as never))
    rows.set(m.table, [
      ...(rows.get(m.table) ?? []),
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v as string)])),
    ])
    const stored = (await runPromise(db)(
      pipe(query(m as never), orderBy('id' as never), values(...(['label', ...Object.keys(cols)] as never[]))),
    )) as ReadonlyArray<Record<string, unknown>>
    const text = stored.map((r) =>
      Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (v === null ? [] : [[k, String(v as string)]]))),
    )
    expect({ step: i, table: m.table, rows: text }).toEqual({ step: i, table: m.table, rows: rows.get(m.table) })
  }
}

for (const dialect of DIALECTS) {
  describe(`random evolutions [${dialect}]`, () => {
    let iso: IsolatedDatabase
    let db: Db
    let dir: string
    let url: string
    let run = 0

    beforeAll(async () => {
      iso = await createIsolated(dialect, 'evolve')
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-evolve-'))
      // a file on SQLite, so that a second connection sees the same database
      url = dialect === 'sqlite' ? `sqlite://${dir}/evolve.sqlite3` : iso.url
      db = connect(url)
    })
    afterAll(async () => {
      await db?.executor.close()
      await iso?.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it(`keeps the live schema equal to the models and every row, ${STEPS} steps, and downgrades to the start`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: STEPS, maxLength: STEPS }), async (steps) => {
          run++
          let n = 0
          const fresh = (): string => `r${run}_${++n}`
          const start: State = { [fresh()]: { cols: { [fresh()]: { kind: 'char', maxLength: 12 } } } }
          const target = (s: State): MigrationTarget => ({
            db,
            app: `evolve${run}`,
            models: modelsOf(s),
            location: dir,
          })
          right(await initDb(target(start))())
          /** Each table's rows as they should be stored: every value as text. */
          const rows = new Map<string, Array<Record<string, string>>>()
          const everyTable = new Set(Object.keys(start))
          let s = start
          let migrations = 0
          for (const [i, step] of steps.entries()) {
            const { next, renames } = apply(s, step, fresh)
            if (process.env.TERRAPIN_EVOLUTION_DEBUG)
              console.log(i, JSON.stringify(step), JSON.stringify(next), JSON.stringify(renames))
            s = next
            // renamed columns keep their values, dropped ones lose them, dropped tables their rows
            for (const r of renames)
              for (const row of rows.get(r.table!) ?? []) {
                if (r.from in row) row[r.to] = row[r.from]
                delete row[r.from]
              }
            for (const [t, list] of rows)
              if (!(t in s)) rows.delete(t)
              else
                for (const row of list)
                  for (const k of Object.keys(row)) if (k !== 'label' && !(k in s[t].cols)) delete row[k]
            Object.keys(s).forEach((t) => everyTable.add(t))
            const made = right(await makeMigration(target(s), { renames, ask: () => Promise.resolve(false) })())
            // every step changes the models: each is one migration
            expect({ step: i, made: 'file' in made }).toEqual({ step: i, made: true })
            migrations += right(await upgrade(target(s), { force: true })()).applied.length
            const models = modelsOf(s)
            const live = await introspect(db, { tables: Object.keys(s) })
            expect({ step: i, differences: schemaDifferences(db.executor.dialect, modelState(models), live) }).toEqual({
              step: i,
              differences: [],
            })
            // rows through a connection opened after the migration, as an application restarted
            // on the new schema: a statement postgres.js prepared before a column's type changed
            // keeps the old parameter type on the connections that prepared it
            const data = connect(url)
            try {
              await writeAndRead(data, models, s, i, rows)
            } finally {
              await data.executor.close()
            }
          }
          expect(migrations).toBe(STEPS)
          // the rows go first: a widened column's values need not fit the narrower one again
          for (const t of Object.keys(s)) await db.executor.run(`DELETE FROM ${db.executor.dialect.quote(t)}`, [])
          right(await downgrade(target(s), { version: 1, force: true })())
          const back = await introspect(db, { tables: [...everyTable] })
          expect(schemaDifferences(db.executor.dialect, modelState(modelsOf(start)), back)).toEqual([])
        }),
        {
          numRuns: 1,
          endOnFailure: true,
          ...(process.env.TERRAPIN_EVOLUTION_SEED ? { seed: Number(process.env.TERRAPIN_EVOLUTION_SEED) } : {}),
        },
      )
    })
  })
}
