/**
 * A migration test's world on one dialect: its own database (or schema), a connection to it and a
 * folder of migration files, made before the suite's tests and dropped after them.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { AnyModel, ConnectOptions, Db, connect } from 'terrapin'
import { MigrationTarget } from '../../src/migrate'
import { DialectName, IsolatedDatabase, createIsolated } from '../support/databases'

export interface MigrationWorld {
  readonly db: Db
  /** The folder the migration files go to. */
  readonly dir: string
  /** The models as a migration target (app `models`) on this world's database and folder. */
  readonly target: (models: Record<string, AnyModel>) => MigrationTarget
}

/**
 * Registers the world's set-up and tear-down in the enclosing `describe`; call the result inside
 * tests. `options` are the connection's (`{ pool: 1 }`: every statement on one connection).
 */
export const migrationWorld = (
  dialect: DialectName,
  label: string,
  options: ConnectOptions = {},
): (() => MigrationWorld) => {
  let iso: IsolatedDatabase | undefined
  let world: MigrationWorld | undefined
  beforeAll(async () => {
    iso = await createIsolated(dialect, label)
    const db = connect(iso.url, options)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `terrapin-${label}-`))
    world = {
      db,
      dir,
      target: (models) => ({ db, app: 'models', models: Object.values(models), location: dir }),
    }
  })
  afterAll(async () => {
    await world?.db.executor.close()
    await iso?.drop()
    if (world) fs.rmSync(world.dir, { recursive: true, force: true })
  })
  return () => {
    if (!world) throw new Error(`the ${label} world was not set up`)
    return world
  }
}
