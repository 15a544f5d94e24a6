/**
 * The portable regular expressions of `__regex` / `__iregex`: the subset on which PostgreSQL's
 * ARE, MariaDB's PCRE2, JavaScript's `RegExp` (flags `su`, the laws' reference) and SQLite's
 * matcher (`run/regex-match.ts`) agree once `.` matches every character (newlines too) and `$`
 * only the very end of the text.
 *
 * - literals (any character but the metacharacters below), and `\` before a metacharacter;
 * - `.`, `^`, `$`;
 * - bracket classes `[abc]`, `[^abc]`, ranges within `0-9`, `a-z` or `A-Z`; inside one, `]`,
 *   `[`, `\`, `^` and `-` are written escaped (a leading `^` negates, a `-` between two ends is
 *   a range), and the first member is not `.`, `:` or `=`;
 * - `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (at most 255) after a literal, `.`, a class or a group;
 * - `|` and groups `( … )` with no empty member; a quantified group holds neither a quantifier
 *   nor `|` (nested repetition is what makes backtracking engines take exponential time).
 *
 * Everything else — backreferences, lookaround, `(?…)`, `\d`/`\w`-style escapes, POSIX classes,
 * lazy or possessive quantifiers — is refused with a reason, so a pattern never means one thing
 * on one database and another thing (or an error) on the next.
 */

/** The longest pattern accepted, in characters. */
export const MAX_PATTERN = 1000

const META = '.^$*+?()[]{}|\\'
const ESCAPABLE_IN_CLASS = '[]\\^-'
const MAX_REPEAT = 255

/** Where a parse stands, and what it found so far. */
interface Cursor {
  readonly cs: ReadonlyArray<string>
  i: number
}

/** What a parsed piece holds (to refuse nested repetition). */
interface Holds {
  readonly quantifier: boolean
  readonly alternation: boolean
}

class Refused extends Error {}

const refuse = (message: string): never => {
  throw new Refused(message)
}

/** A range's ends lie in one of `0-9`, `a-z`, `A-Z`, in order. */
const rangeOk = (lo: string, hi: string): boolean =>
  lo <= hi && ['09', 'az', 'AZ'].some(([a, b]) => lo >= a && lo <= b && hi >= a && hi <= b)

/** One character of a class (escaped or not), or a refusal; `i` is past it after. */
const classChar = (c: Cursor): string => {
  const ch = c.cs[c.i]
  if (ch === undefined) return refuse('a bracket class is not closed')
  if (ch === '\\') {
    const next = c.cs[c.i + 1]
    if (next === undefined || !ESCAPABLE_IN_CLASS.includes(next))
      return refuse(`\\${next ?? ''} inside a bracket class: only ] [ \\ ^ - are escaped there`)
    c.i += 2
    return next
  }
  if (ch === '[') return refuse('[ inside a bracket class (POSIX classes like [:alpha:] are not portable): write \\[')
  if (ch === '^') return refuse('^ inside a bracket class, not first: write \\^')
  if (ch === '-') return refuse('- inside a bracket class, not between two ends: write \\-')
  c.i++
  return ch
}

/** `[…]` from its `[`. */
const bracket = (c: Cursor): void => {
  c.i++
  if ('.:='.includes(c.cs[c.i] ?? ']'))
    refuse(
      `a bracket class starting with ${c.cs[c.i]} (PCRE reads [${c.cs[c.i]}…${c.cs[c.i]}] as a POSIX element): put another member first`,
    )
  if (c.cs[c.i] === '^') c.i++
  if (c.cs[c.i] === ']') refuse('an empty bracket class []')
  while (c.cs[c.i] !== ']') {
    const lo = classChar(c)
    if (c.cs[c.i] === '-' && c.cs[c.i + 1] !== undefined && c.cs[c.i + 1] !== ']') {
      c.i++
      const hi = classChar(c)
      if (!rangeOk(lo, hi)) refuse(`the range ${lo}-${hi}: ranges stay within 0-9, a-z or A-Z`)
    }
  }
  c.i++
}

/** `{m}`, `{m,}`, `{m,n}` from its `{`. */
const braces = (c: Cursor): void => {
  const rest = c.cs.slice(c.i, c.i + 12).join('')
  const m = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(rest)
  if (!m) return refuse('{ starts a repetition {m}, {m,} or {m,n}; a literal { is written \\{')
  const lo = Number(m[1])
  const hi = m[3] === undefined ? lo : Number(m[3])
  if (lo > MAX_REPEAT || hi > MAX_REPEAT) refuse(`a repetition count above ${MAX_REPEAT}`)
  if (m[2] !== undefined && m[3] !== undefined && lo > hi) refuse(`{${lo},${hi}}: the counts are out of order`)
  c.i += m[0].length
}

