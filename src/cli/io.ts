/**
 * The command line's contact with the outside: where it writes, where it asks its questions.
 * A question needs a person at a terminal; without one (CI, a pipe, no stdin) it is an error
 * that names the flag which answers it, never a silent default.
 */
import { createInterface } from 'readline'
import { CliFailure, failed } from './report'

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  readonly cwd: string
  /** Asks a yes/no question; `flag` is what answers it without a terminal. */
  readonly ask: (question: string, flag: string) => Promise<boolean>
}

/**
 * Reads one yes/no answer from a terminal on stdin; rejects with a `CliFailure` naming `flag`
 * when stdin is not a terminal.
 */
export const terminalAsk =
  (stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream) => (question: string, flag: string) => {
    const q = question.replace(/\s+$/, '')
    if (!stdin.isTTY)
      return Promise.reject(new CliFailure(failed(`${q.replace(/\?$/, '')}: no terminal to ask; ${flag}`)))
    return new Promise<boolean>((resolve) => {
      const rl = createInterface({ input: stdin, output: stderr })
      rl.question(`${q} [y/N] `, (answer) => {
        // Before close: its handler answers no.
        resolve(/^y(es)?$/i.test(answer.trim()))
        rl.close()
      })
      // Ctrl-D: no answer is no.
      rl.on('close', () => resolve(false))
    })
  }

/** The process's own streams. */
export const processIo = (): Io => ({
  out: (line) => void process.stdout.write(line + '\n'),
  err: (line) => void process.stderr.write(line + '\n'),
  cwd: process.cwd(),
  ask: terminalAsk(process.stdin, process.stderr),
})
