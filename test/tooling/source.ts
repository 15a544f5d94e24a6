/**
 * Reading src/ as a newcomer's reviewer would: every TypeScript file under src/, parsed once, for
 * the structural checks in this folder (function length, import cycles, dialect-name branches).
 */
import { readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'
import * as ts from 'typescript'

export const ROOT = join(__dirname, '..', '..')
export const SRC = join(ROOT, 'src')

/** Every .ts file under `dir`, as paths relative to the repository root, sorted. */
export const sourceFiles = (dir: string = SRC): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? sourceFiles(join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [relative(ROOT, join(dir, e.name))]
          : [],
    )
    .sort()

/** A file parsed (no type checking: these checks are about the text's structure). */
export const parse = (file: string): ts.SourceFile =>
  ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true)

/** Every node of a tree, depth first. */
export const walk = (node: ts.Node, visit: (n: ts.Node) => void): void => {
  visit(node)
  node.forEachChild((c) => walk(c, visit))
}
