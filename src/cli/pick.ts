/**
 * Interactive fill-ins for a missing required argument, offered only on a
 * terminal; without one the argument is simply required (exit 2).
 */
import type { StorageBackend } from '../core/backend/types.js'
import { InvalidOptionsError } from '../core/errors.js'
import { scopeFromArg, type Scope, type ScopeKind } from '../core/keys.js'
import { loadDiskUsageOp } from './ops.js'
import type { CliContext } from './context.js'
import { DURATION_HINT, tryParseDuration } from '../core/duration.js'
import { formatAge, formatBytes } from './render/format.js'

/** A select list of thousands of scopes helps nobody; offer the largest. */
const MAX_CHOICES = 200

const requireTerminal = (ctx: CliContext, what: string): void => {
  if (!ctx.terminal.interactive) throw new InvalidOptionsError(`Missing ${what}.`)
}

/** `select` a scope from the data dir, largest first, with sizes and ages. */
export const pickScope = async (ctx: CliContext, backend: StorageBackend, options: { message: string; what: string; kinds?: ScopeKind[] }): Promise<Scope> => {
  requireTerminal(ctx, options.what)
  const { diskUsage } = await loadDiskUsageOp()
  const usage = await diskUsage(backend, { sort: 'size', top: MAX_CHOICES, ...(options.kinds ? { kinds: options.kinds } : {}) })
  if (usage.scopes.length === 0) throw new InvalidOptionsError(`Missing ${options.what}, and the data dir has no scopes to choose from.`)
  const key = await ctx.prompts.select(
    options.message,
    usage.scopes.map((row) => ({
      name: `${row.key}  (${row.kind}, ${formatBytes(row.totalBytes)}, active ${formatAge(row.lastActiveAt)})`,
      value: row.key,
    })),
  )
  return scopeFromArg(key)
}

/** Explains why a typed key is not one, in the key module's own words. */
export const validateKey = (value: string, rejects?: (scope: Scope) => string | undefined): true | string => {
  try {
    const scope = scopeFromArg(value)
    return rejects?.(scope) ?? true
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** `input` a key, validated as it is typed. */
export const askKey = async (ctx: CliContext, options: { message: string; what: string; rejects?: (scope: Scope) => string | undefined }): Promise<Scope> => {
  requireTerminal(ctx, options.what)
  const answer = await ctx.prompts.input(options.message, { validate: (value) => validateKey(value, options.rejects) })
  return scopeFromArg(answer)
}

/** `input` a duration such as `24h`. */
export const askDuration = async (ctx: CliContext, options: { message: string; what: string; default?: string }): Promise<string> => {
  requireTerminal(ctx, options.what)
  return ctx.prompts.input(options.message, {
    ...(options.default === undefined ? {} : { default: options.default }),
    validate: (value) => (tryParseDuration(value) === undefined ? `Not a duration: ${DURATION_HINT}.` : true),
  })
}
