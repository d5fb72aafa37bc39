/**
 * `ScopeReports` on the filesystem backend: du's and ls's summaries are one walk per
 * scope (sizes and the activity file's text in one pass, on walk workers for big
 * trees; `walk-pool.ts`), inspect's facts a walk of the scope's uploads dir. Read only:
 * nothing is created, rolled forward or recorded.
 */
import path from 'node:path'
import { parseActivityText } from '../activity.js'
import * as fs from '../fs.js'
import type { Scope } from '../keys.js'
import { ACTIVITY_FILE } from '../layout.js'
import type { Layout } from '../layout.js'
import { mapConcurrent } from '../map-concurrent.js'
import { JOURNAL_FILE, MANIFEST_FILE } from '../store/files.js'
import { FORMAT as MANIFEST_FORMAT, FORMAT_VERSION as MANIFEST_FORMAT_VERSION } from '../store/manifest.js'
import { listQuotaHolders, readQuota } from '../quota-store.js'
import { measureTree, scanScopeBatches } from '../scan.js'
import type { ScopeWalk, ScopeWalkJob } from '../scope-walk.js'
import { createScopeWalker } from '../walk-pool.js'
import type { ScopeReports, ScopeStorageReport, ScopeSummary, ScopeSummaryOptions, StoredUploadEntry } from './contract/scope-reports.js'

export interface FsScopeReportsDeps {
  layout: Layout
  /** The activity tracker's answer, for scopes whose walk found no readable activity file. */
  lastActiveAt(scope: Scope): Promise<Date | undefined>
}

// Loaded by ls only: counting documents reads manifests (zod), which du never needs.
const loadCounter = () => import('../store/count-documents.js')

/**
 * `lastActiveAt` from the walk: the walk already lstat'ed `activity.json` and read it if it
 * was a regular file, instead of the tracker's lstat + symlink check + async read per scope.
 *
 * The content, not the file's mtime: they differ by more than coalescing. A migrate copies
 * the file (`copyFile` resets mtime to the copy time), a flush on close writes a touch up to
 * the coalescing window old, and files written by tools or restored by `cp` carry any mtime.
 * Cleanup judges by the content, so du must too. What is not seen here is a touch still
 * pending in this process (a server's unwritten, coalesced touches): at most the coalescing
 * window late. Scopes without a readable file take the tracker's answer (the newest mtime of
 * their dirs and top-level entries): undefined here sends the caller there.
 */
const lastActiveFromWalk = (walk: ScopeWalk): Date | undefined => {
  const record = walk.activityText === undefined ? null : parseActivityText(walk.activityText)
  return record ? new Date(record.lastActiveAt) : undefined
}

/**
 * The document count a manifest the walk read records, checked only as far as the count needs;
 * undefined sends the caller to `countStoreDocuments` (full validation, docstore and log).
 */
const documentsInManifest = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  try {
    const raw = JSON.parse(text) as { format?: unknown; formatVersion?: unknown; documents?: unknown }
    if (raw.format !== MANIFEST_FORMAT || typeof raw.formatVersion !== 'number' || raw.formatVersion > MANIFEST_FORMAT_VERSION) return undefined
    return Number.isSafeInteger(raw.documents) && (raw.documents as number) >= 0 ? (raw.documents as number) : undefined
  } catch {
    return undefined
  }
}

const isDir = async (p: string) => (await fs.lstatOrUndefined(p))?.isDirectory() === true

const countJsonFiles = async (dir: string): Promise<number> => {
  if (!(await isDir(dir))) return 0
  let count = 0
  for await (const entry of await fs.opendir(dir)) if (entry.isFile() && entry.name.endsWith('.json') && !fs.isTempName(entry.name)) count++
  return count
}

