/**
 * The command line's grammar (pure) and `main`'s usage paths, run in-process with a recording
 * Io: help for the CLI and for each command, and every usage mistake as exit code 2 with one line.
 */
import * as E from 'fp-ts/Either'
import { readFileSync } from 'fs'
import { join } from 'path'
import { OptionSpec, parseArgs } from '../../src/cli/args'
import { COMMANDS } from '../../src/cli/commands'
import { Io } from '../../src/cli/io'
import { main } from '../../src/cli/main'

const OPTIONS: ReadonlyArray<OptionSpec> = [
  { name: 'name', value: 'NAME', help: '' },
  { name: 'version', short: 'v', value: 'VERSION', help: '' },
  { name: 'delete', short: 'd', help: '' },
  { name: 'rename', value: 'R', repeat: true, help: '' },
]

describe('parseArgs', () => {
  it('reads long and short options, inline values, flags and repeats', () => {
    const r = parseArgs(OPTIONS, ['--name', 'a', '-v3', '-d', '--rename=t.a:b', '--rename', 'c:d'])
    expect(r).toEqual(
      E.right({ values: { name: 'a', version: '3', delete: true, rename: ['t.a:b', 'c:d'] }, positionals: [] }),
    )
    expect(parseArgs(OPTIONS, ['-v', '7', 'x', '--', '--name'])).toEqual(
      E.right({ values: { version: '7' }, positionals: ['x', '--name'] }),
    )
    expect(parseArgs(OPTIONS, ['-v=7'])).toEqual(E.right({ values: { version: '7' }, positionals: [] }))
  })

  it('stops at the first positional when asked (global options before a command)', () => {
    expect(parseArgs(OPTIONS, ['-d', 'upgrade', '--bogus'], true)).toEqual(
      E.right({ values: { delete: true }, positionals: ['upgrade', '--bogus'] }),
    )
  })

  it('names each mistake', () => {
    expect(parseArgs(OPTIONS, ['--bogus'])).toEqual(E.left('unknown option --bogus'))
    expect(parseArgs(OPTIONS, ['-x'])).toEqual(E.left('unknown option -x'))
    expect(parseArgs(OPTIONS, ['--name'])).toEqual(E.left('--name needs a value (NAME)'))
    expect(parseArgs(OPTIONS, ['--name', '--delete'])).toEqual(E.left('--name needs a value (NAME)'))
    expect(parseArgs(OPTIONS, ['--delete=yes'])).toEqual(E.left('-d, --delete takes no value'))
    expect(parseArgs(OPTIONS, ['--name', 'a', '--name', 'b'])).toEqual(E.left('--name given twice'))
  })
})

const recording = () => {
  const out: string[] = []
  const err: string[] = []
  const io: Io = {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    cwd: __dirname,
    ask: () => Promise.reject(new Error('no question expected')),
  }
  return { io, out, err }
}

describe('main: help and usage', () => {
  it('--help lists every command and the exit codes', async () => {
    const r = recording()
    expect(await main(['--help'], r.io)).toBe(0)
    const help = r.out.join('\n')
    for (const c of ['init', 'init-db', 'migrate', 'upgrade', 'downgrade', 'history', 'heads'])
      expect(help).toMatch(new RegExp(`^  ${c} +\\S`, 'm'))
    expect(help).toContain('exit codes: 0 done, 1 failed, 2 bad usage')
    expect(r.err).toEqual([])
  })

  it("--version prints the package's version", async () => {
    const r = recording()
    expect(await main(['--version'], r.io)).toBe(0)
    expect(r.out).toEqual([
      (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version,
    ])
  })

  it.each(COMMANDS.map((c) => c.name))(
    '%s --help shows its usage and options, before or after the other options',
    async (name) => {
      const r = recording()
      expect(await main([name, '--help'], r.io)).toBe(0)
      const help = r.out.join('\n')
      expect(help).toMatch(new RegExp(`^usage: terrapin ${name}`))
      expect(help).toContain('-t, --config MODULE')
      for (const o of COMMANDS.find((c) => c.name === name)!.options) expect(help).toContain(`--${o.name}`)
      const again = recording()
      expect(await main(['-t', 'x.ts', name, '-h'], again.io)).toBe(0)
      expect(again.out).toEqual(r.out)
      const viaHelp = recording()
      expect(await main(['help', name], viaHelp.io)).toBe(0)
      expect(viaHelp.out).toEqual(r.out)
    },
  )

  it.each([
    [[], /^usage: terrapin/],
    [
      ['frobnicate'],
      /^terrapin: unknown command frobnicate: the commands are init, init-db, .* \(see terrapin --help\)$/,
    ],
    [['upgrade', '--bogus'], /^terrapin: unknown option --bogus for terrapin upgrade \(see terrapin upgrade --help\)$/],
    [['--bogus', 'upgrade'], /^terrapin: unknown option --bogus \(see terrapin --help\)$/],
    [['migrate', '--name'], /^terrapin: --name needs a value \(NAME\) for terrapin migrate/],
    [['migrate', '--name', 'no spaces'], /^terrapin: --name no spaces: use letters, digits and _ only$/],
    [
      ['migrate', '--rename', 'a.b.c'],
      /^terrapin: --rename a.b.c: expected table.old:new \(a column\) or old:new \(a table\)$/,
    ],
    [
      ['downgrade', '-v', 'last'],
      /^terrapin: -v last: a version is the number a migration's file name starts with \(see terrapin history\)$/,
    ],
    [['history', 'extra'], /^terrapin: terrapin history takes no argument, got extra/],
    [['init'], /^terrapin: init needs the config module: terrapin init -t \.\/src\/db\.ts$/],
    [['upgrade', '--dry-run', '--dry-run'], /^terrapin: --dry-run given twice for terrapin upgrade/],
  ])('%j is bad usage: exit code 2, one line', async (argv, line) => {
    const r = recording()
    expect(await main(argv, r.io)).toBe(2)
    expect(r.err[0]).toMatch(line)
    if (argv.length > 0) expect(r.err).toHaveLength(1)
  })
})
