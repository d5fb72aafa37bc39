import path from 'node:path'
import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { exitCodeFor } from '../exit-codes.js'
import { loadExportOps } from '../ops.js'
import { addCommonOptions, collectList, parseKinds, toCommonOptions, type CommonOptions } from '../options.js'
import { note, printResult } from '../output.js'
import { pickScope } from '../pick.js'
import { createProgress } from '../progress.js'
import { renderExport } from '../render/export.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { ScopeKind } from '../../core/keys.js'
import type { ExportResult } from '../../ops/types.js'

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

const generatorOf = (ctx: CliContext) => `bento-core ${ctx.version}`

export const runExport = async (options: ExportCommandOptions, ctx: CliContext): Promise<void> => {
  if (options.all && options.scope !== undefined) throw new InvalidOptionsError('Give a scope or --all, not both.')
  if (!options.all && options.kinds !== undefined) throw new InvalidOptionsError('--kind goes with --all.')
  const toStdout = options.output === '-'
  if (toStdout) {
    if (options.all) throw new InvalidOptionsError('--all writes one file per scope: give a directory with -o, not -.')
    if (options.json) throw new InvalidOptionsError('-o - writes the archive to stdout; --json cannot share it.')
    if (ctx.outStream === undefined) throw new InvalidOptionsError('-o -: no stdout to write to here.')
    // clig.dev: binary data is not for a terminal.
    if (ctx.outStream.isTTY) throw new InvalidOptionsError('-o - would write a binary archive to the terminal: redirect stdout, or give a file.')
  }
  const typed = options.scope === undefined ? undefined : scopeFromArg(options.scope)
  const { archiveNameOf, exportAllScopes, exportScopeArchive } = await loadExportOps()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    let result: ExportResult
    if (options.all) {
      const progress = createProgress(ctx, 'Exporting', { json: options.json })
      try {
        result = await exportAllScopes(backend, { dir: path.resolve(options.output ?? '.'), kinds: options.kinds, force: options.force, generator: generatorOf(ctx), onProgress: progress.onProgress })
      } finally {
        progress.stop()
      }
    } else {
      const scope = typed ? await resolveExistingScope(backend, typed) : await pickScope(ctx, backend, { message: 'Export which scope?', what: 'argument <key-or-dir> (or --all)' })
      const target = toStdout ? { stream: ctx.outStream! } : { file: path.resolve(options.output ?? archiveNameOf(scope)), force: options.force }
      result = { archives: [await exportScopeArchive(backend, scope, target, { generator: generatorOf(ctx) })], failed: [] }
    }
    if (toStdout) note(ctx, renderExport(result, ctx.terminal.paintErr).trimEnd())
    else printResult(ctx, options.json, result, renderExport)
    const failure = result.failed[0]
    if (failure) ctx.exitCode = exitCodeFor(failure.code)
  })
}

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
    .action((scope: string | undefined, raw: Record<string, unknown>) => runExport(toExportOptions(scope, raw), ctx))
}
