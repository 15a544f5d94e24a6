/**
 * `npm run build`: the package's two builds, from a clean `dist/`.
 *
 * - CommonJS: `tsc -p tsconfig.build.json`, one file per module in `dist/` with its `.d.ts`
 *   (what `require('terrapin')`, the `terrapin` command and the benchmarks load).
 * - ESM: one esbuild bundle per entry of package.json's `exports`, in `dist/esm/` as `.mjs`
 *   (code two entries share goes into one chunk, so they share its module state), and a `.d.mts`
 *   that re-exports the CommonJS declarations: one set of types for both builds.
 *
 * The ESM bundle imports Node's builtins (`async_hooks`, `fs`, …) with `import`, so that an
 * application bundled as ESM starts. What the source loads with `require` at run time — the
 * optional drivers, only when a database of their kind is opened, and tsx's loader — goes
 * through a `require` made by `createRequire(import.meta.url)`: it resolves from the installed
 * package, as in the CommonJS build. fp-ts is imported by file (`fp-ts/lib/Either.js`): its
 * folder entry points (`fp-ts/Either`) do not resolve in Node's ESM loader.
 *
 * An entry of `exports` is written as
 *   "./sub": { "import": { "types": "./dist/esm/<p>.d.mts", "default": "./dist/esm/<p>.mjs" },
 *              "require": { "types": "./dist/<p>.d.ts", "default": "./dist/<p>.js" } }
 * for the source file `src/<p>.ts`; anything else is refused here.
 */
import { execFileSync } from 'child_process'
import { Plugin, build } from 'esbuild'
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '..')
const DIST = path.join(ROOT, 'dist')
const ESM = path.join(DIST, 'esm')

interface Conditions {
  readonly types: string
  readonly default: string
}
type ExportEntry = string | { readonly import?: Conditions; readonly require?: Conditions }

/** The module paths (`index`, `integrations/fastify`) of the code entries of `exports`. */
export const entriesOf = (exportsMap: Record<string, ExportEntry>): string[] =>
  Object.entries(exportsMap).flatMap(([subpath, entry]) => {
    if (typeof entry === 'string') return [] // a file as it is, like ./package.json
    const p = /^\.\/dist\/(.+)\.js$/.exec(entry.require?.default ?? '')?.[1]
    const expected = p && {
      import: { types: `./dist/esm/${p}.d.mts`, default: `./dist/esm/${p}.mjs` },
      require: { types: `./dist/${p}.d.ts`, default: `./dist/${p}.js` },
    }
    if (!expected || JSON.stringify(entry) !== JSON.stringify(expected))
      throw new Error(`exports["${subpath}"] is not of the form this build makes: ${JSON.stringify(expected ?? entry)}`)
    return [p]
  })

/** Imports of fp-ts by folder (`fp-ts/Either`) become imports by file (`fp-ts/lib/Either.js`); packages stay external. */
const externals: Plugin = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^fp-ts\/[A-Za-z]+$/ }, (a) => ({
      path: `fp-ts/lib/${a.path.slice('fp-ts/'.length)}.js`,
      external: true,
    }))
    b.onResolve({ filter: /^[^./]/ }, (a) => ({ path: a.path, external: true }))
  },
}

const BANNER = [
  "import { createRequire as __terrapinCreateRequire } from 'module';",
  'const require = __terrapinCreateRequire(import.meta.url);',
].join('\n')

const main = async (): Promise<void> => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, ExportEntry>
  }
  const entries = entriesOf(pkg.exports)
  fs.rmSync(DIST, { recursive: true, force: true })
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  await build({
    entryPoints: Object.fromEntries(entries.map((p) => [p, path.join(ROOT, 'src', `${p}.ts`)])),
    outdir: ESM,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: BANNER },
    plugins: [externals],
    logLevel: 'warning',
  })
  for (const p of entries) {
    const file = path.join(ESM, `${p}.d.mts`)
    const target = path
      .relative(path.dirname(file), path.join(DIST, `${p}.js`))
      .split(path.sep)
      .join('/')
    fs.writeFileSync(file, `export * from '${target.startsWith('.') ? target : `./${target}`}'\n`)
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
