/**
 * Writes a command's result: the op's result object as JSON with `--json`
 * (the documented, stable shapes), otherwise the human rendering.
 */
import type { ChalkInstance } from 'chalk'
import type { CliContext } from './context.js'

export const printResult = <T>(ctx: CliContext, json: boolean, result: T, render: (result: T, paint: ChalkInstance) => string): void => {
  if (json) ctx.out(`${JSON.stringify(result, null, 2)}\n`)
  else ctx.out(render(result, ctx.terminal.paint))
}

/** A message for the operator on stderr (never with `--json`'s data). */
export const note = (ctx: CliContext, text: string): void => {
  ctx.err(`${text}\n`)
}

/** Unfinished operations a read-only command or dry run found and left alone, one line each on stderr. */
export const notePending = (ctx: CliContext, pending: ReadonlyArray<{ message: string }> | undefined): void => {
  for (const item of pending ?? []) note(ctx, `bento: note: ${item.message}.`)
}
