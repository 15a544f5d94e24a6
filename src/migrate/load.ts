/**
 * Loading TypeScript (or JavaScript) modules at run time without a build step: migration files
 * and the CLI's config files. tsx's CommonJS hook (`tsx/cjs/api`'s `register`) compiles each .ts
 * file with esbuild as Node requires it, including the model files a config imports.
 */
import Module from 'module'
import * as path from 'path'

let registered = false

interface NodeModule {
  filename: string
  paths: string[]
  exports: Record<string, unknown>
}

interface ModuleInternals {
  new (id: string, parent?: unknown): NodeModule
  readonly _extensions: Record<string, (m: NodeModule, file: string) => void>
  readonly _nodeModulePaths: (dir: string) => string[]
}

/**
 * The module at `file` (absolute or relative to the working directory), read and compiled
 * afresh on each call (a migration file edited since it was last loaded is read again; the
 * modules it imports are Node's, cached as usual). Throws what the module throws.
 */
export const loadModule = (file: string): Record<string, unknown> => {
  const abs = path.resolve(file)
  if (!registered) {
    // tsx's typings for the subpath need moduleResolution node16; the function is all we use
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ;(require('tsx/cjs/api') as { register: () => unknown }).register()
    registered = true
  }
  // Node's own module system (also under jest, whose registry would bypass the hook), without
  // its cache for the file itself.
  const M = Module as unknown as ModuleInternals
  const m = new M(abs)
  m.filename = abs
  m.paths = M._nodeModulePaths(path.dirname(abs))
  const ext = M._extensions[path.extname(abs)] ?? M._extensions['.js']
  ext(m, abs)
  return m.exports
}
