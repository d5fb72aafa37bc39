/**
 * What every command receives besides its options: where to write, the
 * terminal's abilities, the prompts and the version. `main` makes the real one
 * from the process; nothing below it touches `process.stdout` directly.
 */
import { readFileSync } from 'node:fs'
import { createInquirerPrompter, type Prompter } from './prompts.js'
import { detectTerminal, type Terminal } from './tty.js'

export interface CliContext {
  readonly version: string
  readonly env: NodeJS.ProcessEnv
  readonly terminal: Terminal
  readonly prompts: Prompter
  /** Data: tables or JSON. */
  out(text: string): void
  /** Messages for the operator. */
  err(text: string): void
  /** For progress bars, which redraw in place. */
  readonly errStream: NodeJS.WriteStream
  /** Raw bytes on stdout (`bento export -o -`); absent where a command has no real stdout. */
  readonly outStream?: NodeJS.WritableStream & { isTTY?: boolean }
  /** Set by a command that finished but must report a non-zero status (e.g. `inspect` of an unhealthy scope). */
  exitCode: number
}

/** Read at run time from the package root (one level above `dist/` or `src/`). */
export const readVersion = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export const createProcessContext = async (): Promise<CliContext> => {
  // `bento du | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  const terminal = await detectTerminal(process, process.env)
  return {
    version: readVersion(),
    env: process.env,
    terminal,
    prompts: createInquirerPrompter(process.stderr),
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errStream: process.stderr,
    outStream: process.stdout,
    exitCode: 0,
  }
}
