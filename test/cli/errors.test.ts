/**
 * The `terrapin` command's failures, run as a subprocess: each is exit code 1 (failed) or 2 (bad
 * usage) and one line on stderr that says what to do; the stack trace only with --verbose.
 */
import { Project, Result, configModule, makeProject } from './project'

const MODELS = [
  `import { fields, model } from 'terrapin'`,
  `export const Author = model('Author', { fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 50 }) } })`,
  ``,
].join('\n')

/** Exit code `code` and exactly one line on stderr matching `line`. */
const oneLine = (r: Result, code: number, line: RegExp): void => {
  const lines = r.stderr.trimEnd().split('\n')
  expect({ code: r.code, lines }).toEqual({ code, lines: [expect.stringMatching(line)] })
}

let p: Project

beforeAll(() => {
  p = makeProject('errors')
  p.write('models.ts', MODELS)
})
afterAll(() => p.remove())

describe('terrapin, run as a command', () => {
  it('--help lists the commands (exit 0); a command takes --help; bad usage is exit 2', async () => {
    const help = await p.terrapin('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^ {2}upgrade +apply the pending migrations/m)
    const sub = await p.terrapin('downgrade', '--help')
    expect(sub.code).toBe(0)
    expect(sub.stdout).toMatch(/^usage: terrapin downgrade/)
    expect(sub.stdout).toMatch(/-v, --version VERSION/)
    oneLine(
      await p.terrapin('upgrade', '--bogus'),
      2,
      /^terrapin: unknown option --bogus for terrapin upgrade \(see terrapin upgrade --help\)$/,
    )
  })

  it('missing config: says to run init or pass -t', async () => {
    oneLine(
      await p.terrapin('upgrade'),
      1,
      /^terrapin: no config: run terrapin init -t <module> to record it in package.json, or pass -t <module>$/,
    )
  })

  it('a config module that does not exist', async () => {
    oneLine(
      await p.terrapin('init', '-t', './nope.ts'),
      1,
      /^terrapin: config module \.\/nope\.ts not found: pass -t <module> with the path of the module/,
    )
  })

  it('invalid config: a module without { connections, apps }, a module that throws, an app without models', async () => {
    p.write('empty.ts', 'export const unrelated = 1\n')
    oneLine(
      await p.terrapin('heads', '-t', './empty.ts'),
      1,
      /^terrapin: invalid config in \.\/empty\.ts: the config has no connections \(it needs \{ connections/,
    )
    p.write('broken.ts', `import './models'\nthrow new Error('boom')\n`)
    oneLine(
      await p.terrapin('heads', '-t', './broken.ts'),
      1,
      /^terrapin: cannot load the config module \.\/broken\.ts: boom$/,
    )
    p.write(
      'nomodels.ts',
      `export default { connections: { default: 'sqlite://x.db' }, apps: { models: { models: [] } } }\n`,
    )
    oneLine(
      await p.terrapin('heads', '-t', './nomodels.ts'),
      1,
      /^terrapin: invalid config in \.\/nomodels\.ts: apps\.models\.models holds no models/,
    )
  })

  it('a bad database URL', async () => {
    p.write('badurl.ts', configModule('nosuch://somewhere/db'))
    oneLine(
      await p.terrapin('heads', '-t', './badurl.ts'),
      1,
      /^terrapin: config \.\/badurl\.ts: not a database URL: nosuch:\/\/somewhere\/db \(use sqlite:\/\/path, postgres:\/\/… or mysql:\/\/…\)/,
    )
  })

  it('an unreachable database (PostgreSQL and MariaDB on a closed port): one line, the password hidden; the stack with --verbose; upgrade --json reports it too', async () => {
    p.write('pgdown.ts', configModule('postgres://root:secret@127.0.0.1:1/nowhere'))
    const pg = await p.terrapin('upgrade', '-t', './pgdown.ts', '--json')
    expect(JSON.parse(pg.stdout)).toEqual({
      ok: false,
      dryRun: false,
      apps: [],
      error: { message: pg.stderr.trim().replace(/^terrapin: /, '') },
    })
    oneLine(
      pg,
      1,
      /^terrapin: app models: cannot reach the database postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED.* \(check that the server runs and the URL in \.\/pgdown\.ts\)$/,
    )
    p.write('mydown.ts', configModule('mysql://root@127.0.0.1:1/nowhere'))
    const my = await p.terrapin('history', '-t', './mydown.ts', '--verbose')
    expect(my.code).toBe(1)
    const [first, ...more] = my.stderr.trimEnd().split('\n')
    expect(first).toMatch(
      /^terrapin: app models: cannot reach the database mysql:\/\/root@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    )
    expect(more.join('\n')).toMatch(/ConnectionError/)
    expect(my.stderr).not.toContain('secret')
  })

  it('init: needs a package.json; records the config under "terrapin"; every command then finds it', async () => {
    const bare = makeProject('bare')
    try {
      bare.write('models.ts', MODELS)
      bare.write('db.ts', configModule('sqlite://db.sqlite3'))
      bare.write('package.json', '{ "name": "x", "version": "1.0.0" }\n')
      const ok = await bare.terrapin('init', '-t', './db.ts', '--location', './db/migrations')
      expect(ok).toMatchObject({ code: 0, stderr: '' })
      expect(ok.stdout).toContain('"terrapin": { "config": "./db.ts", "location": "./db/migrations" }')
      expect(JSON.parse(bare.read('package.json'))).toEqual({
        name: 'x',
        version: '1.0.0',
        terrapin: { config: './db.ts', location: './db/migrations' },
      })
      expect(bare.files('db')).toEqual(['migrations'])
      // An unknown --app is bad usage, and proves the recorded config was read.
      oneLine(await bare.terrapin('heads', '--app', 'other'), 2, /^terrapin: unknown app other: the config has models$/)
      bare.write('package.json', '{ "name": "x", "terrapin": 3 }\n')
      oneLine(
        await bare.terrapin('heads'),
        1,
        /^terrapin: "terrapin" in package\.json must be an object: run terrapin init -t <module> again$/,
      )
    } finally {
      bare.remove()
    }
  })
})
