/**
 * The drivers are optional peers: importing terrapin and opening SQLite must load neither
 * postgres.js nor mysql2 (and opening PostgreSQL must not load mysql2), so a project installs
 * only the driver it uses. Checked in a fresh Node process, where `require.cache` is real.
 */
import { execFileSync } from 'child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join, resolve } from 'path'

const isNameList = (u: unknown): u is string[] => Array.isArray(u) && u.every((n) => typeof n === 'string')

const driversLoadedBy = (body: string): string[] => {
  const dir = mkdtempSync(join(tmpdir(), 'terrapin-lazy-'))
  try {
    const file = join(dir, 'probe.ts')
    writeFileSync(
      file,
      `const t = require(${JSON.stringify(resolve(__dirname, '../../src/index.ts'))})\n${body}\n` +
        `const names = Object.keys(require.cache).map((k) => /node_modules[\\\\/](postgres|mysql2|better-sqlite3)[\\\\/]/.exec(k)?.[1]).filter(Boolean)\n` +
        `console.log(JSON.stringify([...new Set(names)].sort()))\n`,
    )
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), file], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    const names: unknown = JSON.parse(out.trim().split('\n').pop()!)
    if (!isNameList(names)) throw new Error(`the probe printed ${out}`)
    return names
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('drivers load lazily', () => {
  it('importing terrapin loads no driver; SQLite loads only better-sqlite3; PostgreSQL only postgres', () => {
    expect(driversLoadedBy('')).toEqual([])
    expect(driversLoadedBy("t.connect('sqlite://:memory:').executor.close()")).toEqual(['better-sqlite3'])
    expect(driversLoadedBy("t.connect('postgres://nobody@127.0.0.1:1/none').executor.close()")).toEqual(['postgres'])
    expect(driversLoadedBy("t.connect('mysql://nobody@127.0.0.1:1/none').executor.close()")).toEqual(['mysql2'])
  })
})
