/**
 * Validation of write input against a model, before any SQL is sent: unknown fields, wrong
 * types, nulls in non-null fields, strings over `maxLength`, text the databases cannot store,
 * and the fields' own validators. Every problem is reported, not only the first.
 */
import * as E from 'fp-ts/Either'
import { ValidationError, ValidationIssue, validationError } from '../errors'
import { INT_RANGE } from './codecs'
import { Column, Model } from './model'
import { resolveRelation } from './relations'
import { deepFreeze } from './freeze'
import { unknownField } from './suggest'

/** Text the databases cannot all store: NUL (PostgreSQL rejects it) and lone surrogates. */
export const badText = (s: string): string | undefined =>
  s.includes('\u0000')
    ? 'text must not contain NUL (U+0000)'
    : // Most text has no surrogate at all: a quick test before the exact one.
      /[\uD800-\uDFFF]/.test(s) && /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
      ? 'text must not contain lone surrogates'
      : undefined

/** What is wrong inside a JSON value, and where (`.a[2]`); made only for a value that fails. */
interface JsonFault {
  path: string
  readonly message: string
}

/** Nesting beyond which a value is refused (its cycle named, if that is why). */
const MAX_JSON_DEPTH = 100

const TOO_DEEP = `is nested more than ${MAX_JSON_DEPTH} levels deep, too deep for JSON`

/** A key as a path step: `.name`, or `["two words"]`. */
const step = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

const fault = (message: string): JsonFault => ({ path: '', message })

/** An object literal (or `Object.create(null)`), from any realm: its prototype is an `Object.prototype`, or null. */
const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as object | null
  return proto === null || Object.getPrototypeOf(proto) === null
}

/** The fault of a value found beneath `at` (its path extended on the way out). */
const under = (f: JsonFault | undefined, at: string): JsonFault | undefined => {
  if (f) f.path = at + f.path
  return f
}

const jsonFault = (v: unknown, depth: number): JsonFault | undefined => {
  if (v === null || typeof v === 'boolean') return undefined
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : fault(`${v} is not a JSON number`)
  if (typeof v === 'string') {
    const bad = badText(v)
    return bad ? fault(bad) : undefined
  }
  if (depth >= MAX_JSON_DEPTH && typeof v === 'object') return fault(TOO_DEEP)
  if (Array.isArray(v)) {
    // indexed: a hole (`[1, , 3]`) reads as undefined, which JSON.stringify would store as null
    for (let i = 0; i < v.length; i++) {
      const f = under(jsonFault(v[i], depth + 1), `[${i}]`)
      if (f) return f
    }
    return undefined
  }
  if (typeof v === 'object' && isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      // JSON.stringify would drop the key (silently storing `{}` for `{ a: undefined }`)
      const x = (v as Record<string, unknown>)[k]
      const f =
        badText(k) !== undefined
          ? fault(`key ${JSON.stringify(k)}: ${badText(k)}`)
          : under(jsonFault(x, depth + 1), step(k))
      if (f) return f
    }
    // JSON.stringify drops symbol keys too; checked once per object, after its string keys
    if (Object.getOwnPropertySymbols(v).length > 0) return fault('a symbol key is not JSON')
    return undefined
  }
  // JSON.stringify drops such a key, and stores such an item as null
  if (v === undefined) return fault('undefined is not a JSON value (omit the key, or use null)')
  // A Date would be stored as its ISO string and read back as that string, not as a Date.
  if (v instanceof Date)
    return fault(
      'a Date is not a JSON value (it would be read back as a string): store date.toISOString(), or use a datetime field',
    )
  return fault(`${kindOf(v)} is not a JSON value`)
}

/**
 * Where a value refers back to one that contains it, through its arrays and plain objects (the
 * path of that reference); asked only of a value nested too deeply.
 */
const cycleAt = (v: unknown, path: Set<unknown>, done: Set<unknown>): string | undefined => {
  if (typeof v !== 'object' || v === null || done.has(v)) return undefined
  if (path.has(v)) return ''
  path.add(v)
  for (const k of Object.keys(v)) {
    const at = cycleAt((v as Record<string, unknown>)[k], path, done)
    if (at !== undefined) return (Array.isArray(v) ? `[${k}]` : step(k)) + at
  }
  path.delete(v)
  // a value shared by several parents is walked once
  done.add(v)
  return undefined
}

