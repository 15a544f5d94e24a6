/**
 * The command line's grammar: a small parser for `--long value`, `--long=value`, `-s value`,
 * boolean flags and repeatable options, checked against each command's declared options. Pure:
 * it returns the parsed values or the usage mistake, and never prints or exits.
 */
import * as E from 'fp-ts/Either'

/** One option a command accepts. */
export interface OptionSpec {
  /** The long name, without dashes (`dry-run`); also the key of its value. */
  readonly name: string
  /** One letter, without the dash (`v` for `-v`). */
  readonly short?: string
  /** The placeholder of its value (`VERSION`); a flag without one takes no value. */
  readonly value?: string
  /** May be given more than once; its values are collected in order. */
  readonly repeat?: boolean
  readonly help: string
}

/** What a parse found: flags as `true`, values as strings, repeated options as arrays. */
export type Values = Readonly<Record<string, string | boolean | ReadonlyArray<string>>>

export interface Parsed {
  readonly values: Values
  readonly positionals: ReadonlyArray<string>
}

/** The option an argument names, with the value it carries in the same word (`-vVALUE`, `--name=VALUE`), or what is wrong. */
const optionWord = (
  options: ReadonlyArray<OptionSpec>,
  arg: string,
): { readonly option: OptionSpec; readonly inline: string | undefined } | string => {
  const long = arg.startsWith('--')
  const eq = arg.indexOf('=')
  const key = long ? arg.slice(2, eq < 0 ? undefined : eq) : arg.slice(1, 2)
  const option = options.find((o) => (long ? o.name === key : o.short === key))
  if (!option) return `unknown option ${long ? `--${key}` : `-${key}`}`
  const inline = long
    ? eq < 0
      ? undefined
      : arg.slice(eq + 1)
    : arg.length > 2
      ? arg.slice(arg[2] === '=' ? 3 : 2)
      : undefined
  return { option, inline }
}

/**
 * Parses `argv` against `options`. Parsing stops at the first positional when `stopAtPositional`
 * is set (the global options before a command name), leaving the rest in `positionals`.
 *
 * @example
 * parseArgs([{ name: 'name', value: 'NAME', help: '' }], ['--name', 'add_email']) // Right({ values: { name: 'add_email' }, positionals: [] })
 */
export const parseArgs = (
  options: ReadonlyArray<OptionSpec>,
  argv: ReadonlyArray<string>,
  stopAtPositional = false,
): E.Either<string, Parsed> => {
  const values: Record<string, string | boolean | string[]> = {}
  const positionals: string[] = []
  const set = (o: OptionSpec, v: string | true): string | undefined => {
    if (o.repeat && typeof v === 'string') {
      const prev = values[o.name]
      values[o.name] = Array.isArray(prev) ? [...prev, v] : [v]
      return undefined
    }
    if (o.name in values) return `${display(o)} given twice`
    values[o.name] = v
    return undefined
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        positionals.push(...argv.slice(i))
        break
      }
      positionals.push(arg)
      continue
    }
    const word = optionWord(options, arg)
    if (typeof word === 'string') return E.left(word)
    const { option, inline } = word
    if (!option.value) {
      if (inline !== undefined) return E.left(`${display(option)} takes no value`)
      const err = set(option, true)
      if (err) return E.left(err)
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      if (next === undefined || (next.startsWith('-') && next !== '-'))
        return E.left(`${display(option)} needs a value (${option.value})`)
      value = next
      i++
    }
    const err = set(option, value)
    if (err) return E.left(err)
  }
  return E.right({ values, positionals })
}

/** `-v, --version VERSION` as the usage lines show it. */
export const display = (o: OptionSpec): string => `${o.short ? `-${o.short}, ` : ''}--${o.name}`

/** The help lines of a list of options, aligned. */
export const optionLines = (options: ReadonlyArray<OptionSpec>): ReadonlyArray<string> => {
  const heads = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`)
  const width = Math.max(0, ...heads.map((h) => h.length))
  return options.map((o, i) => `  ${heads[i].padEnd(width)}  ${o.help}`)
}

/** A string value, if given. */
export const str = (v: Values, name: string): string | undefined => {
  const x = v[name]
  return typeof x === 'string' ? x : undefined
}

/** Whether a flag was given. */
export const flag = (v: Values, name: string): boolean => v[name] === true

/** The values of a repeatable option (none when not given). */
export const list = (v: Values, name: string): ReadonlyArray<string> => {
  const x = v[name]
  return typeof x === 'string' ? [x] : typeof x === 'object' ? x : []
}
