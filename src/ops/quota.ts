/**
 * Quotas per scope: `maxBytes` of disk (vectors and uploads, as `du` counts them)
 * and `maxDocuments`. A scope's own quota (`bento quota`, the admin API, kept by
 * the backend) wins field by field over the server's default (`quota` option,
 * `--quota-max-*`, `BENTO_QUOTA_MAX_*`). A write that would take a scope past one
 * is refused before anything is written: `QuotaExceededError` (HTTP 413, exit 3)
 * with the limit, the usage and what the write would add.
 */
import type { VectorStore } from '../core/store/types.js'
import type { ScopeQuota, StorageBackend } from '../core/backend/types.js'
import { QuotaExceededError } from '../core/errors.js'
import type { OnConflict } from '../core/ingest/pipeline.js'
import type { Scope } from '../core/keys.js'
import { parseByteSize } from '../core/byte-size.js'
import { envInteger, envText, type Env } from '../core/env.js'

export interface QuotaUsage {
  bytes: number
  documents: number
}

export interface QuotaReport {
  key: string
  /** The limits in force: the scope's own, else the default; null is unlimited. */
  quota: { maxBytes: number | null; maxDocuments: number | null }
  /** Where each limit comes from. */
  source: { maxBytes: 'scope' | 'default' | 'none'; maxDocuments: 'scope' | 'default' | 'none' }
  /** The scope's own quota as stored (null when it has none). */
  own: ScopeQuota | null
  usage: QuotaUsage
}

/** The limits in force for `scope`: its own quota over `defaults`, field by field. */
export const effectiveQuota = async (backend: StorageBackend, scope: Scope, defaults: ScopeQuota = {}): Promise<ScopeQuota> =>
  mergeQuota(await backend.getQuota(scope), defaults)

/** The limits in force: each of the scope's own, else the default's. */
export const mergeQuota = (own: ScopeQuota | undefined, defaults: ScopeQuota = {}): ScopeQuota => {
  const maxBytes = own?.maxBytes ?? defaults.maxBytes
  const maxDocuments = own?.maxDocuments ?? defaults.maxDocuments
  return { ...(maxBytes === undefined ? {} : { maxBytes }), ...(maxDocuments === undefined ? {} : { maxDocuments }) }
}

export const isLimited = (quota: ScopeQuota): boolean => quota.maxBytes !== undefined || quota.maxDocuments !== undefined

export const quotaUsage = async (backend: StorageBackend, scope: Scope): Promise<QuotaUsage> => ({
  bytes: (await backend.usage(scope)).totalBytes,
  documents: (await backend.holdings(scope)).documents,
})

export const quotaReport = async (backend: StorageBackend, scope: Scope, defaults: ScopeQuota = {}): Promise<QuotaReport> => {
  const own = (await backend.getQuota(scope)) ?? null
  const sourceOf = (field: keyof ScopeQuota) => (own?.[field] !== undefined ? 'scope' : defaults[field] !== undefined ? 'default' : 'none') as 'scope' | 'default' | 'none'
  return {
    key: scope.key,
    quota: { maxBytes: own?.maxBytes ?? defaults.maxBytes ?? null, maxDocuments: own?.maxDocuments ?? defaults.maxDocuments ?? null },
    source: { maxBytes: sourceOf('maxBytes'), maxDocuments: sourceOf('maxDocuments') },
    own,
    usage: await quotaUsage(backend, scope),
  }
}

/** Throws `QuotaExceededError` when adding `adding` to `usage` passes a limit of `quota`. */
export const assertWithinQuota = (scope: Scope, quota: ScopeQuota, usage: QuotaUsage, adding: QuotaUsage): void => {
  const details = { quota: { maxBytes: quota.maxBytes ?? null, maxDocuments: quota.maxDocuments ?? null }, usage: { ...usage }, adding: { ...adding } }
  if (quota.maxDocuments !== undefined && adding.documents > 0 && usage.documents + adding.documents > quota.maxDocuments) {
    throw new QuotaExceededError(
      `Scope ${scope.key} may hold ${quota.maxDocuments} documents; it holds ${usage.documents} and this would add ${adding.documents}. Delete documents or raise its quota (bento quota ${scope.key} --max-documents N).`,
      details,
    )
  }
  if (quota.maxBytes !== undefined && adding.bytes > 0 && usage.bytes + adding.bytes > quota.maxBytes) {
    throw new QuotaExceededError(
      `Scope ${scope.key} may use ${quota.maxBytes} bytes; it uses ${usage.bytes} and this would add ${adding.bytes}. Delete documents or raise its quota (bento quota ${scope.key} --max-bytes SIZE).`,
      details,
    )
  }
}

/**
 * What files named `names` of `bytes` in total would add to a store: a name a stored
 * document has replaces it (`replace`) or is skipped (`reject`), so only `keep-both`
 * and new names add documents. Bytes count the originals, never less (a replaced
 * document's space is not subtracted: the check stays conservative).
 */
export const addedByFiles = (store: Pick<VectorStore, 'listDocuments'> | undefined, files: ReadonlyArray<{ name: string; bytes: number }>, onConflict: OnConflict = 'replace'): QuotaUsage => {
  const sources = new Set((store?.listDocuments() ?? []).map((document) => (typeof document.metadata.source === 'string' ? document.metadata.source : document.title)))
  const counted = files.filter((file) => onConflict === 'keep-both' || !sources.has(file.name))
  return { bytes: (onConflict === 'reject' ? counted : files).reduce((sum, file) => sum + file.bytes, 0), documents: counted.length }
}

/**
 * The check a write makes under the scope's lock, right before its commit: usage read
 * then cannot change before the commit publishes (two uploads at once cannot both pass).
 */
export const admitFiles = async (
  backend: StorageBackend, scope: Scope, store: Pick<VectorStore, 'listDocuments'>, quota: ScopeQuota, files: ReadonlyArray<{ name: string; bytes: number }>, onConflict?: OnConflict,
): Promise<void> => {
  if (!isLimited(quota)) return
  assertWithinQuota(scope, quota, { bytes: (await backend.usage(scope)).totalBytes, documents: store.listDocuments().length }, addedByFiles(store, files, onConflict))
}

/** The default quota of `BENTO_QUOTA_MAX_BYTES` and `BENTO_QUOTA_MAX_DOCUMENTS` (`bento serve` and `bento add` alike). */
export const quotaFromEnv = (env: Env): ScopeQuota | undefined => {
  const bytes = envText(env, 'BENTO_QUOTA_MAX_BYTES')
  const documents = envInteger(env, 'BENTO_QUOTA_MAX_DOCUMENTS', 1)
  if (bytes === undefined && documents === undefined) return undefined
  return { ...(bytes === undefined ? {} : { maxBytes: parseByteSize(bytes, 'BENTO_QUOTA_MAX_BYTES') }), ...(documents === undefined ? {} : { maxDocuments: documents }) }
}