/**
 * Why a value would not come back from a JSON column as it went in, and where in it: functions,
 * symbols, bigints, `undefined` (as a member or an item), non-finite numbers, class instances
 * such as Date, NUL or lone surrogates in any string or key, a cycle, nesting deeper than 100.
 */
export const jsonProblem = (v: unknown): string | undefined => {
  const f = jsonFault(v, 0)
  if (!f) return undefined
  // A cycle shows as a value nested too deeply: named as what it is (this walk costs only here).
  const cycle = f.message === TOO_DEEP ? cycleAt(v, new Set(), new Set()) : undefined
  if (cycle !== undefined)
    return `at ${cycle || '(the value itself)'}: refers back to a value that contains it (a cycle is not JSON)`
  // the path of a value nested too deeply is as long as its nesting: not worth a message
  return f.path === '' || f.message === TOO_DEEP ? f.message : `at ${f.path}: ${f.message}`
}

/** `a Map`, `an Object`, `a function`: what a value is, without showing it. */
const kindOf = (v: unknown): string => {
  const name =
    typeof v === 'object' && v !== null
      ? ((Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'object')
      : typeof v
  return `${/^[aeiouAEIOU]/.test(name) ? 'an' : 'a'} ${name}`
}

/** A value as a message shows it; never throws (a cycle, a bigint inside, an object without a prototype). */
export const describeValue = (v: unknown): string => {
  if (typeof v === 'bigint') return `${v}n`
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : v.toISOString()
  if (v instanceof Uint8Array) return `${v.length} bytes`
  // JSON writes NaN and the infinities as null
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return kindOf(v)
  }
}

/** The range an integer kind holds, for the message of a value outside it (`-32768 to 32767 (16-bit)`). */
const rangeText = (kind: string): string | undefined => {
  const r = (INT_RANGE as Readonly<Record<string, readonly [bigint, bigint]>>)[kind]
  return r && `${r[0]} to ${r[1]} (${(r[1] + 1n).toString(2).length}-bit)`
}

/** Why a value is not of a column's kind: an integer out of the kind's range is told so. */
const notOfKind = (col: Column, v: unknown): string => {
  const range = rangeText(col.kind)
  // a safe integer is taken (`lenient`): this one is past Number.MAX_SAFE_INTEGER, where a number may have lost digits
  if (col.kind === 'bigint' && typeof v === 'number' && Number.isInteger(v))
    return `${v} is beyond the exact integers of a number: pass a bigint`
  const integral = typeof v === 'bigint' ? col.kind === 'bigint' : typeof v === 'number' && Number.isInteger(v)
  return range && integral
    ? `${describeValue(v)} is outside the ${col.kind} range, ${range}`
    : `${describeValue(v)} is not a valid ${col.kind}`
}

/** Kinds whose only check is their codec's guard (no length, text, digits or JSON rules). */
const GUARDED_KINDS: ReadonlySet<string> = new Set([
  'int',
  'smallint',
  'bigint',
  'float',
  'boolean',
  'datetime',
  'date',
  'uuid',
  'binary',
])

const NO_PROBLEMS: ReadonlyArray<string> = Object.freeze([])

/** Whether the column's codec guard alone decides a non-null value (no length, text, digits, JSON or validator rules). */
export const guardDecides = (col: Column): boolean =>
  GUARDED_KINDS.has(col.kind) && !col.scalar.options.validators?.length