export const createFsScopeReports = (deps: FsScopeReportsDeps): ScopeReports => {
  const { layout } = deps

  async function* scopeSummaries(options: ScopeSummaryOptions = {}): AsyncGenerator<ScopeSummary> {
    const counter = options.documents ? await loadCounter() : undefined
    const hasQuota = options.quotas ? await listQuotaHolders(layout) : undefined
    const walker = createScopeWalker(options.threads === undefined ? {} : { threads: options.threads })
    const jobOf = (scope: Scope): ScopeWalkJob => {
      const vectorsDir = layout.vectorsDir(scope)
      return {
        vectorsDir,
        uploadsDir: layout.uploadsDir(scope),
        activityFile: vectorsDir + path.sep + ACTIVITY_FILE,
        ...(counter ? { manifestFile: vectorsDir + path.sep + MANIFEST_FILE, pendingFile: vectorsDir + path.sep + JOURNAL_FILE } : {}),
      }
    }
    // A batch at a time (one walk-worker message, no promise per scope); awaits only for what the walk could not answer.
    const summarize = async (scopes: Scope[]): Promise<ScopeSummary[]> => {
      const jobs = scopes.map(jobOf)
      const walks = await walker.walkBatch(jobs)
      const summaries: ScopeSummary[] = []
      for (let i = 0; i < scopes.length; i++) {
        const scope = scopes[i]!
        const walk = walks[i]!
        if (options.onSkip) for (const skip of walk.skips) options.onSkip(skip)
        const summary: ScopeSummary = {
          scope,
          vectorBytes: walk.vectors.bytes,
          uploadBytes: walk.uploads.bytes,
          files: walk.vectors.files + walk.uploads.files,
          lastActiveAt: lastActiveFromWalk(walk) ?? (await deps.lastActiveAt(scope)),
        }
        if (counter) summary.documents = documentsInManifest(walk.manifestText) ?? (await counter.countStoreDocuments(jobs[i]!.vectorsDir)) ?? 0
        if (hasQuota?.(scope)) {
          const quota = await readQuota(layout, scope)
          if (quota) summary.quota = quota
        }
        summaries.push(summary)
      }
      return summaries
    }
    const batches = scanScopeBatches(layout, { ...(options.kinds ? { kinds: options.kinds } : {}), ...(options.onSkip ? { onSkip: options.onSkip } : {}) })
    try {
      for await (const summaries of mapConcurrent(batches, walker.batchConcurrency, summarize)) yield* summaries
    } finally {
      await walker.close()
    }
  }

  const scopeStorage = async (scope: Scope): Promise<ScopeStorageReport> => {
    const uploadsDir = layout.uploadsDir(scope)
    const problems: string[] = []
    const files = new Map<string, string[]>()
    const measured = await measureTree(uploadsDir, {
      onSkip: (skip) => problems.push(`uploads: ${path.relative(layout.root, skip.path)} is a symlink`),
      onFile: (file, stats) => {
        if (!stats.isFile()) return
        const parts = path.relative(uploadsDir, file).split(path.sep)
        if (parts.length === 2) files.set(parts[0]!, [...(files.get(parts[0]!) ?? []), parts[1]!])
      },
    })
    const entries: StoredUploadEntry[] = []
    if (await isDir(uploadsDir)) {
      for await (const entry of await fs.opendir(uploadsDir)) {
        if (entry.isDirectory() && !fs.isTempName(entry.name)) entries.push({ documentId: entry.name, files: files.get(entry.name) ?? [] })
      }
    }
    // Memory and conversations live inside the vectors dir: never looked at through a linked one.
    // Test: test/reliability/symlinks.test.ts "a scope dir that is a link to outside: inspect never follows it".
    const vectorsIsDir = await isDir(layout.vectorsDir(scope))
    return {
      locations: { vectors: layout.vectorsDir(scope), uploads: uploadsDir },
      stores: { documents: vectorsIsDir, memory: vectorsIsDir && (await isDir(layout.memoryDir(scope))) },
      uploads: { files: measured.files, bytes: measured.bytes, entries },
      conversations: vectorsIsDir ? await countJsonFiles(layout.conversationsDir(scope)) : 0,
      problems,
    }
  }

  return { scopeSummaries, scopeStorage }
}
