/**
 * The transaction law: a random program of a few inserts into a table with a unique column, some
 * of which collide (a unique violation half-way), some wrapped in a nested transaction (a
 * savepoint), each failure caught and the program going on, ending with Right or its own Left,
 * gives on every dialect the result tags and final table contents the reference model gives:
 * a failure outside a savepoint poisons the transaction (later statements refused unsent, the
 * whole rolled back at the end), one inside a savepoint rolls back only that savepoint.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { Db, bulkCreate, create, fields, model, orderBy, query, run, schema, transaction, valuesFlat } from 'terrapin'
import { forEachDialect } from '../test/support/dialects'
import { SEED, params, timeout } from './support/config'

const RUNS = 30

const { Mark } = schema({
  Mark: model('Mark', {
    table: 'law_tx_mark',
    fields: { id: fields.int({ pk: true }), label: fields.char({ maxLength: 4, unique: true }) },
  }),
})

/** An insert on the transaction, or a savepoint of one or more inserts. */
type Step =
  | { readonly kind: 'insert'; readonly label: string }
  | { readonly kind: 'savepoint'; readonly labels: ReadonlyArray<string> }

interface Program {
  readonly seeded: ReadonlyArray<string>
  readonly steps: ReadonlyArray<Step>
  /** The program ends with its own Left instead of Right. */
  readonly endsLeft: boolean
}

/** What a run shows: each statement's tag ('ok' or the error's), each savepoint's, the result's, and the rows. */
interface Outcome {
  readonly tags: ReadonlyArray<string>
  readonly result: string
  readonly rows: ReadonlyArray<string>
}

const label = fc.constantFrom('a', 'b', 'c', 'd')
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  label.map((l): Step => ({ kind: 'insert', label: l })),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels): Step => ({ kind: 'savepoint', labels })),
)
const programArb: fc.Arbitrary<Program> = fc.record({
  seeded: fc.uniqueArray(label, { maxLength: 2 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }),
  endsLeft: fc.boolean(),
})

/** The reference: the README's transaction semantics on a set of labels. */
const reference = (p: Program): Outcome => {
  const tags: string[] = []
  let rows = new Set(p.seeded)
  let poisoned = false
  const insert =
    (into: Set<string>): ((l: string) => boolean) =>
    (l) => {
      if (into.has(l)) return (tags.push('IntegrityError'), false)
      into.add(l)
      tags.push('ok')
      return true
    }
  for (const s of p.steps) {
    if (poisoned) {
      tags.push('TransactionError') // refused, for a savepoint or a statement alike
      continue
    }
    if (s.kind === 'insert') {
      if (!insert(rows)(s.label)) poisoned = true
      continue
    }
    const inner = new Set(rows)
    let failed = false
    for (const l of s.labels) {
      if (failed) tags.push('TransactionError')
      else if (!insert(inner)(l)) failed = true
    }
    tags.push(failed ? 'TransactionError' : 'ok')
    if (!failed) rows = inner
  }
  const result = p.endsLeft ? 'Left' : poisoned ? 'TransactionError' : 'Right'
  return { tags, result, rows: [...(result === 'Right' ? rows : new Set(p.seeded))].sort() }
}

/** Each statement's Left caught and recorded, the program going on. */
const attempt = (tags: string[], te: TE.TaskEither<{ readonly _tag: string }, unknown>): TE.TaskEither<never, void> =>
  TE.fromTask(async () => {
    const r = await te()
    tags.push(E.isLeft(r) ? r.left._tag : 'ok')
  })

const runProgram = async (db: Db, p: Program): Promise<Outcome> => {
  if (p.seeded.length > 0) {
    const seeded = await pipe(
      bulkCreate(
        Mark,
        p.seeded.map((l) => ({ label: l })),
      ),
      run(db),
    )()
    if (E.isLeft(seeded)) throw new Error(seeded.left.message)
  }
  const tags: string[] = []
  const r = await transaction(db, (tx) => {
    let program: TE.TaskEither<string, void> = TE.right(undefined)
    for (const s of p.steps) {
      const step =
        s.kind === 'insert'
          ? attempt(tags, pipe(create(Mark, { label: s.label }), run(tx)))
          : attempt(
              tags,
              transaction(tx, (sp) => {
                let inner: TE.TaskEither<never, void> = TE.right(undefined)
                for (const l of s.labels)
                  inner = pipe(
                    inner,
                    TE.chain(() => attempt(tags, pipe(create(Mark, { label: l }), run(sp)))),
                  )
                return inner
              }),
            )
      program = pipe(
        program,
        TE.chainW(() => step),
      )
    }
    return pipe(
      program,
      TE.chainW(() => (p.endsLeft ? TE.left('own Left') : TE.right(undefined))),
    )
  })()
  const rows = await pipe(query(Mark), orderBy('label'), valuesFlat('label'), run(db))()
  if (E.isLeft(rows)) throw new Error(rows.left.message)
  return { tags, result: E.isRight(r) ? 'Right' : typeof r.left === 'string' ? 'Left' : r.left._tag, rows: rows.right }
}

forEachDialect(`transactions that fail half-way (seed ${SEED})`, [Mark], (t) => {
  it(
    'agree with the reference: a failure poisons its transaction, or only the savepoint around it',
    async () => {
      await fc.assert(
        fc.asyncProperty(programArb, async (p) => {
          await t().reset()
          expect(await runProgram(t().db, p)).toEqual(reference(p))
        }),
        params(RUNS),
      )
    },
    timeout(RUNS, 500),
  )
})
