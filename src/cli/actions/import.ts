/** `bento import`: what the command does once its options are parsed (loaded only when it runs). */
import path from 'node:path'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { loadImportOps } from '../ops.js'
import { note, printResult } from '../output.js'
import { renderImport } from '../render/export.js'
import type { ImportCommandOptions } from '../commands/import.js'

export const runImport = async (options: ImportCommandOptions, ctx: CliContext): Promise<void> => {
  if (!options.dryRun) assertCanConfirm(ctx, { yes: options.yes, command: 'import' })
  // A typo in --as fails before the archive is read.
  const as = options.as === undefined ? undefined : scopeFromArg(options.as)
  const { applyImport, planImport } = await loadImportOps()
  // A new data dir is made by the import itself (a dry run reads only, so it works without one).
  await withBackend({ ...options, env: ctx.env, create: true }, async (backend) => {
    const plan = await planImport(backend, { file: options.file, as, dryRun: options.dryRun })
    if (options.dryRun) return printResult(ctx, options.json, plan.result, renderImport)
    if (!options.yes) {
      note(ctx, renderImport(plan.result, ctx.terminal.paintErr).trimEnd())
      await confirmChange(ctx, { yes: options.yes, command: 'import', question: `Create scope ${plan.scope.key} from ${path.basename(options.file)}?` })
    }
    printResult(ctx, options.json, await applyImport(backend, plan), renderImport)
  })
}
