/**
 * Everything that differs between dialects is a member of the `Dialect` record (or the runner's):
 * no code outside the dialect files (src/compile/<dialect>.ts) and the runners (src/run/<driver>.ts)
 * reads a dialect's name to decide what to do. A fourth dialect is then two new files, not a hunt
 * for `if (d.name === 'mysql')` across the compiler and the interpreter.
 *
 * A dialect is recognised by how the code names it (`d`, `dialect`, `ex.dialect`, `ctx.d`, …).
 * Its `name` may still be printed in a message (inside a template literal) or handed on as data
 * (an argument, a record's field): a user's migration file gives its steps by dialect name, and
 * picking them is not terrapin behaving differently. Comparing, switching on or indexing by it
 * is a branch, wherever the name came from.
 */
import * as ts from 'typescript'
import { parse, sourceFiles, walk } from './source'

/** The files allowed to know a dialect by name. */
export const DIALECT_FILES: ReadonlySet<string> = new Set([
  'src/compile/dialect.ts',
  'src/compile/sqlite.ts',
  'src/compile/postgres.ts',
  'src/compile/mysql.ts',
  'src/run/better-sqlite3.ts',
  'src/run/postgres.ts',
  'src/run/mysql2.ts',
])

const DIALECT_NAMES: ReadonlySet<string> = new Set(['sqlite', 'postgres', 'mysql'])

/** Where a dialect's name is read without deciding anything: printed, or handed on as data. */
const handedOn = (n: ts.Node): boolean =>
  ts.isTemplateSpan(n.parent) ||
  (ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression)) ||
  (ts.isPropertyAssignment(n.parent) && n.parent.initializer === n)

const isDialectValue = (e: ts.Expression): boolean =>
  (ts.isIdentifier(e) && /^(d|dialect)$/.test(e.text)) ||
  (ts.isPropertyAccessExpression(e) && /^(d|dialect)$/.test(e.name.text))

/** Reads of a dialect's name in one parsed file that decide something, as `file:line text`. */
export const branchesIn = (sf: ts.SourceFile): ReadonlyArray<string> => {
  const out = new Set<string>()
  const report = (n: ts.Node): void => {
    out.add(`${sf.fileName}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1} ${n.getText(sf).slice(0, 80)}`)
  }
  walk(sf, (n) => {
    // d.name, dialect.name, ex.dialect.name, ctx.d.name — compared, switched on, indexing a
    // table (`FUNCS[d.name]`), kept in a variable — but not printed or handed on
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'name' && isDialectValue(n.expression) && !handedOn(n))
      report(n.parent)
    // a name compared with a dialect's, however it was reached: `name === 'mysql'`
    if (ts.isBinaryExpression(n) && /^[!=]==?$/.test(n.operatorToken.getText(sf)))
      for (const [side, other] of [
        [n.left, n.right],
        [n.right, n.left],
      ])
        if (ts.isStringLiteral(side) && DIALECT_NAMES.has(side.text) && /\bname$|Name$/.test(other.getText(sf)))
          report(n)
  })
  return [...out]
}

/** Reads of a dialect's name that decide something, in every file of src/ but the dialect files. */
export const dialectBranches = (files: ReadonlyArray<string> = sourceFiles()): ReadonlyArray<string> =>
  files.filter((f) => !DIALECT_FILES.has(f)).flatMap((f) => branchesIn(parse(f)))

describe('dialect branches', () => {
  it('no code outside the dialect and runner files branches on a dialect name', () => {
    expect(dialectBranches()).toEqual([])
  })

  it('the check sees the forms a branch on a name takes, and lets a message print it or a call take it', () => {
    const text = [
      "if (d.name === 'mysql') x()",
      'const y = ctx.d.name !== "sqlite"',
      "const z = 'postgres' === dialect.name",
      'const f = FUNCS[d.name]',
      'switch (ex.dialect.name) {}',
      "const w = serverName === 'mysql'",
      'const n = d.name',
      'const ok = `not on ${ex.dialect.name}`',
      'loadMigration(f, d.name)',
      'const text = migrationText({ dialect: d.name })',
      'const also = m.name === x',
    ].join('\n')
    const found = branchesIn(ts.createSourceFile('t.ts', text, ts.ScriptTarget.ES2022, true))
    expect(found.map((s) => s.split(' ')[0])).toEqual([
      't.ts:1',
      't.ts:2',
      't.ts:3',
      't.ts:4',
      't.ts:5',
      't.ts:6',
      't.ts:7',
    ])
  })
})
