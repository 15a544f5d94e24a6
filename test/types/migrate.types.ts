/**
 * Type tests of the migration API, checked by `tsc --noEmit`: a target's fields, the commands'
 * options and results, renames, and the shape of a migration file's exports.
 */
import * as TE from 'fp-ts/TaskEither'
import {
  CheckResult,
  Db,
  MigrationFailure,
  MigrationSteps,
  MigrationTarget,
  Rename,
  SchemaState,
  check,
  connect,
  downgrade,
  heads,
  history,
  initDb,
  introspect,
  makeMigration,
  upgrade,
} from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

const db: Db = connect('sqlite://:memory:')
const t: MigrationTarget = { db, app: 'models', models: [Book], location: './migrations' }

// @ts-expect-error a target names its app
const noApp: MigrationTarget = { db, models: [Book], location: './migrations' }
void noApp

const made = makeMigration(t, {
  name: 'add_rating',
  renames: [{ table: 'book', from: 'title', to: 'name' }],
  ask: () => Promise.resolve(false),
})
expectType<
  Equals<typeof made, TE.TaskEither<MigrationFailure, import('../../src/migrate').Made | { readonly noChanges: true }>>
>()
// @ts-expect-error ask answers with a promise
makeMigration(t, { ask: () => true })
// @ts-expect-error a rename names where it goes
const half: Rename = { table: 'book', from: 'title' }
void half

upgrade(t, { dryRun: true, onProgress: (e) => void (e.kind === 'statement' ? e.sql : e.ms) })
// @ts-expect-error no such option
upgrade(t, { dry: true })
downgrade(t, { version: 3, deleteFiles: true, force: true })
// @ts-expect-error versions are numbers
downgrade(t, { version: '3' })
void initDb(t)
void heads(t)

const reasons = async (): Promise<void> => {
  const r = await history(t)()
  if (r._tag === 'Left' && r.left._tag === 'MigrationError') {
    expectType<Equals<typeof r.left.reason extends string ? true : false, true>>()
    // @ts-expect-error reasons are a closed set
    const no: typeof r.left.reason = 'oops'
    void no
  }
  if (r._tag === 'Right') for (const h of r.right) expectType<Equals<typeof h.changed, boolean>>()
}
void reasons

// a migration file's steps: statements and data steps per dialect, or a function of the dialect
const steps: MigrationSteps = {
  sqlite: ['ALTER TABLE "book" ADD COLUMN "x" INTEGER', (tx) => Promise.resolve(void tx)],
}
const byDialect: MigrationSteps = (d) => (d === 'postgres' ? ['SELECT 1'] : [])
// @ts-expect-error steps are statements or functions
const bad: MigrationSteps = { sqlite: [42] }
// @ts-expect-error no such dialect
const other: MigrationSteps = { oracle: [] }
void steps
void byDialect
void bad
void other

// check and introspection
const checked = check(t)
expectType<Equals<typeof checked, TE.TaskEither<MigrationFailure, CheckResult>>>()
const checkLines = async (): Promise<ReadonlyArray<string>> => {
  const r = await checked()
  return r._tag === 'Right' ? [...r.right.missing, ...r.right.drift, ...r.right.pending.map((h) => h.name)] : []
}
void checkLines
// @ts-expect-error check takes no options
check(t, { force: true })
const live: Promise<SchemaState> = introspect(db, { tables: ['book'] })
void live
// @ts-expect-error tables are names
void introspect(db, { tables: 'book' })
