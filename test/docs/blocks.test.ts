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
import { openDatabases } from '../../src/run/connect'
import { ROOT, documentationPrograms, sourceLine, type Program } from './blocks'

const all = documentationPrograms()
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

/** One compiler program over every block and what they import. */
const typeCheck = (programs: ReadonlyArray<Program>): ReadonlyArray<string> => {
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
  const program = ts.createProgram([...files.keys()], opts, host)
  return [...files].flatMap(([name, p]) => {
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
      from === 'io-ts' ||
      from.startsWith('node:') ||
      /^fp-ts\/lib\/\w+\.js$/.test(from) ||
      /^(better-sqlite3|postgres|mysql2)$/.test(from) ||
      from.startsWith('./')
    const line = sf.getLineAndCharacterOfPosition(s.getStart()).line
    return ok ? [] : [`${p.file}:${sourceLine(p, line)}: import from '${from}' does not work in every module system`]
  })

/** Runs a program's code as CommonJS inside an async function (for its top-level awaits). */
const execute = async (p: Program, printed: string[]): Promise<void> => {
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
  const module = { exports: {} }
  await fn(require, module.exports, module, out)
}

describe('documentation blocks', () => {
  it('finds the programs of README.md and docs/', () => {
    expect(all.filter((p) => p.file === 'README.md').length).toBeGreaterThan(5)
  })

  it('type-check as written (strict, ES module, imports that work in every module system)', () => {
    expect(typeCheck(all)).toEqual([])
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

    it.each(all.filter((p) => p.run).map((p) => [`${p.file}:${p.line}`, p] as const))('%s', async (_name, p) => {
      const before = openDatabases()
      const printed: string[] = []
      await execute(p, printed)
      if (p.expected) expect(printed).toEqual(p.expected)
      expect(openDatabases()).toBe(before)
    })
  })
})
