/**
 * The fs backend's survey of scopes for a cleanup plan: one walk per scope (on
 * the walk workers past the first few hundred) yields its bytes and its activity
 * file's content together, so a plan over 10k small scopes costs about what
 * `du` does, not a walk plus a dozen async lstats and reads per scope. What the
 * walk cannot say falls back to the backend's own answers.
 */
import path from 'node:path'
import { parseActivityText } from '../activity.js'
import { UnsafePathError } from '../errors.js'
import * as fs from '../fs.js'
import type { Scope } from '../keys.js'
import { assertNoSymlinks } from '../layout.js'
import { createScopeWalker } from '../walk-pool.js'
import type { ScopeSurvey, ScopeSurveyor } from './contract/scope-moves.js'
import type { FsMoveDeps } from './fs-scope-moves.js'

const unsafeMessage = (error: unknown): string => {
  if (error instanceof UnsafePathError) return `unsafe path: ${error.message}`
  throw error
}

export const createFsSurveyor = (deps: FsMoveDeps): ScopeSurveyor => {
  const { layout } = deps
  const walker = createScopeWalker()
  // The dirs above a scope's (vectors/isolated, uploads/isolated) are shared by every scope: checked once per survey.
  const parents = new Map<string, Promise<string | undefined>>()
  const parentUnsafe = (dir: string) => {
    const parent = path.dirname(dir)
    let check = parents.get(parent)
    if (check === undefined) {
      check = assertNoSymlinks(layout, parent).then(() => undefined, unsafeMessage)
      parents.set(parent, check)
    }
    return check
  }

  // One listing of the lock dirs instead of an lstat per scope. A lock taken after it is not seen here, which
  // only makes a plan list a scope that apply then skips: apply takes every lock itself, never trusting this.
  let locks: Promise<Set<string>> | undefined
  const lockDirs = () =>
    (locks ??= fs.readdir(layout.locksDir).then((names) => new Set(names), (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return new Set<string>()
      throw error
    }))

  const survey = async (scope: Scope): Promise<ScopeSurvey> => {
    const vectorsDir = layout.vectorsDir(scope)
    const uploadsDir = layout.uploadsDir(scope)
    const unsafeAbove = (await parentUnsafe(vectorsDir)) ?? (await parentUnsafe(uploadsDir))
    if (unsafeAbove) return { exists: await deps.scopeExists(scope), bytes: 0, lastActiveAt: await deps.lastActiveAt(scope), unsafe: unsafeAbove, maybeLocked: true }
    const walk = await walker.walk({ vectorsDir, uploadsDir, activityFile: layout.activityFile(scope) })
    // Threat: a scope dir swapped for a link; the walk never descends into it and reports it.
    const link = walk.skips.find((skip) => skip.path === vectorsDir || skip.path === uploadsDir)
    const record = walk.activityText === undefined ? null : parseActivityText(walk.activityText)
    const empty = walk.vectors.files === 0 && walk.uploads.files === 0
    const lockDir = `${path.basename(layout.lockTarget(scope))}.lock`
    return {
      // A walk that found no file cannot tell an empty scope from none: ask.
      exists: !empty || (await deps.scopeExists(scope)),
      bytes: walk.vectors.bytes + walk.uploads.bytes,
      lastActiveAt: record ? new Date(record.lastActiveAt) : await deps.lastActiveAt(scope),
      ...(link ? { unsafe: `unsafe path: Refusing to follow a symlink inside the data dir: ${path.relative(layout.root, link.path)}` } : {}),
      maybeLocked: (await lockDirs()).has(lockDir),
    }
  }

  return { survey, concurrency: walker.concurrency, close: () => walker.close() }
}
