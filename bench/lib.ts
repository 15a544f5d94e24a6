/**
 * terrapin as the benchmarks run it: the compiled package in `dist/` (what an application
 * installs and runs; `npm run bench` builds it first), as Kysely and Drizzle run from their
 * compiled packages. `--source` runs the TypeScript sources through tsx instead (every module
 * transformed on its own, which costs terrapin's many small modules a few per cent).
 */
import type * as Terrapin from '../src'

export const fromSource = process.argv.includes('--source')

// A runtime choice of module: `require` with the type of the sources it is built from.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- which module is known only at run time
export const terrapin = require(fromSource ? '../src' : '../dist') as typeof Terrapin
