/**
 * `bento du`: disk use per scope, from the backend's summaries (`scopeSummaries`).
 * On the fs backend sizes are apparent sizes: the sum of `lstat` sizes of every
 * file and symlink (a link counts as itself, never its target; directories
 * count 0). That equals
 * `find <dir> ! -type d -printf '%s\n' | awk '{s+=$1} END {print s}'`.
 * On a database they are the stored sizes of the scope's chunks and uploads.
 */
import { InvalidOptionsError } from '../core/errors.js'
import { tenantOf } from '../core/keys.js'
import type { Scope, ScopeKind } from '../core/keys.js'
import type { ScopeQuota, StorageBackend } from '../core/backend/types.js'
import { isLimited, mergeQuota } from './quota.js'
import type { ScopeSummary, ScopeSummaryOptions } from '../core/backend/contract/scope-reports.js'
import { pendingNotes } from './pending.js'
import { toIso, toRef } from './scope-ref.js'
import type { DiskUsageGroup, DiskUsageResult, DiskUsageRow, OnProgress } from './types.js'

export type DiskUsageSort = 'size' | 'name' | 'age'

export interface DiskUsageOptions {
  kinds?: ScopeKind[]
  /** Default `size` (largest first); `name` ascending; `age` least recently active first. */
  sort?: DiskUsageSort
  /** Keep only the first N rows of the sort (held in a bounded heap, not a full list). */
  top?: number
  groupBy?: 'tenant'
  onProgress?: OnProgress
  /** Entries not counted as scopes, or links not descended into. */
  onSkip?: ScopeSummaryOptions['onSkip']
  /** The default quota (a scope's own wins): rows of scopes with a quota in force carry it. */
  quotaDefaults?: ScopeQuota
  /** fs: worker threads that walk big trees beside this thread (see `createScopeWalker`); 0 for none. */
  threads?: number
}

type Compare = (a: DiskUsageRow, b: DiskUsageRow) => number

const byName: Compare = (a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)
const COMPARE: Record<DiskUsageSort, Compare> = {
  size: (a, b) => b.totalBytes - a.totalBytes || byName(a, b),
  name: byName,
  // Never-active (null) first: they are the likeliest garbage.
  age: (a, b) => (a.lastActiveAt ?? '') .localeCompare(b.lastActiveAt ?? '') || byName(a, b),
}

/** Keeps the `limit` smallest rows under `compare`: a max-heap whose root is the worst kept row. */
class TopRows {
  private readonly heap: DiskUsageRow[] = []
  constructor(private readonly limit: number, private readonly compare: Compare) {}

  push(row: DiskUsageRow): void {
    if (this.heap.length < this.limit) {
      this.heap.push(row)
      this.up(this.heap.length - 1)
    } else if (this.limit > 0 && this.compare(row, this.heap[0]!) < 0) {
      this.heap[0] = row
      this.down(0)
    }
  }

  sorted(): DiskUsageRow[] {
    return [...this.heap].sort(this.compare)
  }

  private worse(i: number, j: number) {
    return this.compare(this.heap[i]!, this.heap[j]!) > 0
  }
  private swap(i: number, j: number) {
    const t = this.heap[i]!
    this.heap[i] = this.heap[j]!
    this.heap[j] = t
  }
  private up(i: number) {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.worse(i, parent)) return
      this.swap(i, parent)
      i = parent
    }
  }
  private down(i: number) {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let worst = i
      if (l < this.heap.length && this.worse(l, worst)) worst = l
      if (r < this.heap.length && this.worse(r, worst)) worst = r
      if (worst === i) return
      this.swap(i, worst)
      i = worst
    }
  }
}

const rowOf = (summary: ScopeSummary): DiskUsageRow => ({
  ...toRef(summary.scope),
  vectorBytes: summary.vectorBytes,
  uploadBytes: summary.uploadBytes,
  totalBytes: summary.vectorBytes + summary.uploadBytes,
  files: summary.files,
  lastActiveAt: toIso(summary.lastActiveAt),
})

/**
 * Disk use of every scope, largest first. Streams the scopes; totals and tenant
 * groups always cover every scope, even with `top`.
 *
 * @example
 * const { scopes, totalBytes } = await diskUsage(backend, { top: 10 })
 * const { groups } = await diskUsage(backend, { groupBy: 'tenant' })
 */
export const diskUsage = async (backend: StorageBackend, options: DiskUsageOptions = {}): Promise<DiskUsageResult> => {
  const sort = options.sort ?? 'size'
  if (!(sort in COMPARE)) throw new InvalidOptionsError(`Unknown sort "${String(sort)}": use size, name or age.`)
  if (options.top !== undefined && (!Number.isInteger(options.top) || options.top < 1)) {
    throw new InvalidOptionsError('--top must be a whole number of at least 1.')
  }
  // Read-only: an unfinished operation is reported, never finished here (test/reliability/read-only-pending.test.ts).
  const pending = await pendingNotes(backend)
  const compare = COMPARE[sort]
  const top = options.top === undefined ? undefined : new TopRows(options.top, compare)
  const rows: DiskUsageRow[] = []
  const groups = new Map<string, DiskUsageGroup>()
  const result: DiskUsageResult = { scopes: [], totalBytes: 0, vectorBytes: 0, uploadBytes: 0, files: 0, scopeCount: 0 }
  const summaryOptions = {
    ...(options.kinds ? { kinds: options.kinds } : {}),
    ...(options.onSkip ? { onSkip: options.onSkip } : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    quotas: true,
  }
  const ownQuota = new WeakMap<DiskUsageRow, ScopeQuota>()
  const tally = (scope: Scope, row: DiskUsageRow, quota: ScopeQuota | undefined) => {
    if (quota) ownQuota.set(row, quota)
    result.scopeCount++
    result.totalBytes += row.totalBytes
    result.vectorBytes += row.vectorBytes
    result.uploadBytes += row.uploadBytes
    result.files += row.files
    if (options.groupBy === 'tenant') {
      const tenant = tenantOf(scope)
      const group = groups.get(tenant) ?? { tenant, scopes: 0, vectorBytes: 0, uploadBytes: 0, totalBytes: 0, files: 0 }
      group.scopes++
      group.vectorBytes += row.vectorBytes
      group.uploadBytes += row.uploadBytes
      group.totalBytes += row.totalBytes
      group.files += row.files
      groups.set(tenant, group)
    }
    if (top) top.push(row)
    else rows.push(row)
    options.onProgress?.({ done: result.scopeCount, label: scope.key })
  }
  for await (const summary of backend.scopeSummaries(summaryOptions)) tally(summary.scope, rowOf(summary), summary.quota)
  result.scopes = top ? top.sorted() : rows.sort(compare)
  // Own quotas came with the summaries (read only for the scopes that have one); a scope's own wins over the default.
  for (const row of result.scopes) {
    const quota = mergeQuota(ownQuota.get(row), options.quotaDefaults)
    if (isLimited(quota)) row.quota = { maxBytes: quota.maxBytes ?? null, maxDocuments: quota.maxDocuments ?? null }
  }
  if (pending.length > 0) result.pending = pending
  if (options.groupBy === 'tenant') {
    result.groups = [...groups.values()].sort((a, b) => b.totalBytes - a.totalBytes || (a.tenant < b.tenant ? -1 : 1))
  }
  return result
}
