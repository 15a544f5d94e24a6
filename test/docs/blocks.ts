/**
 * The TypeScript blocks of the documentation, read as programs.
 *
 * A fenced block whose info string starts with `ts` (or `typescript`) is a program: it imports
 * what it uses from 'terrapin' and defines the rest. Words after the language say more:
 *
 * - `continue`: the block goes on from the previous TypeScript block of the same file (one
 *   program, one scope: a tour can define its models once and use them in later sections);
 * - `no-run`: the program is type-checked but not run (it needs a server, a request, files of an
 *   application); a program with one such block is not run.
 *
 * Every other program is run against SQLite, in a scratch folder. Lines `//> text` after a
 * statement are the output it prints (`console.log`); a program with such lines must print
 * exactly them, in order.
 */
import * as fs from 'fs'
import * as path from 'path'

export const ROOT = path.join(__dirname, '..', '..')

/** One fenced block of a Markdown file (or of a doc comment), its text and where it starts. */
export interface Block {
  readonly file: string
  /** 1-based line of the block's first line of code in `file`. */
  readonly line: number
  readonly lang: string
  readonly words: ReadonlyArray<string>
  readonly code: string
}

/** A program: one block and those that continue it. */
export interface Program {
  readonly file: string
  readonly line: number
  readonly blocks: ReadonlyArray<Block>
  readonly code: string
  readonly run: boolean
  /** The output the `//>` lines promise, or undefined when the program shows none. */
  readonly expected: ReadonlyArray<string> | undefined
}

const TS = new Set(['ts', 'typescript'])

/** Every fenced block of a Markdown text (fences at any indentation, which is removed). */
export const fencedBlocks = (file: string, text: string): ReadonlyArray<Block> => {
  const lines = text.split('\n')
  const out: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang, rest] = open
    const body: string[] = []
    let j = i + 1
    while (j < lines.length && !(lines[j].trim().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === ''))
      body.push(lines[j++].slice(indent.length))
    out.push({ file, line: i + 2, lang, words: rest.split(/\s+/).filter(Boolean), code: body.join('\n') })
    i = j
  }
  return out
}

/** What the `//>` lines of a program's code say it prints. */
const printed = (code: string): ReadonlyArray<string> =>
  code.split('\n').flatMap((l) => {
    const m = /^\s*\/\/> ?(.*)$/.exec(l)
    return m ? [m[1]] : []
  })

/** The programs of a list of blocks (TypeScript ones only), in order. */
export const programs = (blocks: ReadonlyArray<Block>): ReadonlyArray<Program> => {
  const groups: Block[][] = []
  for (const b of blocks.filter((b) => TS.has(b.lang))) {
    const last = groups[groups.length - 1]
    if (b.words.includes('continue')) {
      if (!last || last[0].file !== b.file) throw new Error(`${b.file}:${b.line}: 'continue' with no block before it`)
      last.push(b)
    } else groups.push([b])
  }
  return groups.map((bs) => {
    const code = bs.map((b) => b.code).join('\n')
    const shown = printed(code)
    return {
      file: bs[0].file,
      line: bs[0].line,
      blocks: bs,
      code,
      run: !bs.some((b) => b.words.includes('no-run')),
      expected: shown.length > 0 ? shown : undefined,
    }
  })
}

/** The line of the documentation file a line of a program (0-based) comes from. */
export const sourceLine = (p: Program, programLine: number): number => {
  let start = 0
  for (const b of p.blocks) {
    const n = b.code.split('\n').length
    if (programLine < start + n) return b.line + programLine - start
    start += n
  }
  return p.blocks[p.blocks.length - 1].line
}

/** README.md and every Markdown file under docs/ (not the generated API reference). */
export const documentationFiles = (): ReadonlyArray<string> => {
  const docs = path.join(ROOT, 'docs')
  const md = fs
    .readdirSync(docs, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.join('docs', e.name))
    .sort()
  return ['README.md', ...md]
}

/** The programs of every documentation file. */
export const documentationPrograms = (): ReadonlyArray<Program> =>
  documentationFiles().flatMap((f) => programs(fencedBlocks(f, fs.readFileSync(path.join(ROOT, f), 'utf8'))))

/** The SQL a reference example promises for each dialect (a `-- dialect` line, then the SQL). */
export type ShownSql = ReadonlyArray<{ readonly dialect: string; readonly sql: string }>

/** A reference example: a program whose last part is a plan, and the SQL shown for it. */
export interface Example extends Program {
  readonly sql: ShownSql | undefined
}

/** The fenced blocks of the doc comments of a source file, with the comments' `*` removed. */
export const commentBlocks = (file: string, text: string): ReadonlyArray<Block> => {
  const out: Block[] = []
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split('\n').length
    const body = m[0]
      .split('\n')
      .map((l) => l.replace(/^\s*\/?\*\*?\/?( |$)/, '').replace(/\s*\*\/$/, ''))
      .join('\n')
    out.push(...fencedBlocks(file, body).map((b) => ({ ...b, line: b.line + startLine - 1 })))
  }
  return out
}

const SRC = path.join(ROOT, 'src')
const sourceFiles = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? sourceFiles(path.join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [path.relative(ROOT, path.join(dir, e.name))]
          : [],
    )
    .sort()

/** The SQL of a `sql` block: for each `-- dialect` line, the lines under it joined by spaces. */
const shownSql = (b: Block): ShownSql =>
  b.code.split(/^-- (\w+)\s*$/m).flatMap((part, i, parts) =>
    i % 2 === 1
      ? [
          {
            dialect: part,
            sql: parts[i + 1]
              .trim()
              .split(/\s*\n\s*/)
              .join(' '),
          },
        ]
      : [],
  )

/**
 * The examples of the API reference: every `ts` block of a doc comment under src/, after the
 * models of the reference's front page (the first block of src/index.ts, which every example
 * may use) and an import of every value 'terrapin' exports. A block followed by a `sql` block is
 * one expression, a plan, whose SQL on each dialect named there is what the `sql` block shows.
 */
export const referenceExamples = (exported: ReadonlyArray<string>): ReadonlyArray<Example> => {
  const blocks = sourceFiles(SRC).flatMap((f) => commentBlocks(f, fs.readFileSync(path.join(ROOT, f), 'utf8')))
  const prelude = blocks.find((b) => b.file === path.join('src', 'index.ts') && TS.has(b.lang))
  if (!prelude) throw new Error('src/index.ts has no example block of models')
  const own = new Set(
    [...prelude.code.matchAll(/import \{([^}]*)\} from 'terrapin'/g)].flatMap((m) =>
      m[1].split(',').map((s) => s.trim()),
    ),
  )
  const imports = `import { ${exported.filter((n) => !own.has(n)).join(', ')} } from 'terrapin'`
  return blocks.flatMap((b, i) => {
    if (b === prelude || !TS.has(b.lang)) return []
    const next = blocks[i + 1]
    const sql = next && next.lang === 'sql' && next.file === b.file ? shownSql(next) : undefined
    const body: Block = sql ? { ...b, line: b.line - 1, code: `export const shown = (\n${b.code}\n)` } : b
    const parts = [prelude, { ...b, code: imports }, body]
    const shown = printed(b.code)
    return [
      {
        file: b.file,
        line: b.line,
        blocks: parts,
        code: parts.map((p) => p.code).join('\n'),
        run: true,
        expected: shown.length > 0 ? shown : undefined,
        sql,
      },
    ]
  })
}