/** A quantifier after an atom, if one follows; whether one did. */
const quantifier = (c: Cursor): boolean => {
  const ch = c.cs[c.i]
  if (ch === '*' || ch === '+' || ch === '?') c.i++
  else if (ch === '{') braces(c)
  else return false
  const next = c.cs[c.i]
  if (next === '*' || next === '+' || next === '?' || next === '{')
    refuse('a quantifier after a quantifier (lazy, possessive or nested repetition) is not portable')
  return true
}

/** One atom with its quantifier; what it holds. */
const piece = (c: Cursor): Holds => {
  const ch = c.cs[c.i]
  if (ch === '^' || ch === '$') {
    c.i++
    if ('*+?{'.includes(c.cs[c.i] ?? '.')) refuse(`a quantifier after the anchor ${ch}`)
    return { quantifier: false, alternation: false }
  }
  let inner: Holds = { quantifier: false, alternation: false }
  if (ch === '(') {
    if (c.cs[c.i + 1] === '?') refuse('(? groups (lookaround, non-capturing, flags) are not portable')
    c.i++
    inner = alternatives(c)
    if (c.cs[c.i] !== ')') refuse('a group is not closed')
    c.i++
  } else if (ch === '[') bracket(c)
  else if (ch === '\\') {
    const next = c.cs[c.i + 1]
    if (next === undefined) refuse('the pattern ends with \\')
    if (!META.includes(next) && next !== '/')
      refuse(`\\${next} is not portable: only metacharacters are escaped (\\. \\* \\( …)`)
    c.i += 2
  } else if (ch === '*' || ch === '+' || ch === '?' || ch === '{') refuse(`${ch} with nothing before it to repeat`)
  else if (ch === ')' || ch === ']' || ch === '}') refuse(`an unmatched ${ch}: a literal one is written \\${ch}`)
  else c.i++
  const quantified = quantifier(c)
  if (quantified && (inner.quantifier || inner.alternation))
    refuse('a repeated group holds a quantifier or |: nested repetition is not portable')
  return { quantifier: quantified || inner.quantifier, alternation: inner.alternation }
}

/** `a|b|…` up to a `)` or the end; what it holds. */
const alternatives = (c: Cursor): Holds => {
  let quantified = false
  let branches = 0
  for (;;) {
    const start = c.i
    while (c.i < c.cs.length && c.cs[c.i] !== '|' && c.cs[c.i] !== ')') quantified = piece(c).quantifier || quantified
    if (c.i === start) refuse('an empty alternative or group')
    branches++
    if (c.cs[c.i] !== '|') return { quantifier: quantified, alternation: branches > 1 }
    c.i++
  }
}

/**
 * Why a pattern is outside the portable subset (undefined when it is inside). The empty pattern
 * is inside: it matches every text.
 */
export const regexProblem = (pattern: string): string | undefined => {
  const cs = [...pattern]
  if (cs.length === 0) return undefined
  if (cs.length > MAX_PATTERN) return `a pattern longer than ${MAX_PATTERN} characters`
  const c: Cursor = { cs, i: 0 }
  try {
    alternatives(c)
    if (c.i < cs.length) refuse(`an unmatched ${cs[c.i]}: a literal one is written \\${cs[c.i]}`)
    return undefined
  } catch (e) {
    if (e instanceof Refused) return e.message
    throw e
  }
}

/**
 * A portable pattern with every `$` anchor (unescaped, outside a class) replaced by `end`: PCRE's
 * `$` also matches before a final newline, its `\z` only at the very end.
 */
export const replaceEndAnchors = (pattern: string, end: string): string => {
  let out = ''
  let inClass = false
  const cs = [...pattern]
  for (let i = 0; i < cs.length; i++) {
    const ch = cs[i]
    if (ch === '\\') {
      out += ch + (cs[i + 1] ?? '')
      i++
    } else if (inClass) {
      if (ch === ']') inClass = false
      out += ch
    } else if (ch === '[') {
      inClass = true
      out += ch
      // a leading ^ (negation) belongs to the class
      if (cs[i + 1] === '^') out += cs[++i]
    } else out += ch === '$' ? end : ch
  }
  return out
}
