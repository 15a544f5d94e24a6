/**
 * Shape hints. A plan built afresh on every call (an ad hoc plan) must find its compiled SQL
 * without being compiled again; walking the whole plan to describe its shape costs more than
 * building it. So the common combinators (`query`, `where`/`exclude` with a filter object,
 * `orderBy`, `limit`, `offset`, the terminals, `update`, `create`) also take one step in a trie
 * of shapes: one root per model, one edge per step, labelled with everything of the step that
 * changes the SQL (never the values that become parameters). Plans that reach the same trie node
 * have the same shape, and the compile cache keeps its entry on the node.
 *
 * A hint is attached to the plan node under a symbol, with the node it belongs to: a copy of the
 * node made by any other combinator (`{ ...plan, x }`) carries a hint that is not its own and is
 * ignored, as is every plan a combinator without a step builds — those compile by the full walk
 * (`plan/shape.ts`), which stays the reference: with `TERRAPIN_VERIFY_SHAPES=1` (the test
 * suite sets it) every compile through a hint checks that the walk gives the node's shape.
 */
import { Cond, FilterNode, isLongList } from './ast'

/** A node of the trie: the shapes one more step can reach, and what the compiler keeps here. */
export interface ShapeNode {
  /** Edges by label: strings, and numbers (limits, offsets) after the label that says which. */
  readonly next: Map<string | number, ShapeNode>
  /** Per dialect record, the compile cache's entry for this shape (weak: a runner may make its own record). */
  readonly compiled: WeakMap<object, unknown>
  /**
   * The edge taken last from here and where it led: a program builds the same plans over and
   * over, so the next step usually takes it again, found without hashing its label.
   */
  lastEdge: string | number | undefined
  lastNode: ShapeNode | undefined
  /** The dialect record compiled for last, and its entry in `compiled`, found without hashing. */
  lastDialect: object | undefined
  lastCompiled: unknown
}

/** Where a plan node keeps its hint (a symbol: invisible to `Object.keys`, `for…in` and JSON). */
export const HINT: unique symbol = Symbol('terrapin.shape')

/** The plan node the hint was made for: a copy of it (`{ ...plan, x }`) carries the hint, but is not its owner. */
export const OWNER: unique symbol = Symbol('terrapin.shape.owner')

/**
 * A hinted node's two slots. A combinator's literal declares them (`[HINT]: undefined, [OWNER]:
 * undefined`), so that the hint is a field of the node itself: a property added after the
 * literal goes to a separate backing store, and a record beside the node is one more object,
 * both memory every ad hoc plan allocates.
 */
export interface HintSlots {
  [HINT]?: ShapeNode | undefined
  [OWNER]?: object | undefined
}

const newNode = (): ShapeNode => ({
  next: new Map(),
  compiled: new WeakMap(),
  lastEdge: undefined,
  lastNode: undefined,
  lastDialect: undefined,
  lastCompiled: undefined,
})

/** Bounds the trie: past this many nodes, new shapes compile by the full walk. */
const MAX_NODES = 20000
let nodes = 0

const roots = new WeakMap<object, ShapeNode>()

/** The root of a model's shapes (reads and inserts start from it with different edges). */
export const rootOf = (model: object): ShapeNode => {
  let r = roots.get(model)
  if (!r) roots.set(model, (r = newNode()))
  return r
}

/** The node one step on, or undefined when there is no node to start from or no edge to take. */
export const step = (from: ShapeNode | undefined, edge: string | number | undefined): ShapeNode | undefined => {
  if (from === undefined || edge === undefined) return undefined
  if (from.lastEdge === edge) return from.lastNode
  let n = from.next.get(edge)
  if (n === undefined) {
    if (nodes >= MAX_NODES) return undefined
    nodes++
    from.next.set(edge, (n = newNode()))
  }
  from.lastEdge = edge
  from.lastNode = n
  return n
}

/** The plan's own hint, if it has one. */
export const hintOf = (plan: object): ShapeNode | undefined => {
  const p = plan as HintSlots
  return p[OWNER] === plan ? p[HINT] : undefined
}

/** Freezes a plan node a combinator built, with its hint when it has one. */
export const hinted = <T extends object>(plan: T & HintSlots, node: ShapeNode | undefined): T => {
  if (node !== undefined) {
    plan[HINT] = node
    plan[OWNER] = plan
  }
  return Object.freeze(plan)
}

// ------------------------------------------------------------------------------------------
// edges
// ------------------------------------------------------------------------------------------

const isTagged = (v: object): boolean => (v as { _tag?: unknown })._tag !== undefined

