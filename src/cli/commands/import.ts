import path from 'node:path'
import type { Command } from 'commander'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { loadImportOps } from '../ops.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { note, printResult } from '../output.js'
import { renderImport } from '../render/export.js'

export interface ImportCommandOptions extends CommonOptions {
  file: string
  as: string | undefined
  dryRun: boolean
  yes: boolean
}

const EXAMPLES = `
Examples:
  $ bento import user-123.bento.tar --yes                 restore user-123
  $ bento import user-123.bento.tar --as user-456 --yes   the same data under another key
  $ bento import backup.tar --dry-run                     verify every checksum, write nothing

Every checksum is verified before anything is written, and the scope appears
all at once or not at all. The target must hold no data (import never merges),
and the configured embedder must be the one that made the archive's vectors.`

export const toImportOptions = (file: string, raw: Record<string, unknown>): ImportCommandOptions => ({
  ...toCommonOptions(raw),
  file: path.resolve(file),
  as: typeof raw.as === 'string' ? raw.as : undefined,
  dryRun: raw.dryRun === true,
  yes: raw.yes === true,
})

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

export const registerImport = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('import')
    .description('create a scope from an archive written by "bento export"')
    .argument('<file>', 'the archive (.bento.tar)')
    .option('--as <key>', "import under this key instead of the archive's own")
    .option('--dry-run', 'verify the archive and print what would be imported; change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((file: string, raw: Record<string, unknown>) => runImport(toImportOptions(file, raw), ctx))
}
