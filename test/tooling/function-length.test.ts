/**
 * No function in src/ is longer than 60 lines: a longer one is several ideas that want names of
 * their own (the runners' factories, once 150–210 lines of closures sharing state, were the case
 * in point).
 */
import * as ts from 'typescript'
import { parse, sourceFiles, walk } from './source'

export const MAX_LINES = 60

const isFunction = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessor(n)

/** Functions over the limit, as `file:line name (n lines)`. */
export const longFunctions = (files: ReadonlyArray<string> = sourceFiles()): ReadonlyArray<string> =>
  files.flatMap((file) => {
    const sf = parse(file)
    const out: string[] = []
    walk(sf, (n) => {
      if (!isFunction(n) || !n.body) return
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line
      const end = sf.getLineAndCharacterOfPosition(n.end).line
      const lines = end - start + 1
      if (lines <= MAX_LINES) return
      const parent = n.parent
      const name =
        n.name?.getText(sf) ??
        (parent && ts.isVariableDeclaration(parent)
          ? parent.name.getText(sf)
          : parent && ts.isPropertyAssignment(parent)
            ? parent.name.getText(sf)
            : '(anonymous)')
      out.push(`${file}:${start + 1} ${name} (${lines} lines)`)
    })
    return out
  })

describe('function length', () => {
  it(`no function in src/ is longer than ${MAX_LINES} lines`, () => {
    expect(longFunctions()).toEqual([])
  })
})
