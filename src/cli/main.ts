#!/usr/bin/env node
/**
 * The `terrapin` command: aerich's commands over the migration engine. `main` parses the command
 * line, runs one command and returns the exit code (0 done, 1 failed, 2 bad usage); an error is
 * one line on stderr, with its stack trace only under `--verbose`.
 */
import * as E from 'fp-ts/Either'
import { readFileSync } from 'fs'
import { join } from 'path'
import { OptionSpec, flag, optionLines, parseArgs } from './args'
import { COMMANDS, Command, GLOBAL_OPTIONS } from './commands'
import { Io, processIo } from './io'
import { CliFailure, ExitCode, describe, details, usage } from './report'

const VERSION_OPTION: OptionSpec = { name: 'version', help: "print terrapin's version" }

const version = (): string => {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return 'unknown'
  }
}

/** `terrapin --help`. */
export const mainHelp = (): string =>
  [
    'usage: terrapin [options] <command> [command options]',
    '',
    "Migrations as aerich's: the config module (-t) names the connections and apps; each app's",
    'migrations live in <location>/<app>/. Run `terrapin <command> --help` for its options.',
    '',
    'commands:',
    ...(() => {
      const width = Math.max(...COMMANDS.map((c) => c.name.length))
      return COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
    })(),
    '',
    'options (every command takes them):',
    ...optionLines([...GLOBAL_OPTIONS, VERSION_OPTION]),
    '',
    'exit codes: 0 done, 1 failed, 2 bad usage',
  ].join('\n')

/** `terrapin <command> --help`. */
export const commandHelp = (c: Command): string =>
  [
    `usage: terrapin ${c.name}${c.options.length ? ' [options]' : ''}${c.name === 'init' ? ' -t MODULE [--location DIR]' : ''}`,
    '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.details ?? []),
    ...(c.options.length ? ['', 'options:', ...optionLines(c.options)] : []),
    '',
    'options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
  ].join('\n')

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit code.
 * Never rejects: every failure is printed as one line.
 */
export const main = async (argv: ReadonlyArray<string>, io: Io = processIo()): Promise<ExitCode> => {
  let verbose = argv.includes('--verbose')
  try {
    const head = parseArgs([...GLOBAL_OPTIONS, VERSION_OPTION], argv, true)
    if (E.isLeft(head)) throw new CliFailure(usage(`${head.left} (see terrapin --help)`))
    const [name, ...rest] = head.right.positionals
    if (name === undefined) {
      if (flag(head.right.values, 'version')) {
        io.out(version())
        return 0
      }
      if (flag(head.right.values, 'help')) {
        io.out(mainHelp())
        return 0
      }
      io.err(mainHelp())
      return 2
    }
    if (name === 'help') {
      const c = COMMANDS.find((x) => x.name === rest[0])
      io.out(c ? commandHelp(c) : mainHelp())
      return 0
    }
    const command = COMMANDS.find((c) => c.name === name)
    if (!command)
      throw new CliFailure(
        usage(
          `unknown command ${name}: the commands are ${COMMANDS.map((c) => c.name).join(', ')} (see terrapin --help)`,
        ),
      )
    const tail = parseArgs([...GLOBAL_OPTIONS, ...command.options], rest)
    if (E.isLeft(tail)) throw new CliFailure(usage(`${tail.left} for terrapin ${name} (see terrapin ${name} --help)`))
    if (tail.right.positionals.length > 0)
      throw new CliFailure(
        usage(`terrapin ${name} takes no argument, got ${tail.right.positionals[0]} (see terrapin ${name} --help)`),
      )
    // Options before the command name count as well as those after it.
    const values = { ...head.right.values, ...tail.right.values }
    verbose = flag(values, 'verbose')
    if (flag(values, 'help')) {
      io.out(commandHelp(command))
      return 0
    }
    await command.run({ values, io })
    return 0
  } catch (e) {
    const err = describe(e)
    io.err(`terrapin: ${err.message}`)
    if (verbose) {
      const more = details(err)
      if (more) io.err(more)
    }
    return err.exit
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // Let stdout drain before exiting (a piped --json report can be long).
    process.exitCode = code
  })
}
