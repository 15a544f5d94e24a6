/**
 * Test harness for the `terrapin` command: a throw-away project folder (package.json, a config
 * module, model files) in which the command runs as a subprocess, as a user runs it — through
 * tsx's CommonJS hook, its stdin a pipe (not a terminal).
 *
 * The project imports `terrapin` from its own node_modules, a shim that re-exports this
 * worktree's src/, so config, model and migration files read as in a real project.
 */
import { execFile } from 'child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { dirname, join, resolve } from 'path'

const ROOT = resolve(__dirname, '..', '..')
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const TSX = require.resolve('tsx/cjs')

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface Project {
  readonly dir: string
  /** Writes a file of the project (folders made as needed). */
  readonly write: (path: string, text: string) => void
  readonly read: (path: string) => string
  /** The files of a folder of the project, sorted; none when it does not exist. */
  readonly files: (path: string) => ReadonlyArray<string>
  /** Runs `terrapin …args` in the project folder. */
  readonly terrapin: (...args: ReadonlyArray<string>) => Promise<Result>
  /** Runs it with a terminal on stdin (util-linux `script`), typing `input`. */
  readonly terrapinTty: (input: string, ...args: ReadonlyArray<string>) => Promise<Result>
  readonly remove: () => void
}

/** A new project folder with a package.json and the `terrapin` shim. */
export const makeProject = (label: string): Project => {
  const dir = mkdtempSync(join(tmpdir(), `terrapin-cli-${label}-`))
  const write = (path: string, text: string): void => {
    const abs = join(dir, path)
    mkdirSync(dirname(abs), { recursive: true })
    writeFileSync(abs, text)
  }
  write('package.json', JSON.stringify({ name: `cli-test-${label}`, private: true }, null, 2) + '\n')
  write('node_modules/terrapin/package.json', JSON.stringify({ name: 'terrapin', main: 'index.ts' }))
  write('node_modules/terrapin/index.ts', `export * from ${JSON.stringify(join(ROOT, 'src', 'index'))}\n`)
  return {
    dir,
    write,
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    files: (path) => {
      try {
        return readdirSync(join(dir, path)).sort()
      } catch {
        return []
      }
    },
    terrapin: (...args) => spawn(dir, process.execPath, ['-r', TSX, MAIN, ...args]),
    terrapinTty: (input, ...args) =>
      spawn(
        dir,
        'script',
        ['-qec', [process.execPath, '-r', TSX, MAIN, ...args].map(quote).join(' '), '/dev/null'],
        input,
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

const spawn = (cwd: string, file: string, args: ReadonlyArray<string>, input = ''): Promise<Result> =>
  new Promise((done) => {
    const child = execFile(
      file,
      args,
      { cwd, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    )
    child.stdin?.end(input)
  })

/** A config module for `url` whose app `models` lists the models exported by `./models.ts`. */
export const configModule = (url: string): string =>
  [
    `import * as models from './models'`,
    ``,
    `export default {`,
    `  connections: { default: ${JSON.stringify(url)} },`,
    `  apps: { models: { models, defaultConnection: 'default' } },`,
    `}`,
    ``,
  ].join('\n')