/** Problems with one value for one column; empty when it is fine. */
export const checkColumnValue = (col: Column, v: unknown): ReadonlyArray<string> => {
  // The common case, decided by the codec's guard alone.
  if (v !== null && GUARDED_KINDS.has(col.kind) && !col.scalar.options.validators?.length && col.scalar.codec.is(v))
    return NO_PROBLEMS
  if (v === undefined) return ['undefined is not a value (omit the field, or use null)']
  if (v === null) return col.field.nullable || (col.pk && col.field.optional) ? NO_PROBLEMS : ['may not be null']
  if (typeof v === 'object' && (v as { _tag?: unknown })._tag === 'Param') return NO_PROBLEMS
  const lenient =
    (col.kind === 'bigint' && typeof v === 'number' && Number.isSafeInteger(v)) ||
    (col.kind === 'decimal' && typeof v === 'number' && Number.isFinite(v))
  if (!lenient && !col.scalar.codec.is(v)) return [notOfKind(col, v)]
  // made only when there is a problem: most values have none, and a text field is checked for
  // every row written
  let out: string[] | undefined
  if (typeof v === 'string') {
    const bad = badText(v)
    if (bad) (out ??= []).push(bad)
    const max = col.scalar.options.maxLength
    if (max !== undefined && (col.kind === 'char' || col.kind === 'enum')) {
      // A string never has more code points than UTF-16 units: count them only when it might.
      const n = v.length <= max ? v.length : [...v].length
      if (n > max) (out ??= []).push(`is ${n} characters long, more than maxLength ${max}`)
    }
  }
  if (col.kind === 'json') {
    const bad = jsonProblem(v)
    if (bad) (out ??= []).push(bad)
  }
  if (col.kind === 'decimal') {
    // the guard (or `lenient`) let through only a decimal string or a finite number
    const decimal = v as string | number
    const s = String(decimal)
    const [int = '', frac = ''] = s.replace('-', '').split('.')
    const { maxDigits = 20, decimalPlaces = 6 } = col.scalar.options
    if (frac.length > decimalPlaces) (out ??= []).push(`has more than ${decimalPlaces} decimal places`)
    if (int.replace(/^0+/, '').length > maxDigits - decimalPlaces)
      (out ??= []).push(`has more than ${maxDigits - decimalPlaces} digits before the point`)
  }
  const validators =
    col.field.kind === 'foreignKey' || col.field.kind === 'oneToOne' ? undefined : col.scalar.options.validators
  if (validators)
    for (const validate of validators) {
      const msg = (validate as (x: unknown) => unknown)(v)
      if (typeof msg === 'string') (out ??= []).push(msg)
    }
  return out ?? NO_PROBLEMS
}

/**
 * A check made for one model, mode and list of keys: the keys written into its code as property
 * reads and an object literal, so that a record with the same keys as the last valid one (ad hoc
 * writes and bulk inserts repeat one shape) is checked and copied without keyed reads and without
 * adding properties one by one. A record that does not pass gets its problems worded from the
 * same checks, as the general loop words them (so that no validator runs twice).
 */
interface Fast {
  readonly keys: ReadonlyArray<string>
  readonly run: (data: object) => Readonly<Record<string, unknown>> | Invalid
}

/** Write input that does not pass: its problems, as the general loop words them. */
export class Invalid {
  constructor(readonly error: ValidationError) {}
}

/** Per model and mode: the checks made, by their keys, and the one that served last. */
interface FastChecks {
  readonly byKeys: Map<string, Fast | undefined>
  last: Fast | undefined
}

const fastChecks = new WeakMap<Model, Record<'create' | 'patch', FastChecks>>()

/** Key lists per model and mode that get a check of their own (each is code made once). */
const MAX_FAST = 32

/** Whether a plain record has exactly `keys`, in that order (for…in gives own keys first, in order). */
const hasKeys = (data: object, keys: ReadonlyArray<string>): boolean => {
  if (Object.getPrototypeOf(data) !== Object.prototype) return false
  let i = 0
  for (const k in data) if (k !== keys[i++]) return false
  return i === keys.length
}

/** Kinds whose values may be objects, which the plan copies (`deepFreeze`). */
const COPIED_KINDS: ReadonlySet<string> = new Set(['datetime', 'json', 'binary'])

