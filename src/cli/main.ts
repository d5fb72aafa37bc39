/**
 * The CLI entry: `bin/bento.js` runs `process.exitCode = await main(argv)`.
 * `main` never throws and never calls `process.exit`; this is the one place
 * where an error becomes an exit code and a single `bento: <message>` line.
 */
import { CommanderError } from 'commander'
import { isBentoError, toBentoError } from '../core/errors.js'
import { createProcessContext, type CliContext } from './context.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-codes.js'
import { createProgram, loadRegistrars } from './program.js'

/**
 * Runs the `bento` command line.
 *
 * @example
 * process.exitCode = await main(process.argv) // e.g. ['node', 'bento', 'du', '--json']
 */
export const main = async (argv: string[], given?: CliContext): Promise<number> => {
  const ctx = given ?? (await createProcessContext())
  try {
    const program = createProgram(ctx, await loadRegistrars(argv))
    await program.parseAsync(argv)
    return ctx.exitCode
  } catch (error) {
    return reportError(error, ctx)
  }
}

const debugEnabled = (ctx: CliContext): boolean => ctx.env.BENTO_DEBUG === '1' || ctx.env.BENTO_DEBUG === 'true'

const isErrno = (error: unknown): boolean =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string'

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim()

export const reportError = (error: unknown, ctx: CliContext): number => {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help) through configureOutput.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK
    return EXIT_USAGE
  }
  if (debugEnabled(ctx) && error instanceof Error && error.stack) ctx.err(`${error.stack}\n`)
  const typed = isBentoError(error) ? error : isErrno(error) ? toBentoError(error, 'I/O error') : undefined
  if (typed) {
    ctx.err(`bento: ${oneLine(typed.message)}\n`)
    return exitCodeFor(typed.code)
  }
  const message = error instanceof Error ? error.message : String(error)
  ctx.err(`bento: unexpected error: ${oneLine(message)}${debugEnabled(ctx) ? '' : ' (set BENTO_DEBUG=1 for details)'}\n`)
  return EXIT_FAILURE
}
