/** `bento export`: what the command does once its options are parsed (loaded only when it runs). */
import path from 'node:path'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { exitCodeFor } from '../exit-codes.js'
import { loadExportOps } from '../ops.js'
import { note, printResult } from '../output.js'
import { pickScope } from '../pick.js'
import { createProgress } from '../progress.js'
import { renderExport } from '../render/export.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { ExportResult } from '../../ops/types.js'
import type { ExportCommandOptions } from '../commands/export.js'

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
