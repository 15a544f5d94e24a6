/**
 * Random patterns of the portable regular-expression subset (see the README's `__regex`):
 * literals (metacharacters escaped), `.`, bracket classes with ranges and negation, the
 * quantifiers, anchors anywhere, alternation at the top and in groups, and groups repeated when
 * they hold neither a quantifier nor `|`. The reference matches them with JS `RegExp` (`su`).
 */
import fc from 'fast-check'

const META = '.^$*+?()[]{}|\\'
const CLASS_META = '[]\\^-'

/** A character as a literal of a pattern. */
export const escapeRegexChar = (c: string): string => (META.includes(c) ? `\\${c}` : c)

const RANGES = ['a-c', 'A-C', 'a-z', 'A-Z', '0-9', 'b-b'] as const
const QUANTIFIERS = ['*', '+', '?', '{2}', '{1,}', '{0,2}', '{1,3}'] as const

/** Patterns whose literals come from `chars`. */
export const patternArb = (chars: ReadonlyArray<string>): fc.Arbitrary<string> => {
  const lit = fc.constantFrom(...chars).map(escapeRegexChar)
  const classItem = fc.oneof(
    fc.constantFrom(...chars).map((c) => (CLASS_META.includes(c) ? `\\${c}` : c)),
    fc.constantFrom(...RANGES),
  )
  const cls = fc.tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 3 })).map(([neg, items]) => {
    const body = items.join('')
    // PCRE reads a class opening with . : or = as a POSIX element: the subset refuses it
    return `[${neg ? '^' : ''}${!neg && '.:='.includes(body[0]) ? 'a' : ''}${body}]`
  })
  const simple = fc.oneof(
    { arbitrary: lit, weight: 5 },
    { arbitrary: fc.constant('.'), weight: 1 },
    { arbitrary: cls, weight: 1 },
  )
  const plainSeq = fc.array(simple, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(''))
  const quant = fc.oneof(
    { arbitrary: fc.constant(''), weight: 3 },
    { arbitrary: fc.constantFrom(...QUANTIFIERS), weight: 2 },
  )
  const piece = fc.oneof(
    { arbitrary: fc.tuple(simple, quant).map(([a, q]) => a + q), weight: 6 },
    { arbitrary: fc.tuple(plainSeq, quant).map(([s, q]) => `(${s})${q}`), weight: 1 },
    {
      arbitrary: fc.array(plainSeq, { minLength: 2, maxLength: 3 }).map((alts) => `(${alts.join('|')})`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('^', '$'), weight: 1 },
  )
  const seq = fc.array(piece, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''))
  return fc.oneof(
    { arbitrary: fc.array(seq, { minLength: 1, maxLength: 3 }).map((xs) => xs.join('|')), weight: 12 },
    { arbitrary: fc.constant(''), weight: 1 },
  )
}
