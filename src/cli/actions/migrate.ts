/** `bento migrate`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg, type Scope } from '../../core/keys.js'
import { loadMigrateOps } from '../ops.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { note, printResult } from '../output.js'
import { askKey, pickScope } from '../pick.js'
import { withProgress } from '../progress.js'
import { renderMigrate } from '../render/migrate.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { MigrateOptions } from '../commands/migrate.js'

export const runMigrate = async (options: MigrateOptions, ctx: CliContext): Promise<void> => {
  if (!options.dryRun) assertCanConfirm(ctx, { yes: options.yes, command: 'migrate' })
  // Typos in the typed keys fail before the data dir is touched.
  const typedFrom = options.from === undefined ? undefined : scopeFromArg(options.from)
  const typedTo = options.to === undefined ? undefined : scopeFromArg(options.to)
  const { applyMigrate, planMigrate } = await loadMigrateOps()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const from = typedFrom ? await resolveExistingScope(backend, typedFrom) : await pickScope(ctx, backend, { message: 'Migrate which scope?', what: 'argument <from>' })
    const to: Scope = typedTo ?? (await askKey(ctx, {
      message: `Migrate ${from.key} to which key?`,
      what: 'option --to <key>',
      rejects: (scope) => (scope.dir === from.dir ? 'The target must differ from the source.' : undefined),
    }))
    const { effectiveQuota, quotaFromEnv } = await import('../../ops/quota.js')
    const plan = await planMigrate(backend, { from, to, copy: options.copy, dryRun: options.dryRun, targetQuota: await effectiveQuota(backend, to, quotaFromEnv(ctx.env)) })
    const preview = await applyMigrate(backend, plan, { dryRun: true })
    if (options.dryRun) return printResult(ctx, options.json, preview, renderMigrate)
    if (!options.yes) {
      note(ctx, renderMigrate(preview, ctx.terminal.paintErr).trimEnd())
      await confirmChange(ctx, { yes: options.yes, command: 'migrate', question: `${options.copy ? 'Copy' : 'Move'} ${from.key} to ${to.key}?` })
    }
    const result = await withProgress(ctx, 'Migrating', { json: options.json }, (onProgress) => applyMigrate(backend, plan, { onProgress }))
    printResult(ctx, options.json, result, renderMigrate)
  })
}
