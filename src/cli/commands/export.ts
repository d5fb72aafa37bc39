import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectList, parseKinds, toCommonOptions, type CommonOptions } from '../options.js'
import type { ScopeKind } from '../../core/keys.js'

export interface ExportCommandOptions extends CommonOptions {
  /** A key or directory name; prompted for on a terminal when absent (and not --all). */
  scope: string | undefined
  all: boolean
  /** A file, `-` for stdout, or with --all a directory. */
  output: string | undefined
  kinds: ScopeKind[] | undefined
  force: boolean
}

const EXAMPLES = `
Examples:
  $ bento export user-123                     writes ./user-123.bento.tar
  $ bento export user-123 -o backup.tar
  $ bento export user-123 -o - | ssh backup 'cat > user-123.bento.tar'
  $ bento export --all -o backups/            one archive per scope

The archive holds the scope's documents with their vectors (never re-embedded),
uploads, conversations and memory, with a sha256 per entry; restore it with
"bento import". Exporting changes nothing in the data dir.`

export const toExportOptions = (scope: string | undefined, raw: Record<string, unknown>): ExportCommandOptions => ({
  ...toCommonOptions(raw),
  scope,
  all: raw.all === true,
  output: typeof raw.output === 'string' ? raw.output : undefined,
  kinds: parseKinds(raw.kind as string[] | undefined, '--kind'),
  force: raw.force === true,
})

export const registerExport = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('export')
    .description("write one scope (or every scope) as a portable, checksummed archive")
    .argument('[key-or-dir]', 'the scope: a key or its directory name (shared, session-<32 hex>, user-123)')
    .option('-o, --output <file>', 'the archive file (default ./<dir>.bento.tar), - for stdout; with --all, a directory (default .)')
    .option('--all', 'export every scope, one archive each')
    .option('--kind <kinds>', 'with --all: only these kinds (shared, session, custom; repeatable or comma-separated)', collectList)
    .option('--force', 'replace an existing archive file')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (scope: string | undefined, raw: Record<string, unknown>) => {
      const options = toExportOptions(scope, raw)
      const { runExport } = await import('../actions/export.js')
      return runExport(options, ctx)
    })
}
