import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

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
    .action(async (file: string, raw: Record<string, unknown>) => {
      const options = toImportOptions(file, raw)
      const { runImport } = await import('../actions/import.js')
      return runImport(options, ctx)
    })
}
