/**
 * The modules of `src/` import one another without a cycle: a cycle makes the order modules
 * load in matter (a value read before its module ran is undefined) and ties layers together.
 * Imports are read with the TypeScript compiler's parser (type-only imports included: a cycle
 * of types is a cycle of concepts too), relative ones resolved to files, and each group of files
 * that import one another in a cycle is reported.
 */
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'
import { ROOT, parse, sourceFiles, walk } from './source'

const SRC = path.join(ROOT, 'src')

/** The module specifiers a file imports or re-exports, and those of `import('…')` types. */
const specifiers = (file: string): string[] => {
  const out: string[] = []
  walk(parse(file), (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text)
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      out.push(node.argument.literal.text)
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      out.push(node.arguments[0].text)
  })
  return out
}

/** A relative specifier as the file it names (`./sql` → `sql.ts`, `./compile` → `compile/index.ts`). */
const resolve = (from: string, spec: string): string | undefined => {
  if (!spec.startsWith('.')) return undefined
  const base = path.resolve(path.dirname(from), spec)
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f))
}

/** The import graph of `src/`, file to the files it imports. */
export const importGraph = (): ReadonlyMap<string, ReadonlyArray<string>> =>
  new Map(
    sourceFiles()
      .map((f) => path.join(ROOT, f))
      .map((f) => [f, [...new Set(specifiers(path.relative(ROOT, f)).flatMap((s) => resolve(f, s) ?? []))]]),
  )

/**
 * The groups of files that import one another in a cycle: the strongly connected components of
 * the graph (Tarjan's algorithm) with more than one file or a file importing itself, each sorted.
 */
export const cycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): string[][] => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (f: string): void => {
    index.set(f, index.size)
    low.set(f, index.get(f)!)
    stack.push(f)
    onStack.add(f)
    for (const g of graph.get(f) ?? []) {
      if (!index.has(g)) {
        visit(g)
        low.set(f, Math.min(low.get(f)!, low.get(g)!))
      } else if (onStack.has(g)) low.set(f, Math.min(low.get(f)!, index.get(g)!))
    }
    if (low.get(f) !== index.get(f)) return
    const group: string[] = []
    let g: string
    do {
      g = stack.pop()!
      onStack.delete(g)
      group.push(g)
    } while (g !== f)
    if (group.length > 1 || (graph.get(f) ?? []).includes(f)) found.push(group.sort())
  }
  for (const f of [...graph.keys()].sort()) if (!index.has(f)) visit(f)
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1))
}

const rel = (f: string): string => path.relative(SRC, f)

describe('imports of src/', () => {
  let graph: ReadonlyMap<string, ReadonlyArray<string>>
  beforeAll(() => {
    graph = importGraph()
  })

  it('form no cycle', () => {
    expect(cycles(graph).map((c) => c.map(rel).join(', '))).toEqual([])
  })

  it('the check finds a cycle, and reads every kind of import', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a', 'd']],
          ['e', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c'], ['d']])
    expect(graph.size).toBeGreaterThan(40)
    // a plain import, and a type import written `import('…')`
    expect(graph.get(path.join(SRC, 'compile/sql.ts'))?.map(rel)).toEqual(
      expect.arrayContaining(['compile/context.ts', 'compile/expr.ts']),
    )
    expect(graph.get(path.join(SRC, 'plan/ast.ts'))?.map(rel)).toEqual(
      expect.arrayContaining(['errors.ts', 'model/model.ts']),
    )
    expect(graph.get(path.join(SRC, 'plan/expr.ts'))?.map(rel)).toEqual(['plan/ast.ts'])
    // the re-export of the expression types, and a type written `import('…')`
    expect(specifiers('src/plan/expr.ts')).toEqual(['./ast', './ast'])
    expect(specifiers('src/plan/ast.ts')).toContain('fp-ts/Either')
  })
})
