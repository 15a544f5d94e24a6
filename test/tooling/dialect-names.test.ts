/**
 * What differs between dialects is a member of the `Dialect` record: no code of the compiler or
 * the schema layer outside the dialect files compares a dialect's name (`d.name === 'mysql'`),
 * or keys a table by it. Adding a dialect is then writing its record, not finding the branches.
 * (The runners in `src/run/` are held to the same rule once their own branches are moved.)
 */
import * as fs from 'fs'
import * as path from 'path'

const SRC = path.resolve(__dirname, '../../src')

/** The dialect files: the only places that know a dialect by name. */
const DIALECT_FILES: ReadonlySet<string> = new Set(['compile/dialect.ts', 'compile/sqlite.ts', 'compile/postgres.ts', 'compile/mysql.ts'])

const CHECKED = ['compile', 'schema']

const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? files(full) : e.name.endsWith('.ts') ? [full] : []
  })

/** A comparison with a dialect's name, or an index by it (`FUNCS[d.name]`). */
const NAME_CHECK =
  /\.name\s*[!=]==?\s*['"](sqlite|postgres|mysql)['"]|['"](sqlite|postgres|mysql)['"]\s*[!=]==?\s*[\w.]*\.name\b|\[\s*[\w.]*\b(d|dialect)\.name\s*\]/

/** The lines of `text` that branch on a dialect's name. */
export const nameChecks = (text: string): string[] => text.split('\n').filter((line) => NAME_CHECK.test(line))

describe('dialect names', () => {
  it('are compared nowhere in src/compile and src/schema but in the dialect files', () => {
    const found = CHECKED.flatMap((dir) => files(path.join(SRC, dir)))
      .filter((f) => !DIALECT_FILES.has(path.relative(SRC, f)))
      .flatMap((f) => nameChecks(fs.readFileSync(f, 'utf8')).map((line) => `${path.relative(SRC, f)}: ${line.trim()}`))
    expect(found).toEqual([])
  })

  it('the check sees the forms a branch on a name takes', () => {
    expect(nameChecks("if (d.name === 'mysql') x\nctx.d.name !== \"sqlite\"\n'postgres' === dialect.name\nFUNCS[d.name]\nm.name === x")).toHaveLength(4)
  })
})
