/**
 * The rows of `Item` the lookup suites filter: a NULL in every nullable column now and then,
 * text in both cases, with LIKE and GLOB metacharacters, quotes, backslashes and characters
 * outside ASCII, numbers of both signs, and datetimes with milliseconds.
 */
export type Row = {
  name: string
  note: string | null
  n: number | null
  big: bigint | null
  x: number | null
  price: string | null
  on: boolean | null
  at: Date | null
  day: string | null
  clock: string | null
  ref: string | null
  kind: 'a' | 'b' | 'c' | null
}

export const NAMES = [
  'ab',
  'ab ',
  'AB',
  'Ab%',
  'a%b',
  'a_b',
  'axb',
  'a\\b',
  'a\\\\b',
  "it's",
  'ñandú',
  'ÑANDÚ',
  'Straße',
  'STRASSE',
  'Дом',
  'дом',
  'x*y',
  'x?y',
  'x[y]',
  'émoji 😀',
  '😀',
  '',
]
export const NOTES = [
  null,
  'hello world',
  'HELLO',
  '100%',
  '50% off',
  'under_score',
  'back\\slash',
  'Éclair',
  'éclair',
  '',
]

export const row = (i: number): Row => {
  const nul = () => i % 5 === 4
  return {
    name: NAMES[i % NAMES.length] + (i >= NAMES.length ? String(i) : ''),
    note: NOTES[i % NOTES.length],
    n: nul() ? null : ((i * 7) % 11) - 3,
    big: i % 6 === 5 ? null : BigInt(i * 1_000_000_007) * (i % 2 ? -1n : 1n) * 1_000_000n,
    x: i % 7 === 6 ? null : (i - 10) / 4,
    price: i % 8 === 7 ? null : (((i * 37) % 200) - 90).toFixed(3).replace(/^(-?)(\d+)/, '$1$2'),
    on: i % 3 === 2 ? null : i % 2 === 0,
    at:
      i % 9 === 8
        ? null
        : new Date(
            Date.UTC(
              2019 + (i % 4),
              (i * 5) % 12,
              1 + ((i * 11) % 28),
              (i * 7) % 24,
              (i * 13) % 60,
              (i * 17) % 60,
              (i * 89) % 1000,
            ),
          ),
    day:
      i % 10 === 9
        ? null
        : `${2020 + (i % 3)}-${String(1 + ((i * 7) % 12)).padStart(2, '0')}-${String(1 + ((i * 3) % 28)).padStart(2, '0')}`,
    clock:
      i % 11 === 10
        ? null
        : `${String((i * 5) % 24).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}`,
    ref: i % 4 === 3 ? null : `0000000${i % 10}-0000-4000-8000-${String(i).padStart(12, '0')}`,
    kind: i % 4 === 0 ? null : (['a', 'b', 'c'] as const)[i % 3],
  }
}

export const ROWS: ReadonlyArray<Row> = Array.from({ length: 40 }, (_, i) => row(i))
