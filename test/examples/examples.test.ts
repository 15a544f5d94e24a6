/**
 * The examples in examples/ run and say what their READMEs say: each main is imported and run
 * (the bank transfer on every dialect, each in its own database), its output and summary
 * checked; the books catalogue also runs as a user runs it, `tsx examples/books-catalogue/main.ts`
 * from the repository's root, where 'terrapin' resolves through tsconfig's paths.
 */
import { execFile } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { main as bank } from '../../examples/bank-transfer/main'
import { main as catalogue } from '../../examples/books-catalogue/main'
import { main as evolution } from '../../examples/schema-evolution/main'
import { DIALECTS, IsolatedDatabase, SQLITE_MEMORY_URL, createIsolated } from '../support/databases'

const ROOT = path.join(__dirname, '..', '..')

const collect = (): { readonly lines: string[]; readonly log: (line: string) => void } => {
  const lines: string[] = []
  return { lines, log: (line) => void lines.push(line) }
}

describe('examples/books-catalogue', () => {
  it('creates, filters, prefetches, aggregates and commits or rolls back', async () => {
    const { lines, log } = collect()
    const summary = await catalogue(':memory:', log)
    expect(summary).toEqual({
      books: 7,
      authorsWithBooks: ['Frank Herbert', 'Iain M. Banks', 'Ursula K. Le Guin'],
      committed: true,
      rolledBack: 'IntegrityError',
    })
    expect(lines).toEqual(
      expect.arrayContaining([
        'title contains "dune": Dune, Dune Messiah, Children of Dune',
        'not rated 4.5 or more (unrated included): A Wizard of Earthsea, Dune Messiah, Children of Dune',
        'authors of a fantasy book: Ursula K. Le Guin',
        'Frank Herbert: Dune [classic, science fiction]; Dune Messiah [science fiction]; Children of Dune [science fiction]',
        'Iain M. Banks: no books',
        'Ursula K. Le Guin: 3 books, mean rating 4.50',
        'books per year: 1965: 1, 1968: 1, 1969: 2, 1974: 1, 1976: 1',
        'publishing The Player of Games with a duplicate tag: IntegrityError, books with that title: 0',
      ]),
    )
  })

  it('runs as a user runs it: tsx from the repository root, on a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-catalogue-'))
    try {
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          path.join(ROOT, 'node_modules', '.bin', 'tsx'),
          ['examples/books-catalogue/main.ts', path.join(dir, 'books.db')],
          { cwd: ROOT, timeout: 60000 },
          (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        )
      })
      expect(out.stderr).toBe('')
      expect(out.code).toBe(0)
      expect(out.stdout.split('\n')).toContain('catalogue: 7 books')
      expect(fs.statSync(path.join(dir, 'books.db')).size).toBeGreaterThan(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('examples/schema-evolution', () => {
  it('migrates with rows present, refuses a guessed rename and a lossy downgrade, reverts and reapplies', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terrapin-evolution-test-'))
    try {
      const { lines, log } = collect()
      const summary = await evolution(dir, log)
      expect(summary.files.map((f) => f.replace(/_\d{14}_/, '_'))).toEqual([
        '0_init.ts',
        '1_add_rating.ts',
        '2_rename_title.ts',
      ])
      expect(summary.history).toEqual(['0 init', '1 add_rating', '2 rename_title'])
      expect(summary.refusals[0]).toMatch(/^ambiguousRename: .*--rename book\.title:name/)
      expect(summary.refusals[1]).toMatch(/^dataLoss: .*book\.rating.*--force/)
      expect(summary.final).toEqual([
        { id: 1, name: 'Dune', rating: null, pages: 0 },
        { id: 2, name: 'The Dispossessed', rating: null, pages: 0 },
        { id: 3, name: 'A Wizard of Earthsea', rating: null, pages: 0 },
      ])
      expect(lines).toEqual(
        expect.arrayContaining([
          'v3 books: [{"id":1,"name":"Dune","rating":4.8,"pages":412},{"id":2,"name":"The Dispossessed","rating":null,"pages":0},{"id":3,"name":"A Wizard of Earthsea","rating":4.4,"pages":0}]',
          'v2 books again: [{"id":1,"title":"Dune","rating":4.8},{"id":2,"title":"The Dispossessed","rating":null},{"id":3,"title":"A Wizard of Earthsea","rating":4.4}]',
          'downgrade -v 1 --force reverted 1 add_rating',
        ]),
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('removes its temporary folder when given none', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('terrapin-evolution-')).length
    await evolution(undefined, () => undefined)
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('terrapin-evolution-')).length).toBe(before)
  })
})

describe.each(DIALECTS)('examples/bank-transfer [%s]', (dialect) => {
  let iso: IsolatedDatabase | undefined
  beforeAll(async () => {
    iso = dialect === 'sqlite' ? undefined : await createIsolated(dialect, 'bank')
  })
  afterAll(async () => {
    await iso?.drop()
  })

  it('keeps the total through concurrent transfers, every balance matching the transfers recorded', async () => {
    const { lines, log } = collect()
    const s = await bank(iso?.url ?? SQLITE_MEMORY_URL, log, 60)
    expect(s.before).toBe(320000)
    expect(s.after).toBe(s.before)
    expect(s.failed).toBe(0)
    expect(s.committed + s.refused).toBe(60)
    expect(s.committed).toBeGreaterThan(0)
    expect(s.recorded).toBe(s.committed)
    expect(s.consistent).toBe(true)
    expect(lines).toContain('total after: 320000 (kept)')
  })
})
