/**
 * The package as an application gets it: `npm pack` (which builds), the tarball's file list, and
 * the tarball installed into fresh projects in a temporary folder — plain ESM, CommonJS,
 * TypeScript with `module: nodenext` and with `moduleResolution: bundler`, and an ESM application
 * bundled by esbuild — each running a query on SQLite; the TypeScript ones are type-checked by
 * tsc first, with a line that must not compile (so types that resolved to `any` fail).
 *
 * Installing is what npm does with a tarball, without the network: the tarball is unpacked into
 * `node_modules/terrapin`, its bin linked into `node_modules/.bin`, and its dependencies and the
 * SQLite driver linked from this repository's `node_modules` (already built: npm would otherwise
 * fetch them and compile better-sqlite3 again). The projects sit side by side in one folder and
 * share that `node_modules`, as Node and tsc look for it in the folders above a project.
 */
import { execFile } from 'child_process'
import { build } from 'esbuild'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { promisify } from 'util'

const ROOT = path.resolve(__dirname, '..', '..')
const exec = promisify(execFile)
const TSC = require.resolve('typescript/bin/tsc')

interface PackedFile {
  readonly path: string
  readonly mode: number
}
interface Packed {
  readonly filename: string
  readonly files: ReadonlyArray<PackedFile>
}
interface Manifest {
  readonly main: string
  readonly module: string
  readonly types: string
  readonly bin: Record<string, string>
  readonly exports: Record<string, string | Record<string, Record<string, string>>>
  readonly sideEffects: boolean
}

let tmp = ''
let packed: Packed
let files: Set<string>

