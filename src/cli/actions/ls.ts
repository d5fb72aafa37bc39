/** `bento ls`: what the command does once its options are parsed (loaded only when it runs). */
import { loadLsOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { notePending, printResult } from '../output.js'
import { renderDocumentList, renderScopeList } from '../render/ls.js'
import { NotFoundError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { LsOptions } from '../commands/ls.js'

/** Documents fetched per page when `ls <key>` lists every page. */
const PAGE = 100

const runDocumentList = async (options: LsOptions & { key: string }, ctx: CliContext): Promise<void> => {
  const { listDocumentPage } = await import('../../ops/list-documents.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scope = await resolveExistingScope(backend, scopeFromArg(options.key))
    if (!(await backend.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
    if (options.limit !== undefined) {
      printResult(ctx, options.json, await listDocumentPage(backend, scope, { limit: options.limit, cursor: options.cursor }), renderDocumentList)
      return
    }
    // Every page, through the same cursor the HTTP API hands out.
    const all = await listDocumentPage(backend, scope, { limit: PAGE, cursor: options.cursor })
    for (let cursor = all.nextCursor; cursor !== null;) {
      const page = await listDocumentPage(backend, scope, { limit: PAGE, cursor })
      all.documents.push(...page.documents)
      cursor = page.nextCursor
    }
    all.nextCursor = null
    printResult(ctx, options.json, all, renderDocumentList)
  })
}

export const runLs = async (options: LsOptions, ctx: CliContext): Promise<void> => {
  if (options.key !== undefined) return runDocumentList({ ...options, key: options.key }, ctx)
  const { listScopeSummaries } = await loadLsOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const result = await listScopeSummaries(backend, options.kinds ? { kinds: options.kinds } : {})
    printResult(ctx, options.json, result, renderScopeList)
    notePending(ctx, result.pending)
  })
}
