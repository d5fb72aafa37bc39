/**
 * Per-scope quotas of the fs backend: one small JSON file per scope under
 * `.bento/quotas/<shared | isolated-<dir>>.json`. Operator state, not scope data:
 * it is not in the scope's directories, so migrate, export and cleanup of the
 * data leave it (the quota belongs to the key). A file that is not a valid quota
 * is a `corrupt_store` error rather than a silently lifted limit.
 */
import path from 'node:path'
import { FieldIssue, fields, integer, optional } from './check-fields.js'
import { CorruptStoreError, InvalidInputError } from './errors.js'
import * as fs from './fs.js'
import { ensureDir, type Layout } from './layout.js'
import type { Scope } from './keys.js'
import type { ScopeQuota } from './backend/types.js'

export const QUOTAS_DIR = 'quotas'

const limit = optional(integer(1))

/** A quota file holds only these two optional whole numbers above 0 (undefined otherwise). */
const toQuota = (value: unknown): ScopeQuota | undefined => {
  try {
    return fields<ScopeQuota>(value, '', { maxBytes: limit, maxDocuments: limit }, true)
  } catch (error) {
    if (error instanceof FieldIssue) return undefined
    throw error
  }
}

const quotaFileName = (scope: Scope): string => `${scope.kind === 'shared' ? 'shared' : `isolated-${scope.dir}`}.json`

const quotaFile = (layout: Layout, scope: Scope): string => path.join(layout.internalDir, QUOTAS_DIR, quotaFileName(scope))

/**
 * Which scopes have a quota file, from one listing of the quotas dir: a report over every
 * scope (du) then reads only those, instead of one lookup per scope (10k lookups at 10k scopes).
 *
 * @example
 * const hasQuota = await listQuotaHolders(layout); if (hasQuota(scope)) await readQuota(layout, scope)
 */
export const listQuotaHolders = async (layout: Layout): Promise<(scope: Scope) => boolean> => {
  let names: Set<string>
  try {
    names = new Set(await fs.readdir(path.join(layout.internalDir, QUOTAS_DIR)))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return () => false
    throw error
  }
  return (scope) => names.has(quotaFileName(scope))
}

export const readQuota = async (layout: Layout, scope: Scope): Promise<ScopeQuota | undefined> => {
  const file = quotaFile(layout, scope)
  if ((await fs.lstatOrUndefined(file))?.isFile() !== true) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(await fs.readText(file))
  } catch {
    throw new CorruptStoreError(`The quota file of scope ${scope.key} is not valid JSON; set it again with bento quota.`)
  }
  const quota = toQuota(parsed)
  if (quota === undefined) throw new CorruptStoreError(`The quota file of scope ${scope.key} is not a valid quota; set it again with bento quota.`)
  return quota
}

/** Writes (atomically) or, for undefined or an empty quota, removes the scope's quota. */
export const writeQuota = async (layout: Layout, scope: Scope, quota: ScopeQuota | undefined): Promise<void> => {
  const file = quotaFile(layout, scope)
  const value = toQuota(quota ?? {})
  if (value === undefined) throw new InvalidInputError(`Invalid quota for scope ${scope.key}: limits are whole numbers above 0.`)
  if (value.maxBytes === undefined && value.maxDocuments === undefined) {
    if ((await fs.lstatOrUndefined(file)) !== undefined) await fs.unlink(file)
    return
  }
  await ensureDir(layout, path.dirname(file))
  await fs.writeJsonAtomic(file, value)
}
