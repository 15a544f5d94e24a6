/**
 * Every TypeScript block of README.md and docs/*.md is a program that compiles as written and
 * runs (see blocks.ts for how blocks are marked). All programs are type-checked in one compiler
 * program, as ES modules importing 'terrapin' (top-level await allowed), strict; then the ones
 * not marked `no-run` run in this process against SQLite, in a scratch folder, and must print
 * what their `//>` lines show and close every database they open.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as util from 'util'
import * as vm from 'vm'
import * as ts from 'typescript'
import * as terrapin from '../../src'
import { openDatabases } from '../../src/run/connect'
import { ROOT, documentationPrograms, referenceExamples, sourceLine, type Example, type Program } from './blocks'

type Statement = Parameters<typeof terrapin.compile>[0]

const docs = documentationPrograms()
const examples = referenceExamples(Object.keys(terrapin).filter((k) => k !== '__esModule'))
const all: ReadonlyArray<Program> = [...docs, ...examples]
const virtualName = (p: Program): string =>
  path.join(ROOT, '.docblocks', `${p.file.replace(/[/\\]/g, '_')}_${p.line}.ts`)

/** The options of the project, as an application's ES module would compile. */
const options = (): ts.CompilerOptions => {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT)
  return {
    ...parsed.options,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    noEmit: true,
    declaration: false,
  }
}

/** One compiler program over every block and what they import (src/index.ts among them). */
const compilerProgram = (programs: ReadonlyArray<Program>): ts.Program => {
  const opts = options()
  const files = new Map(programs.map((p) => [virtualName(p), p]))
  const host = ts.createCompilerHost(opts)
  const base = {
    getSourceFile: host.getSourceFile.bind(host),
    fileExists: host.fileExists.bind(host),
    readFile: host.readFile.bind(host),
  }
  host.fileExists = (f) => files.has(f) || base.fileExists(f)
  host.readFile = (f) => files.get(f)?.code ?? base.readFile(f)
  host.getSourceFile = (f, lang, ...rest) => {
    const p = files.get(f)
    return p ? ts.createSourceFile(f, p.code, lang, true) : base.getSourceFile(f, lang, ...rest)
  }
  return ts.createProgram([...files.keys()], opts, host)
}

let made: ts.Program | undefined
const compiled = (): ts.Program => (made ??= compilerProgram(all))