/**
 * What a value that becomes a parameter adds to an edge: `N` for null (IS NULL), a
 * placeholder's name, `?` for a value; undefined for an expression or a subquery, whose SQL
 * the edge cannot describe.
 */
export const valueEdge = (v: unknown): string | undefined => {
  if (v === null) return 'N'
  if (typeof v !== 'object' || v instanceof Date) return '?'
  if (!isTagged(v)) return '?'
  const p = v as { _tag: unknown; name?: unknown }
  return p._tag === 'Param' && typeof p.name === 'string' ? `$${p.name.length}:${p.name}` : undefined
}

/** A condition's value, as the compiler reads it for its lookup. */
const condValueEdge = (c: Cond): string | undefined => {
  const v = c.value
  if (c.lookup === 'isnull' || c.lookup === 'notIsnull') return v ? 'T' : 'F'
  if ((c.lookup === 'in' || c.lookup === 'notIn') && isLongList(v)) return '[*]'
  if (Array.isArray(v) && (c.lookup === 'in' || c.lookup === 'notIn' || c.lookup === 'range')) {
    let e = `[${v.length}`
    for (let i = 0; i < v.length; i++) {
      const x = valueEdge(v[i])
      if (x === undefined) return undefined
      e += x
    }
    return e + ']'
  }
  return valueEdge(v)
}

/**
 * One condition, as five steps (so no string is built for it): its relation path, column,
 * date part, lookup, and what its value adds.
 */
const condStep = (from: ShapeNode | undefined, c: Cond): ShapeNode | undefined => {
  // a path into a json document shapes the SQL by its steps and their kinds: the full walk says it
  if (c.json) return undefined
  const v = condValueEdge(c)
  if (v === undefined) return undefined
  const n = step(step(from, c.path.length === 0 ? '' : c.path.join('.')), c.key)
  return step(step(step(n, c.part ?? ''), c.annotation ? `${c.lookup}@` : c.lookup), v)
}

/** Steps for the filter a filter object resolved to: conditions, alone or in one `And` (counted, so the steps after it are not read as conditions). */
export const filterStep = (from: ShapeNode | undefined, f: FilterNode, negate: boolean): ShapeNode | undefined => {
  if (f._tag === 'Cond') return condStep(step(from, negate ? '!' : 'w'), f)
  if (f._tag !== 'And') return undefined
  let n = step(from, `${negate ? '!' : 'w'}&${f.items.length}`)
  for (const item of f.items) {
    if (item._tag !== 'Cond') return undefined
    n = condStep(n, item)
  }
  return n
}

/** Steps for a list of names (an ordering, grouping keys), ended so that the next step is not read as one. */
export const namesStep = (
  from: ShapeNode | undefined,
  label: string,
  names: ReadonlyArray<string>,
): ShapeNode | undefined => {
  let n = step(from, label)
  for (const k of names) n = step(n, k)
  return step(n, '\u0000')
}

/** Steps for a record of values (an update's patch, an insert's row): each key and its value's kind, then an end. */
export const recordStep = (
  from: ShapeNode | undefined,
  label: string,
  record: Readonly<Record<string, unknown>>,
  edgeOf: (v: unknown) => string | undefined = valueEdge,
): ShapeNode | undefined => {
  let n = step(from, label)
  for (const k in record) n = step(step(n, k), edgeOf(record[k]))
  return step(n, '\u0000')
}

// ------------------------------------------------------------------------------------------
// parts shared by the plans of a shape
// ------------------------------------------------------------------------------------------

/** The list of parts made last for the plans that reached a node (one kind of list per node: the step into it says which). */
const lists = new WeakMap<ShapeNode, ReadonlyArray<unknown>>()

/**
 * A frozen list of plan parts (orderings, grouping keys, annotations), shared by the plans of
 * one shape whose parts are the same values: the list made last for the node when it holds the
 * same items, else `items` frozen (and kept for the node). A plan built again reuses the list,
 * so that what is kept per list (the annotation names a filter may use) is found again.
 */
export const sharedList = <T>(node: ShapeNode | undefined, items: ReadonlyArray<T>): ReadonlyArray<T> => {
  if (node === undefined) return Object.freeze(items)
  const last = lists.get(node) as ReadonlyArray<T> | undefined
  if (last !== undefined && last.length === items.length) {
    let same = true
    for (let i = 0; i < items.length && same; i++) same = last[i] === items[i]
    if (same) return last
  }
  const list = Object.freeze(items)
  lists.set(node, list)
  return list
}
