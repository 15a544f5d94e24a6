/**
 * `Lower` and `Upper` give what JS's `toLowerCase`/`toUpperCase` give, on every dialect: Unicode's
 * full mappings, with the word-final sigma (`ΣΊΣΥΦΟΣ` → `σίσυφος`), `İ` → `i̇`, and the
 * expansions of SpecialCasing (`ß` → `SS`, `ﬀ` → `FF`, `ᾳ` → `ΑΙ`), on a column and on a value.
 */
import { pipe } from 'fp-ts/function'
import { F, Lower, Upper, annotate, bulkCreate, fields, model, orderBy, query, run, schema, values } from 'terrapin'
import { forEachDialect, right } from '../support/dialects'
import { compileWith } from '../../src/compile'
import { mariadb, mysql } from '../../src/compile/mysql'

const { Txt } = schema({
  Txt: model('Txt', { table: 'tc_text', fields: { id: fields.int({ pk: true }), s: fields.text() } }),
})

const WORDS = [
  'ΣΊΣΥΦΟΣ',
  'ΟΔΟΣ.',
  'Σ',
  'ΑΣ ΣΑ',
  'ΌΣΟΣ ΣΟΦΌΣ',
  'ΑΣ\u0301',
  'ΑΣ1',
  'σ ς Σ',
  'İstanbul',
  'ẞ straße',
  'ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ',
  'ŉ ǰ ẖ ẗ ẘ ẙ ẚ',
  'ᾳ ᾼ ῳ ῼ ᾀ ᾈ',
  'ﬓ ﬔ և',
  'Ab 😀 z',
]

/** Every character of the blocks where case mappings live, one per row, beside the words. */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x24f],
  [0x370, 0x3ff],
  [0x400, 0x52f],
  [0x531, 0x587],
  [0x1e00, 0x1fff],
  [0xfb00, 0xfb17],
]
/** Mappings newer than the servers' Unicode tables (ƛ → Ƛ came with Unicode 16): see the README. */
const NEWER: ReadonlySet<string> = new Set(['\u019b'])
const CHARS = RANGES.flatMap(([lo, hi]) =>
  Array.from({ length: hi - lo + 1 }, (_, i) => String.fromCodePoint(lo + i)),
).filter((c) => !NEWER.has(c))
const TEXTS = [...WORDS, ...CHARS]

forEachDialect('text-case', [Txt], (t) => {
  beforeAll(async () => {
    right(
      await pipe(
        bulkCreate(
          Txt,
          TEXTS.map((s, i) => ({ id: i + 1, s })),
        ),
        run(t().db),
      )(),
    )
  })

  it('Lower and Upper of a column are JS toLowerCase / toUpperCase', async () => {
    const rows = right(
      await pipe(
        query(Txt),
        annotate({ low: Lower(F('s')), up: Upper(F('s')) }),
        orderBy('id'),
        values('s', 'low', 'up'),
        run(t().db),
      )(),
    )
    const wrong = rows.filter((r) => r.low !== r.s.toLowerCase() || r.up !== r.s.toUpperCase())
    expect(
      wrong.map((r) => ({ s: r.s, low: r.low, up: r.up, jsLow: r.s.toLowerCase(), jsUp: r.s.toUpperCase() })),
    ).toEqual([])
    expect(rows).toHaveLength(TEXTS.length)
  })

  it('Lower and Upper of a value are JS toLowerCase / toUpperCase', async () => {
    for (const w of WORDS) {
      const [r] = right(
        await pipe(
          query(Txt),
          orderBy('id'),
          annotate({ low: Lower(w), up: Upper(w) }),
          values('low', 'up'),
          run(t().db),
        )(),
      )
      expect({ w, ...r }).toEqual({ w, low: w.toLowerCase(), up: w.toUpperCase() })
    }
  })
})

describe('Lower and Upper compiled for MariaDB', () => {
  it('hold no `?` but their placeholders (a driver writing values in could take one for a placeholder)', () => {
    for (const d of [mariadb, mysql]) {
      const c = compileWith(d, pipe(query(Txt), annotate({ low: Lower('x'), up: Upper('y') }), values('low', 'up')))
      expect(c.params).toEqual(['x', 'y'])
      expect(c.sql.split('?')).toHaveLength(3)
    }
  })
})
