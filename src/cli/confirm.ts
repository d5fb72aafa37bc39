/**
 * The gate in front of every destructive apply: `--yes`, or a "yes" typed at
 * a terminal. Without a terminal and without `--yes` nothing is changed.
 */
import { CancelledError, InvalidOptionsError } from '../core/errors.js'
import type { CliContext } from './context.js'

export interface ConfirmOptions {
  yes: boolean
  /** The question, e.g. `Remove 3 scopes (1.2 MiB)?`. */
  question: string
  /** The command, for the refusal message: `cleanup`. */
  command: string
}

/** Throws before any change when the operator did not agree. */
export const confirmChange = async (ctx: CliContext, options: ConfirmOptions): Promise<void> => {
  if (options.yes) return
  assertCanConfirm(ctx, options)
  const agreed = await ctx.prompts.confirm(options.question, { default: false })
  if (!agreed) throw new CancelledError('Not confirmed; nothing changed.')
}

/** Checked up front, so a script missing `--yes` fails before any work is done. */
export const assertCanConfirm = (ctx: CliContext, options: Pick<ConfirmOptions, 'yes' | 'command'>): void => {
  if (options.yes || ctx.terminal.interactive) return
  throw new InvalidOptionsError(`${options.command} changes data and stdin is not a terminal: pass --yes to confirm (or --dry-run to preview).`)
}
