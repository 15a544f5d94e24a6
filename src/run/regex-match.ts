/**
 * Matching of the portable patterns (`plan/regex.ts`) in time linear in the text: a Thompson
 * NFA run over the text's code points, for SQLite's `regexp`. JavaScript's backtracking
 * `RegExp` takes seconds on `.*.*x` over 2,000 characters and does not come back from
 * `.*.*.*x`; this never takes more than (text length × pattern states) steps.
 */
import { regexProblem } from '../plan/regex'

/** A step of the automaton: a character test, a fork, an anchor, or the match. */
type State =
  | { readonly t: 'char'; readonly test: (c: string) => boolean; readonly out: number }
  | { t: 'split'; a: number; readonly b: number }
  | { readonly t: 'bol' | 'eol'; readonly out: number }
  | { readonly t: 'match' }

/** A parsed pattern (already known to be inside the subset). */
type Node =
  | { readonly t: 'char'; readonly test: (c: string) => boolean }
  | { readonly t: 'bol' | 'eol' }
  | { readonly t: 'seq' | 'alt'; readonly items: ReadonlyArray<Node> }
  | { readonly t: 'rep'; readonly item: Node; readonly min: number; readonly max: number }

interface Cursor {
  readonly cs: ReadonlyArray<string>
  i: number
}

/** `[…]` from its `[`: a test of one character. */
const parseClass = (c: Cursor): ((ch: string) => boolean) => {
  c.i++
  const negated = c.cs[c.i] === '^'
  if (negated) c.i++
  const ranges: Array<readonly [string, string]> = []
  const one = (): string => (c.cs[c.i] === '\\' ? c.cs[(c.i += 2) - 1] : c.cs[c.i++])
  while (c.cs[c.i] !== ']') {
    const lo = one()
    if (c.cs[c.i] === '-' && c.cs[c.i + 1] !== ']') {
      c.i++
      ranges.push([lo, one()])
    } else ranges.push([lo, lo])
  }
  c.i++
  return (ch) => ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== negated
}

/** A quantifier's bounds, if one follows. */
const parseQuantifier = (c: Cursor): { min: number; max: number } | undefined => {
  const ch = c.cs[c.i]
  if (ch === '*' || ch === '+' || ch === '?') {
    c.i++
    return { min: ch === '+' ? 1 : 0, max: ch === '?' ? 1 : Infinity }
  }
  if (ch !== '{') return undefined
  const m = /^\{(\d+)(,(\d*))?\}/.exec(c.cs.slice(c.i, c.i + 12).join(''))!
  c.i += m[0].length
  const min = Number(m[1])
  return { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) }
}

/** One atom and its quantifier. */
const parsePiece = (c: Cursor): Node => {
  const ch = c.cs[c.i]
  let atom: Node
  if (ch === '^' || ch === '$') {
    c.i++
    return { t: ch === '^' ? 'bol' : 'eol' }
  } else if (ch === '(') {
    c.i++
    atom = parseAlternatives(c)
    c.i++
  } else if (ch === '[') atom = { t: 'char', test: parseClass(c) }
  else if (ch === '.') {
    c.i++
    atom = { t: 'char', test: () => true }
  } else {
    const lit = ch === '\\' ? c.cs[(c.i += 2) - 1] : c.cs[c.i++]
    atom = { t: 'char', test: (x) => x === lit }
  }
  const q = parseQuantifier(c)
  return q ? { t: 'rep', item: atom, ...q } : atom
}

const parseAlternatives = (c: Cursor): Node => {
  const alts: Node[] = []
  for (;;) {
    const items: Node[] = []
    while (c.i < c.cs.length && c.cs[c.i] !== '|' && c.cs[c.i] !== ')') items.push(parsePiece(c))
    alts.push({ t: 'seq', items })
    if (c.cs[c.i] !== '|') return alts.length === 1 ? alts[0] : { t: 'alt', items: alts }
    c.i++
  }
}

/** Adds the states of `node` before the state `next`; returns its first state. */
const build = (states: State[], node: Node, next: number): number => {
  const push = (s: State): number => states.push(s) - 1
  switch (node.t) {
    case 'char':
      return push({ t: 'char', test: node.test, out: next })
    case 'bol':
    case 'eol':
      return push({ t: node.t, out: next })
    case 'seq':
      return node.items.reduceRight((s, item) => build(states, item, s), next)
    case 'alt': {
      const starts = node.items.map((item) => build(states, item, next))
      return starts.reduceRight((s, start) => push({ t: 'split', a: start, b: s }))
    }
    case 'rep': {
      let s = next
      if (node.max === Infinity) {
        const loop = push({ t: 'split', a: -1, b: next })
        ;(states[loop] as { a: number }).a = build(states, node.item, loop)
        s = loop
      } else for (let k = node.min; k < node.max; k++) s = push({ t: 'split', a: build(states, node.item, s), b: next })
      for (let k = 0; k < node.min; k++) s = build(states, node.item, s)
      return s
    }
  }
}

/** A compiled pattern: its states and first state. */
interface Automaton {
  readonly states: ReadonlyArray<State>
  readonly start: number
}

/** Compiles a portable pattern; a pattern outside the subset throws, naming its problem. */
export const compileRegex = (pattern: string): Automaton => {
  const problem = regexProblem(pattern)
  if (problem !== undefined) throw new Error(`regexp: ${problem}`)
  const states: State[] = [{ t: 'match' }]
  const start = build(states, parseAlternatives({ cs: [...pattern], i: 0 }), 0)
  return { states, start }
}

/** Whether the automaton matches somewhere in `text` (`.` any character, `^`/`$` its ends). */
export const regexMatches = (a: Automaton, text: string): boolean => {
  const cs = [...text]
  const mark = new Int32Array(a.states.length).fill(-1)
  let current: number[] = []
  // the states reachable from `s` without reading a character, at position `pos`
  const add = (list: number[], s: number, pos: number): boolean => {
    if (mark[s] === pos) return false
    mark[s] = pos
    const st = a.states[s]
    if (st.t === 'match') return true
    if (st.t === 'split') return add(list, st.a, pos) || add(list, st.b, pos)
    if (st.t === 'bol') return pos === 0 && add(list, st.out, pos)
    if (st.t === 'eol') return pos === cs.length && add(list, st.out, pos)
    list.push(s)
    return false
  }
  for (let pos = 0; ; pos++) {
    if (add(current, a.start, pos)) return true
    if (pos === cs.length) return false
    const next: number[] = []
    for (const s of current) {
      const st = a.states[s] as Extract<State, { t: 'char' }>
      if (st.test(cs[pos]) && add(next, st.out, pos + 1)) return true
    }
    current = next
  }
}
