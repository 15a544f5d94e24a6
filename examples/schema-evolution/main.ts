/**
 * A schema evolving through migrations, with rows in it all along: the migrate API (what the
 * `terrapin` CLI runs) creates the tables, writes a migration after each change of the models,
 * applies it, and reverts it. Run it from the repository's root:
 *
 *   npx tsx examples/schema-evolution/main.ts
 *
 * It works in a temporary folder (the SQLite file and the migrations written there), removed at
 * the end; pass a folder to keep them: `npx tsx examples/schema-evolution/main.ts ./evolution`.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  AnyModel,
  MigrationFailure,
  MigrationTarget,
  bulkCreate,
  close,
  connect,
  create,
  downgrade,
  history,
  initDb,
  makeMigration,
  orderBy,
  query,
  runPromise,
  update,
  upgrade,
  values,
  where,
} from 'terrapin'
import { v1, v2, v3 } from './models'

/** What the run found, for the test that runs it. */
export interface Summary {
  readonly files: ReadonlyArray<string>
  readonly history: ReadonlyArray<string>
  readonly refusals: ReadonlyArray<string>
  readonly final: ReadonlyArray<unknown>
}

/** The Right of a migration command, or a thrown Error with its message. */
const done = async <A>(te: TE.TaskEither<MigrationFailure, A>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(`${r.left._tag}: ${r.left.message}`)
  return r.right
}

/** The Left of a migration command that must refuse: its reason and message. */
const refused = async <A>(te: TE.TaskEither<MigrationFailure, A>): Promise<string> => {
  const r = await te()
  if (E.isRight(r)) throw new Error('expected a refusal')
  return r.left._tag === 'MigrationError' ? `${r.left.reason}: ${r.left.message}` : r.left.message
}

export const main = async (
  folder?: string,
  log: (line: string) => void = (line) => console.log(line),
): Promise<Summary> => {
  const dir = folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-evolution-'))
  fs.mkdirSync(dir, { recursive: true })
  const db = connect(`sqlite://${path.join(dir, 'library.sqlite3')}`)
  const exec = runPromise(db)
  const location = path.join(dir, 'migrations')
  // A migration target: the app's models (of one version), its database and its folder.
  const target = (models: Record<string, AnyModel>): MigrationTarget => ({
    db,
    app: 'models',
    models: Object.values(models),
    location,
  })
  const show = (label: string, rows: ReadonlyArray<unknown>) => log(`${label}: ${JSON.stringify(rows)}`)
  const refusals: string[] = []
  try {
    // Version 1: `terrapin init-db` creates the tables and writes migration 0, recorded as applied.
    const init = await done(initDb(target(v1)))
    log(`init-db wrote ${path.basename(init.file)}`)
    const [herbert, leguin] = await exec(
      bulkCreate(v1.Author, [{ name: 'Frank Herbert' }, { name: 'Ursula K. Le Guin' }]),
    )
    await exec(
      bulkCreate(v1.Book, [
        { title: 'Dune', authorId: herbert.id },
        { title: 'The Dispossessed', authorId: leguin.id },
      ]),
    )
    show('v1 books', await exec(pipe(query(v1.Book), orderBy('id'), values('id', 'title'))))

    // Version 2 adds two columns. `terrapin migrate --name add_rating`, then `terrapin upgrade`:
    // the rows already there get the default.
    const m1 = await done(makeMigration(target(v2), { name: 'add_rating' }))
    log(`migrate wrote ${'file' in m1 ? path.basename(m1.file) : 'nothing'}`)
    await upgradeAll(target(v2), log)
    await exec(pipe(query(v2.Book), where({ title: 'Dune' }), update({ rating: 4.8, pages: 412 })))
    await exec(create(v2.Book, { title: 'A Wizard of Earthsea', rating: 4.4, authorId: leguin.id }))
    show('v2 books', await exec(pipe(query(v2.Book), orderBy('id'), values('id', 'title', 'rating', 'pages'))))

    // Version 3 renames a column. Dropped `title` and added `name` could be a rename or two
    // changes; terrapin never guesses (the CLI asks, or takes --rename book.title:name).
    refusals.push(await refused(makeMigration(target(v3), { name: 'rename_title' })))
    log(`migrate without --rename: ${refusals[0]}`)
    const rename = { table: 'book', from: 'title', to: 'name' }
    const m2 = await done(makeMigration(target(v3), { name: 'rename_title', renames: [rename] }))
    log(`migrate --rename book.title:name wrote ${'file' in m2 ? path.basename(m2.file) : 'nothing'}`)
    await upgradeAll(target(v3), log)
    show('v3 books', await exec(pipe(query(v3.Book), orderBy('id'), values('id', 'name', 'rating', 'pages'))))

    const applied = (await done(history(target(v3)))).map((h) => `${h.version} ${h.name}`)
    log(`history: ${applied.join(', ')}`)

    // `terrapin downgrade` reverts the last migration: the column is called title again, values kept.
    const back = await done(downgrade(target(v2)))
    log(`downgrade reverted ${back.reverted.map((m) => `${m.version} ${m.name}`).join(', ')}`)
    show('v2 books again', await exec(pipe(query(v2.Book), orderBy('id'), values('id', 'title', 'rating'))))

    // Reverting migration 1 would drop rating and pages, which hold values: refused without force.
    refusals.push(await refused(downgrade(target(v1), { version: 1 })))
    log(`downgrade -v 1: ${refusals[1]}`)
    const forced = await done(downgrade(target(v1), { version: 1, force: true }))
    log(`downgrade -v 1 --force reverted ${forced.reverted.map((m) => `${m.version} ${m.name}`).join(', ')}`)
    show('v1 books again', await exec(pipe(query(v1.Book), orderBy('id'), values('id', 'title'))))

    // `terrapin upgrade` applies both again; the dropped values are gone, the defaults back.
    await upgradeAll(target(v3), log)
    const final = await exec(pipe(query(v3.Book), orderBy('id'), values('id', 'name', 'rating', 'pages')))
    show('v3 books at the end', final)
    const files = fs.readdirSync(path.join(location, 'models')).sort()
    return { files, history: applied, refusals, final }
  } finally {
    await close(db)
    if (folder === undefined) fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** `terrapin upgrade`: applies the pending migrations, printing each statement. */
const upgradeAll = async (t: MigrationTarget, log: (line: string) => void): Promise<void> => {
  const r = await done(
    upgrade(t, { onProgress: (e) => e.kind === 'statement' && e.sql !== undefined && log(`  ${e.sql}`) }),
  )
  log(`upgrade applied ${r.applied.map((m) => `${m.version} ${m.name} (${m.statements} statements)`).join(', ')}`)
}

if (require.main === module)
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
