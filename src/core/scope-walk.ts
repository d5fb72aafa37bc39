/**
 * One scope's walk, as `du` and `cleanup` need it: the bytes of both dirs and
 * the activity file's text, in one pass. It runs in this thread or in a walk
 * worker (`walk-pool.ts`), so its input and output are plain data.
 */
import type { Stats } from 'node:fs'
import * as fs from './fs.js'
import { measureTree, measureTreeSync } from './scan.js'
import type { ScanSkip, TreeSize } from './scan.js'

export interface ScopeWalkJob {
  vectorsDir: string
  uploadsDir: string
  /** Read when the walk finds it as a regular file (`lastActiveAt` without a second lstat); omit to skip. */
  activityFile?: string
  /**
   * A store's manifest, read when the walk finds it as a regular file and no commit is pending
   * (`pendingFile` absent): `bento ls` counts documents from it without a second lstat; omit to skip.
   */
  manifestFile?: string
  pendingFile?: string
}

export interface ScopeWalk {
  vectors: TreeSize
  uploads: TreeSize
  /** The activity file's content, if it was a regular file and still readable; undefined otherwise. */
  activityText?: string
  /** The manifest's content, on the same terms (and only with no pending commit). */
  manifestText?: string
  /** Links seen and not descended into, in walk order. */
  skips: ScanSkip[]
}

/**
 * @example
 * const walk = await walkScope({ vectorsDir: layout.vectorsDir(scope), uploadsDir: layout.uploadsDir(scope) })
 * walk.vectors.bytes + walk.uploads.bytes
 */
export const walkScope = async (job: ScopeWalkJob): Promise<ScopeWalk> => {
  const walk = startScopeWalk(job)
  return walk.finish(await measureTree(job.vectorsDir, walk.vectorsOptions), await measureTree(job.uploadsDir, walk.uploadsOptions))
}

/** `walkScope` in one go, for a thread with no event loop to keep answering (a walk worker): no promise per scope. */
export const walkScopeSync = (job: ScopeWalkJob): ScopeWalk => {
  const walk = startScopeWalk(job)
  return walk.finish(measureTreeSync(job.vectorsDir, walk.vectorsOptions), measureTreeSync(job.uploadsDir, walk.uploadsOptions))
}

const startScopeWalk = (job: ScopeWalkJob) => {
  const skips: ScanSkip[] = []
  let activity: Stats | undefined
  let manifest: Stats | undefined
  let pending = false
  const onSkip = (skip: ScanSkip) => void skips.push(skip)
  const onFile = (file: string, stats: Stats) => {
    if (file === job.activityFile) activity = stats
    else if (file === job.manifestFile) manifest = stats
    else if (file === job.pendingFile) pending = true
  }
  const finish = (vectors: TreeSize, uploads: TreeSize): ScopeWalk => {
    const walk: ScopeWalk = { vectors, uploads, skips }
    if (job.activityFile !== undefined && activity?.isFile()) {
      try {
        walk.activityText = fs.readSmallTextSyncNoFollow(job.activityFile, activity.size)
      } catch {
        // Gone or swapped for a link since the walk: the caller falls back to its own answer.
      }
    }
    if (job.manifestFile !== undefined && manifest?.isFile() && !pending) {
      try {
        walk.manifestText = fs.readSmallTextSyncNoFollow(job.manifestFile, manifest.size)
      } catch {
        // Gone or swapped for a link since the walk: the caller reads the store its own way.
      }
    }
    return walk
  }
  return { vectorsOptions: { onSkip, onFile }, uploadsOptions: { onSkip }, finish }
}
