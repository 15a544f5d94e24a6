/**
 * Reading datetime text (what MariaDB, PostgreSQL and SQLite return) into a Date: the arithmetic
 * reader gives exactly the Date that `Date.UTC` (with years 0–99 set apart) gives, for every
 * real date and time, fractions of any length and zero offsets; text naming no real moment (a
 * day past the month's end, hour 24, an offset of +25:00) is no datetime at all.
 */
import fc from 'fast-check'
import { parseUtc } from '../../src/model/codecs'
import { utcText } from '../../src/compile/dialect'

/** The reading as it was: `Date.UTC`, then the year set apart (Date.UTC reads 0–99 as 19xx). */
const reference = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number => {
  const at = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms))
  at.setUTCFullYear(y, mo - 1, d)
  return at.getTime()
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

describe('datetime text', () => {
  it('reads every real date and time as Date.UTC would, and refuses days past the month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.stringMatching(/^(\.[0-9]{1,9})?$/),
        fc.constantFrom('', 'Z', '+00', '-00', '+0000', '+00:00'),
        fc.constantFrom(' ', 'T'),
        (y, mo, d, h, mi, s, frac, off, sep) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${off}`
          const ms = frac === '' ? 0 : Number(frac.slice(1, 4).padEnd(3, '0'))
          const real = new Date(reference(y, mo, d, h, mi, s, ms)).getUTCDate() === d
          expect(parseUtc(text)?.getTime()).toBe(real ? reference(y, mo, d, h, mi, s, ms) : undefined)
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('reads the edges: year 0 and 1, leap days, the last millisecond', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['0001-01-01 00:00:00', '0001-01-01T00:00:00.000Z'],
      ['0000-03-01 00:00:00', '0000-03-01T00:00:00.000Z'],
      ['0099-12-31 23:59:59.999', '0099-12-31T23:59:59.999Z'],
      ['2000-02-29 12:00:00+00', '2000-02-29T12:00:00.000Z'],
      ['2400-02-29 23:59:59', '2400-02-29T23:59:59.000Z'],
      ['1969-12-31 23:59:59.999', '1969-12-31T23:59:59.999Z'],
      ['9999-12-31 23:59:59.999', '9999-12-31T23:59:59.999Z'],
    ]
    for (const [text, iso] of cases) expect([text, parseUtc(text)?.toISOString()]).toEqual([text, iso])
  })

  it('leaves other text to the pattern, and refuses what is no datetime', () => {
    expect(parseUtc('2001-01-01 00:00:00+02:00')?.toISOString()).toBe('2000-12-31T22:00:00.000Z')
    const bad = [
      '2001-01-01',
      'x001-01-01 00:00:00',
      '2001-01-01 00:00',
      '2001-02-29 00:00:00',
      '1900-02-29 00:00:00',
      '2001-04-31 12:00:00.5',
      '2001-02-31 00:00:00+02:00',
      '2001-13-01 00:00:00',
      '2001-00-10 00:00:00',
      '2001-01-00 00:00:00',
      '2001-01-01 24:00:00',
      '2001-01-01 23:60:00',
      '2001-01-01 23:59:60',
      '2001-01-01 00:00:00+25:00',
      '2001-01-01 00:00:00+01:60',
    ]
    for (const text of bad) expect([text, parseUtc(text)]).toEqual([text, undefined])
  })

  it('writes every storable Date as its ISO text with a space, and reads it back to the same time', () => {
    const iso = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 23)
    const first = -62135596800000 // 0001-01-01
    const past = 253402300800000 // 10000-01-01
    fc.assert(
      fc.property(fc.integer({ min: first, max: past - 1 }), (t) => {
        const d = new Date(t)
        expect(utcText(d)).toBe(iso(d))
        expect(parseUtc(utcText(d))?.getTime()).toBe(t)
      }),
      { numRuns: 20000 },
    )
    for (const t of [
      first,
      past - 1,
      -1,
      0,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(1600, 2, 1),
      Date.UTC(999, 11, 31, 23, 59, 59, 9),
    ])
      expect([t, utcText(new Date(t))]).toEqual([t, iso(new Date(t))])
  })
})