const typeCheck = (programs: ReadonlyArray<Program>): ReadonlyArray<string> => {
  const program = compiled()
  return programs.flatMap((p) => {
    const name = virtualName(p)
    const sf = program.getSourceFile(name)!
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
    return [
      ...diagnostics.map((d) => {
        const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line
        return `${p.file}:${sourceLine(p, line)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      }),
      ...importProblems(p, sf),
    ]
  })
}

/**
 * Imports that would fail in an application: 'fp-ts/function' and its siblings are folders,
 * which Node's ES module loader refuses (take `pipe` and `flow` from 'terrapin', or name the
 * file: 'fp-ts/lib/TaskEither.js').
 */
const importProblems = (p: Program, sf: ts.SourceFile): ReadonlyArray<string> =>
  sf.statements.flatMap((s) => {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) return []
    const from = s.moduleSpecifier.text
    const ok =
      from === 'terrapin' ||
      from === 'terrapin/fastify' ||
      from === 'fastify' ||
      from === 'io-ts' ||
      from.startsWith('node:') ||
      /^fp-ts\/lib\/\w+\.js$/.test(from) ||
      /^(better-sqlite3|postgres|mysql2)$/.test(from) ||
      from.startsWith('./')
    const line = sf.getLineAndCharacterOfPosition(s.getStart()).line
    return ok ? [] : [`${p.file}:${sourceLine(p, line)}: import from '${from}' does not work in every module system`]
  })

/** Runs a program's code as CommonJS inside an async function (for its top-level awaits). */
const execute = async (p: Program, printed: string[]): Promise<Record<string, unknown>> => {
  const js = ts.transpileModule(p.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: virtualName(p),
  }).outputText
  const fn = vm.runInThisContext(`(async function (require, exports, module, console) {\n${js}\n})`, {
    filename: `${p.file}:${p.line}`,
  }) as (...args: unknown[]) => Promise<void>
  const out = {
    log: (...args: unknown[]) => printed.push(...util.format(...args).split('\n')),
    error: (...args: unknown[]) => printed.push(...util.format(...args).split('\n')),
  }
  const module = { exports: {} as Record<string, unknown> }
  await fn(require, module.exports, module, out)
  return module.exports
}

/**
 * Exports of 'terrapin' without a doc comment, and the functions among their members (`fields.int`,
 * `q.or`, an interface's function-valued property) without one: what TypeDoc's `notDocumented`
 * check reports for `npm run docs`.
 */
const undocumented = (program: ts.Program): ReadonlyArray<string> => {
  const checker = program.getTypeChecker()
  const index = program.getSourceFile(path.join(ROOT, 'src', 'index.ts'))!
  const src = path.join(ROOT, 'src')
  const documented = (s: ts.Symbol): boolean => s.getDocumentationComment(checker).length > 0
  return checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).flatMap((e) => {
    const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e
    const decl = s.declarations?.[0]
    if (!decl || !decl.getSourceFile().fileName.startsWith(src)) return documented(s) ? [] : [e.name]
    const type =
      s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)
        ? checker.getDeclaredTypeOfSymbol(s)
        : checker.getTypeOfSymbolAtLocation(s, decl)
    const members =
      s.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Interface)
        ? checker.getPropertiesOfType(type).filter((p) => {
            const d = p.declarations?.[0]
            return (
              d !== undefined &&
              d.getSourceFile().fileName.startsWith(src) &&
              checker.getTypeOfSymbolAtLocation(p, d).getCallSignatures().length > 0 &&
              !documented(p) &&
              // `{ int }`: the comment of the variable `int`, as TypeDoc reads it
              !(ts.isShorthandPropertyAssignment(d) && documented(checker.getShorthandAssignmentValueSymbol(d)!))
            )
          })
        : []
    return [...(documented(s) ? [] : [e.name]), ...members.map((p) => `${e.name}.${p.name}`)]
  })
}

describe('documentation blocks', () => {
  // one compiler program for every check below: src/ and every block (tens of seconds on a busy machine)
  beforeAll(() => void compiled(), 180_000)

  it('finds the programs of README.md and docs/', () => {
    expect(all.filter((p) => p.file === 'README.md').length).toBeGreaterThan(5)
  })

  it('type-check as written (strict, ES module, imports that work in every module system)', () => {
    expect(typeCheck(all)).toEqual([])
  })

  it('every export of terrapin has a doc comment (the API reference is made of them)', () => {
    expect(undocumented(compiled())).toEqual([])
  })

  it('close the databases they open, when they are not run', () => {
    const leaks = all
      .filter((p) => !p.run && /\b(connect|init)\(/.test(p.code))
      .filter((p) => !/\b(close|closeConnections|runAsync)\(/.test(p.code))
      .map((p) => `${p.file}:${p.line}`)
    expect(leaks).toEqual([])
  })

  describe('run against SQLite', () => {
    const cwd = process.cwd()
    let dir = ''
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-docs-'))
      process.chdir(dir)
    })
    afterAll(() => {
      process.chdir(cwd)
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it.each(docs.filter((p) => p.run).map((p) => [`${p.file}:${p.line}`, p] as const))('%s', async (_name, p) => {
      const before = openDatabases()
      const printed: string[] = []
      await execute(p, printed)
      if (p.expected) expect(printed).toEqual(p.expected)
      expect(openDatabases()).toBe(before)
    })
  })

  describe('reference examples show the SQL compile() makes', () => {
    it.each(examples.map((p) => [`${p.file}:${p.line}`, p] as const))('%s', async (_name, p: Example) => {
      const before = openDatabases()
      const out: string[] = []
      const { shown } = await execute(p, out)
      if (p.expected) expect(out).toEqual(p.expected)
      for (const { dialect, sql } of p.sql ?? [])
        expect([dialect, terrapin.compile(shown as Statement, dialect as terrapin.DialectName).sql]).toEqual([
          dialect,
          sql,
        ])
      expect(openDatabases()).toBe(before)
    })
  })
})
