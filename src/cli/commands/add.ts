import path from 'node:path'
import type { Command } from 'commander'
import { ingestLimitsFromEnv } from '../../core/ingest/limits.js'
import { scopeFromArg } from '../../core/keys.js'
import { loadAddOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderAdd } from '../render/add.js'

export interface AddOptions extends CommonOptions {
  key: string
  /** Absolute paths of files or directories to ingest. */
  paths: string[]
}

const EXAMPLES = `
Examples:
  $ bento add user-123 notes.md report.pdf
  $ bento add shared ./handbook/           every supported file under the directory
  $ bento add tenant_a:user_1 spec.docx --json

Supported: .txt .md .html .json .pdf .docx. The embedder comes from the
environment (see docs/CLI.md "Environment").`

export const toAddOptions = (key: string, paths: string[], raw: Record<string, unknown>): AddOptions => ({
  ...toCommonOptions(raw),
  key,
  paths: paths.map((p) => path.resolve(p)),
})

export const runAdd = async (options: AddOptions, ctx: CliContext): Promise<void> => {
  const scope = scopeFromArg(options.key)
  const { addFiles } = await loadAddOp()
  await withBackend({ dataDir: options.dataDir, create: true, env: ctx.env }, async (backend) => {
    const progress = createProgress(ctx, 'Adding', { json: options.json })
    try {
      const result = await addFiles(backend, scope, options.paths, { onProgress: progress.onProgress, limits: ingestLimitsFromEnv(ctx.env) })
      progress.stop()
      printResult(ctx, options.json, result, renderAdd)
    } finally {
      progress.stop()
    }
  })
}

export const registerAdd = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('add')
    .description("ingest files or directories into a scope's documents (extract, chunk, embed, index)")
    .argument('<key>', 'the scope: a key or its directory name')
    .argument('<files...>', 'files or directories to add')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((key: string, files: string[], raw: Record<string, unknown>) => runAdd(toAddOptions(key, files, raw), ctx))
}
