import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { addCommonOptions, parseChoice, toCommonOptions, type CommonOptions } from '../options.js'
import type { OnConflict } from '../../core/ingest/pipeline.js'

export interface AddOptions extends CommonOptions {
  key: string
  /** Absolute paths of files or directories to ingest. */
  paths: string[]
  onConflict: OnConflict
  /** `--metadata` as given: JSON text, validated when the command runs. */
  metadata: string | undefined
}

const ON_CONFLICT: readonly OnConflict[] = ['replace', 'keep-both', 'reject']

const EXAMPLES = `
Examples:
  $ bento add user-123 notes.md report.pdf
  $ bento add shared ./handbook/           every supported file under the directory
  $ bento add tenant_a:user_1 spec.docx --json
  $ bento add user-123 notes.md --on-conflict reject     keep the stored notes.md
  $ bento add user-123 ./billing --metadata '{"team":"billing"}'

Supported: .txt .md .html .json .pdf .docx. The embedder comes from the
environment (see docs/CLI.md "Environment").`

export const toAddOptions = (key: string, paths: string[], raw: Record<string, unknown>): AddOptions => ({
  ...toCommonOptions(raw),
  key,
  paths: paths.map((p) => path.resolve(p)),
  onConflict: parseChoice(typeof raw.onConflict === 'string' ? raw.onConflict : undefined, '--on-conflict', ON_CONFLICT) ?? 'replace',
  metadata: typeof raw.metadata === 'string' ? raw.metadata : undefined,
})

export const registerAdd = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('add')
    .description("ingest files or directories into a scope's documents (extract, chunk, embed, index)")
    .argument('<key>', 'the scope: a key or its directory name')
    .argument('<files...>', 'files or directories to add')
    .option('--on-conflict <policy>', 'a file whose name a stored document has: replace, keep-both or reject', 'replace')
    .option('--metadata <json>', 'a JSON object stored with every chunk, e.g. \'{"team":"billing"}\'')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (key: string, files: string[], raw: Record<string, unknown>) => {
      const options = toAddOptions(key, files, raw)
      const { runAdd } = await import('../actions/add.js')
      return runAdd(options, ctx)
    })
}