/** Runs a command; its stdout, or a failure that shows what it printed. */
const run = async (file: string, args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  try {
    const { stdout } = await exec(file, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 })
    return stdout
  } catch (e) {
    const { stdout, stderr, message } = e as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${message}\n--- stdout\n${stdout ?? ''}\n--- stderr\n${stderr ?? ''}`, { cause: e })
  }
}
const node = (args: ReadonlyArray<string>, cwd: string): Promise<string> => run(process.execPath, args, cwd)

const write = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true })
  fs.writeFileSync(path.join(tmp, file), text)
}

/** Where this repository's copy of a package is (its folder, not its main file). */
const installed = (name: string): string => path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }))

// The program each project runs, in its own module system. `IMPORT` is replaced by the import.
const PROGRAM = `IMPORT

const { Book } = schema({
  Book: model('Book', { fields: { id: fields.int({ pk: true }), title: fields.char({ maxLength: 100 }) } }),
})

const main = async () => {
  const db = connect('sqlite://:memory:')
  try {
    await generateSchemas(db, [Book])()
    await pipe(bulkCreate(Book, [{ title: 'Dune' }, { title: 'Emma' }]), runPromise(db))
    const titles = flow((rows: ReadonlyArray<{ title: string }>) => rows.map((r) => r.title))
    const rows = await pipe(query(Book), where({ title__contains: 'un' }), runPromise(db))
    console.log(JSON.stringify(titles(rows)))
  } finally {
    await close(db)
  }
}
void main()
`
const NAMES = 'bulkCreate, close, connect, fields, flow, generateSchemas, model, pipe, query, runPromise, schema, where'
const untyped = (text: string): string => text.replace(/: ReadonlyArray<\{ title: string \}>/, '')
const esm = (text: string): string => text.replace('IMPORT', `import { ${NAMES} } from 'terrapin'`)
const cjs = (text: string): string => text.replace('IMPORT', `const { ${NAMES} } = require('terrapin')`)

/** A line the compiler must refuse: with the package's types resolved, `nope` is no field of Book. */
const REFUSED = `
// @ts-expect-error Book has no field 'nope'
export const refused = pipe(query(Book), where({ nope: 1 }))
`
const OUTPUT = '["Dune"]\n'

const TS_STRICT = { strict: true, skipLibCheck: true, target: 'ES2022', types: ['node'] }

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-package-'))
  const out = await run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT)
  packed = (JSON.parse(out) as Packed[])[0]
  files = new Set(packed.files.map((f) => f.path))

  // what npm install does with the tarball, and the dependencies linked
  const pkg = path.join(tmp, 'node_modules', 'terrapin')
  fs.mkdirSync(pkg, { recursive: true })
  await run('tar', ['-xzf', path.join(tmp, packed.filename), '-C', pkg, '--strip-components=1'], tmp)
  for (const name of ['fp-ts', 'io-ts', 'tsx', 'better-sqlite3', '@types/node']) {
    fs.mkdirSync(path.dirname(path.join(tmp, 'node_modules', name)), { recursive: true })
    fs.symlinkSync(installed(name), path.join(tmp, 'node_modules', name), 'dir')
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as Manifest
  fs.mkdirSync(path.join(tmp, 'node_modules', '.bin'))
  for (const [name, file] of Object.entries(manifest.bin)) {
    fs.chmodSync(path.join(pkg, file), 0o755)
    fs.symlinkSync(path.join('..', 'terrapin', file), path.join(tmp, 'node_modules', '.bin', name))
  }
}, 180_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('the tarball', () => {
  test('holds the two builds, their declarations, the bin, README and LICENSE, and nothing of the tests or sources', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest
    const targets = Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'string' ? [e] : Object.values(e).flatMap((c) => Object.values(c)),
    )
    const wanted = [manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin), ...targets]
    for (const f of [...wanted.map((w) => w.replace(/^\.\//, '')), 'LICENSE', 'README.md', 'package.json'])
      expect(files).toContain(f)
    expect(files).toContain('dist/esm/index.mjs')
    expect(files).toContain('dist/esm/index.d.mts')
    expect(manifest.sideEffects).toBe(false)
    for (const f of files) {
      expect(f).toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE$)/)
      expect(f).not.toMatch(/(^|\/)(test|tests|__tests__|laws|bench|demo)\/|\.test\.|\.types\./)
      // TypeScript only as declarations
      if (/\.[cm]?ts$/.test(f)) expect(f).toMatch(/\.d\.[cm]?ts$/)
    }
    expect(fs.readFileSync(path.join(tmp, 'node_modules', 'terrapin', 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 terrapin contributors\n/,
    )
  })

  test('has no source map, nor a sourceMappingURL, that points at a file it does not hold', () => {
    const pkg = path.join(tmp, 'node_modules', 'terrapin')
    for (const f of files) {
      if (f.endsWith('.map')) {
        const map = JSON.parse(fs.readFileSync(path.join(pkg, f), 'utf8')) as { sources: string[] }
        for (const s of map.sources) expect(files).toContain(path.posix.join(path.posix.dirname(f), s))
      }
      if (/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(f)) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(path.join(pkg, f), 'utf8'))?.[1]
        if (url !== undefined) expect(files).toContain(path.posix.join(path.posix.dirname(f), url))
      }
    }
  })
})

describe('installed into a fresh project', () => {
  test('plain ESM (Node loads dist/esm) runs a query', async () => {
    write('esm/package.json', '{ "type": "module" }\n')
    write('esm/main.js', esm(untyped(PROGRAM)))
    expect(await node(['main.js'], path.join(tmp, 'esm'))).toBe(OUTPUT)
  })

  test('CommonJS (Node loads dist/) runs a query', async () => {
    write('cjs/package.json', '{ "type": "commonjs" }\n')
    write('cjs/main.js', cjs(untyped(PROGRAM)))
    expect(await node(['main.js'], path.join(tmp, 'cjs'))).toBe(OUTPUT)
  })

  test('TypeScript, module nodenext: ESM and CommonJS files type-check and run', async () => {
    write('ts-nodenext/package.json', '{ "type": "module" }\n')
    write(
      'ts-nodenext/tsconfig.json',
      JSON.stringify({ compilerOptions: { ...TS_STRICT, module: 'nodenext', outDir: 'out' }, include: ['src'] }),
    )
    write('ts-nodenext/src/main.ts', esm(PROGRAM) + REFUSED)
    // a .cts file is CommonJS: its import is a require, typed by the require condition
    write('ts-nodenext/src/other.cts', esm(PROGRAM) + REFUSED)
    const dir = path.join(tmp, 'ts-nodenext')
    await node([TSC, '-p', '.'], dir)
    expect(await node(['out/main.js'], dir)).toBe(OUTPUT)
    expect(await node(['out/other.cjs'], dir)).toBe(OUTPUT)
  })

  test('TypeScript, moduleResolution bundler: type-checks, and the esbuild bundle runs', async () => {
    write('ts-bundler/package.json', '{ "type": "module" }\n')
    write(
      'ts-bundler/tsconfig.json',
      JSON.stringify({
        compilerOptions: { ...TS_STRICT, module: 'preserve', moduleResolution: 'bundler', noEmit: true },
        include: ['src'],
      }),
    )
    write('ts-bundler/src/main.ts', esm(PROGRAM) + REFUSED)
    const dir = path.join(tmp, 'ts-bundler')
    await node([TSC, '-p', '.'], dir)
    await bundle(dir, 'src/main.ts', 'out/main.mjs')
    expect(await node(['out/main.mjs'], dir)).toBe(OUTPUT)
  })

  test('exports lets in . and ./package.json only, from require and import alike', async () => {
    write(
      'subpaths/main.cjs',
      `const deep = (load) => { try { load(); return 'loaded' } catch (e) { return e.code } }
const out = [require('terrapin/package.json').name, deep(() => require('terrapin/dist/errors'))]
import('terrapin/dist/errors.js').then(() => 'loaded', (e) => e.code).then((code) => console.log(JSON.stringify([...out, code])))
`,
    )
    expect(JSON.parse(await node(['main.cjs'], path.join(tmp, 'subpaths')))).toEqual([
      'terrapin',
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
    ])
  })

  test('an application bundled by esbuild as ESM starts and runs a query', async () => {
    write('bundled/package.json', '{ "type": "module" }\n')
    write('bundled/main.js', esm(untyped(PROGRAM)))
    const dir = path.join(tmp, 'bundled')
    await bundle(dir, 'main.js', 'out/main.mjs')
    // the bundle holds terrapin itself, not an import of it
    expect(fs.readFileSync(path.join(dir, 'out/main.mjs'), 'utf8')).not.toMatch(/from ["']terrapin["']/)
    expect(await node(['out/main.mjs'], dir)).toBe(OUTPUT)
  })

  test('the terrapin command answers --help and --version', async () => {
    const bin = path.join(tmp, 'node_modules', '.bin', 'terrapin')
    expect(await run(bin, ['--help'], tmp)).toMatch(/^usage: terrapin /)
    expect((await run(bin, ['--version'], tmp)).trim()).toBe(
      (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    )
  })
})

describe('both builds loaded in one process (an ESM application with a CommonJS dependency on terrapin)', () => {
  // Two copies of every module: their caches are their own (a pure function of frozen keys, so
  // only warmed twice), a transaction's async context belongs to the runner that opened the
  // database, and the two things that must be one are: \`instanceof TerrapinFailure\`, and the
  // set of open handles that \`closeConnections()\` closes.
  test('models, plans, databases, transactions and failures of one copy work with the other', async () => {
    write('dual/package.json', '{ "type": "module" }\n')
    write(
      'dual/main.js',
      `import { createRequire } from 'module'
import * as esm from 'terrapin'
const cjs = createRequire(import.meta.url)('terrapin')
const out = { twoCopies: esm.query !== cjs.query }
const { Book } = esm.schema({
  Book: esm.model('Book', { fields: { id: esm.fields.int({ pk: true }), title: esm.fields.char({ maxLength: 100 }) } }),
})
const db = cjs.connect('sqlite://:memory:')
await esm.generateSchemas(db, [Book])()
await cjs.pipe(esm.create(Book, { title: 'Dune' }), cjs.runPromise(db))
out.transaction = await esm.transaction(db, (tx) => cjs.pipe(cjs.create(Book, { title: 'Emma' }), cjs.run(tx)))()
out.rows = await esm.pipe(cjs.query(Book), esm.orderBy('title'), cjs.valuesFlat('title'), esm.runPromise(db))
try {
  await esm.pipe(esm.query(Book), esm.where({ title: 'Ulysses' }), esm.get, cjs.runPromise(db))
} catch (e) {
  out.failure = [e instanceof esm.TerrapinFailure, e instanceof cjs.TerrapinFailure, e._tag]
}
out.notFailures = [new Error('x') instanceof esm.TerrapinFailure, null instanceof cjs.TerrapinFailure]
await esm.closeConnections()
const after = await cjs.pipe(cjs.query(Book), cjs.run(db))()
out.afterClose = after._tag === 'Left' ? after.left._tag : 'still open'
console.log(JSON.stringify(out))
`,
    )
    expect(JSON.parse(await node(['main.js'], path.join(tmp, 'dual')))).toEqual({
      twoCopies: true,
      transaction: { _tag: 'Right', right: { id: 2, title: 'Emma' } },
      rows: ['Dune', 'Emma'],
      failure: [true, true, 'DoesNotExist'],
      notFailures: [false, false],
      afterClose: 'ConnectionError',
    })
  })
})

/** esbuild as an application would call it: everything bundled, for Node, as ESM. */
const bundle = async (dir: string, entry: string, outfile: string): Promise<void> => {
  await build({
    absWorkingDir: dir,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  })
}