const makeFast = (model: Model, keys: ReadonlyArray<string>): Fast | undefined => {
  if (keys.length === 0 || keys.length > 64 || keys.some((k) => k === '__proto__' || !model.columnByKey[k]))
    return undefined
  const cols = keys.map((k) => model.columnByKey[k])
  // Every value checked once, whatever the others give: a failing record's problems are worded
  // from these checks, so that no validator runs twice.
  const reads = keys.map((k, i) => `const v${i} = d[${JSON.stringify(k)}]; const p${i} = check(cols[${i}], v${i});`)
  const failed = keys.map((_, i) => `p${i} !== NO`).join(' || ')
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: ${COPIED_KINDS.has(cols[i].kind) ? `copy(v${i})` : `v${i}`}`)
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated function is this cache's fast path (docs/architecture.md, "Generated functions"); its code holds keys only as JSON.stringify literals
  const make = new Function(
    'cols',
    'check',
    'copy',
    'NO',
    'fail',
    `return (d) => { ${reads.join(' ')} if (${failed}) return fail([${keys.map((_, i) => `p${i}`).join(', ')}]); return Object.freeze({ ${fields.join(', ')} }) }`,
  ) as (
    cols: ReadonlyArray<Column>,
    check: typeof checkColumnValue,
    copy: typeof deepFreeze,
    no: typeof NO_PROBLEMS,
    fail: (problems: ReadonlyArray<ReadonlyArray<string>>) => Invalid,
  ) => Fast['run']
  // the general loop's issues for a record of exactly these keys: each key's problems, in order
  const fail = (problems: ReadonlyArray<ReadonlyArray<string>>): Invalid =>
    new Invalid(
      validationError(
        problems.flatMap((ps, i) => ps.map((message) => ({ field: keys[i], message }))),
        model.name,
      ),
    )
  return { keys, run: make(cols, checkColumnValue, deepFreeze, NO_PROBLEMS, fail) }
}

/**
 * Checks write input and maps it to row keys: the plan's copy of it (a relation given as a row,
 * `author: row`, becomes its key, `authorId`), or an `Invalid` with every problem. A record with
 * the keys of the last valid one of this model and mode takes the check made for those keys;
 * the rest, the general loop. No `Either`: ad hoc writes check a record on every call.
 */
export const checkInput = (
  model: Model,
  data: unknown,
  mode: 'create' | 'patch',
): Readonly<Record<string, unknown>> | Invalid => {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return new Invalid(validationError([{ field: '', message: 'expected an object of field values' }], model.name))
  let checks = fastChecks.get(model)
  const last = checks?.[mode].last
  if (last && hasKeys(data, last.keys)) return last.run(data)
  const out = validateSlowly(model, data, mode)
  if (!(out instanceof Invalid)) {
    const keys = Object.keys(out)
    // a record the general loop took as it is (no relation given as a row): its keys are the record's
    if (hasKeys(data, keys)) {
      if (!checks)
        fastChecks.set(
          model,
          (checks = { create: { byKeys: new Map(), last: undefined }, patch: { byKeys: new Map(), last: undefined } }),
        )
      const mine = checks[mode]
      const id = keys.join('\u0000')
      if (!mine.byKeys.has(id) && mine.byKeys.size < MAX_FAST) mine.byKeys.set(id, makeFast(model, keys))
      mine.last = mine.byKeys.get(id)
    }
  }
  return out
}

/** `checkInput` as an `Either`. */
export const validateInput = (
  model: Model,
  data: unknown,
  mode: 'create' | 'patch',
): E.Either<ValidationError, Readonly<Record<string, unknown>>> => {
  const r = checkInput(model, data, mode)
  return r instanceof Invalid ? E.left(r.error) : E.right(r)
}

/** The general check: every key and value, every problem reported. */
const validateSlowly = (
  model: Model,
  data: object,
  mode: 'create' | 'patch',
): Readonly<Record<string, unknown>> | Invalid => {
  const issues: ValidationIssue[] = []
  const out: Record<string, unknown> = {}
  for (const key in data) {
    if (!Object.prototype.hasOwnProperty.call(data, key)) continue
    const raw = (data as Record<string, unknown>)[key]
    let col = model.columnByKey[key]
    let v = raw
    if (!col) {
      const rel = resolveRelation(model, key)
      if (rel?.column && typeof raw === 'object' && raw !== null) {
        col = rel.column
        const to = rel.target.columns.find((c) => c.column === rel.hops[0].to)?.key ?? rel.target.pk
        v = (raw as Record<string, unknown>)[to]
      } else if (rel?.column && raw === null) {
        col = rel.column
      } else {
        issues.push({
          field: key,
          message: rel ? 'is a relation: set it through its manager or the foreign key' : unknownField(model, key),
        })
        continue
      }
    }
    const problems = checkColumnValue(col, v)
    for (let i = 0; i < problems.length; i++) issues.push({ field: key, message: problems[i] })
    // The plan's own copy: json values frozen deep, dates copied (not a value refused, which
    // may hold a cycle: the record is refused with it).
    out[col.key] = problems.length === 0 ? deepFreeze(v) : v
  }
  if (mode === 'create')
    for (const col of model.columns)
      if (!(col.key in out) && !col.field.optional) issues.push({ field: col.key, message: 'is required' })
  return issues.length > 0 ? new Invalid(validationError(issues, model.name)) : Object.freeze(out)
}
