/**
 * Operation intents: a multi-step operation (migrate, cleanup) writes what it is
 * about to do to `.bento/journal/<id>.json` before its first change and removes
 * it after its last, so a process killed in between leaves a note the next
 * command reads to finish (or undo) the work. The replay logic lives with the
 * fs backend's operations (`core/backend/fs-recover.ts`); this module only stores intents (and
 * removes the temp files of intent writes killed mid-way).
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import path from 'node:path'
import * as fs from './fs.js'
import { assertNoSymlinks, ensureDir } from './layout.js'
import { localChangeEpoch, noteLocalChange } from './local-changes.js'
import type { Layout } from './layout.js'
import { scopeFromDirName } from './keys.js'
import type { Scope, ScopeKind } from './keys.js'

export interface IntentScope {
  kind: ScopeKind
  key: string
  dir: string
}

export interface JournalIntent {
  id: string
  op: string
  /** Every scope the operation changes: their reads answer busy until it is done. */
  scopes: IntentScope[]
  /** How far the operation got; each op names its own phases. */
  phase: string
  pid: number
  host: string
  createdAt: string
  data: Record<string, unknown>
}

const INTENT_FILE = /^(op-[0-9a-z]+-[0-9a-f]{12})\.json$/

/** Intents this process is executing right now: never replayed by this process's own recovery. */
const activeHere = new Set<string>()

export const newOperationId = (): string => `op-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`

export const intentScope = (scope: Scope): IntentScope => ({ kind: scope.kind, key: scope.key, dir: scope.dir })

/** The scope an intent names, re-validated: a tampered journal cannot name a path. */
export const scopeOfIntent = (ref: IntentScope | undefined): Scope => {
  if (ref === undefined) throw new Error('intent names no scope')
  const scope = scopeFromDirName(ref.dir)
  if (scope.kind !== ref.kind) throw new Error(`intent scope ${ref.dir} is not of kind ${ref.kind}`)
  return scope
}

const intentPath = (layout: Layout, id: string): string => path.join(layout.journalDir, `${id}.json`)

/**
 * Starts an intent: durable on disk (atomic write + directory fsync) before the
 * caller's first change, and marked active in this process.
 *
 * @example
 * const intent = await beginIntent(layout, { op: 'cleanup', scopes: [scope], phase: 'start', data: {} })
 * // … steps, each followed by updateIntent(layout, intent, 'next-phase') …
 * await endIntent(layout, intent)
 */
export const beginIntent = async (
  layout: Layout,
  fields: Pick<JournalIntent, 'op' | 'phase' | 'data'> & { scopes: Scope[]; id?: string },
): Promise<JournalIntent> => {
  const intent: JournalIntent = {
    id: fields.id ?? newOperationId(),
    op: fields.op,
    scopes: fields.scopes.map(intentScope),
    phase: fields.phase,
    pid: process.pid,
    host: hostname(),
    createdAt: new Date().toISOString(),
    data: fields.data,
  }
  await ensureDir(layout, layout.journalDir)
  activeHere.add(intent.id)
  try {
    await fs.writeJsonAtomic(intentPath(layout, intent.id), intent)
  } catch (error) {
    activeHere.delete(intent.id)
    throw error
  }
  noteLocalChange()
  return intent
}

/** Records the next phase durably. */
export const updateIntent = async (layout: Layout, intent: JournalIntent, phase: string, data?: Record<string, unknown>): Promise<void> => {
  intent.phase = phase
  if (data) intent.data = { ...intent.data, ...data }
  await fs.writeJsonAtomic(intentPath(layout, intent.id), intent)
  noteLocalChange()
}

/** The operation is complete: the intent is removed (durably) and no longer active. */
export const endIntent = async (layout: Layout, intent: JournalIntent): Promise<void> => {
  await fs.remove(intentPath(layout, intent.id))
  await fs.fsyncDir(layout.journalDir).catch(() => {})
  activeHere.delete(intent.id)
  noteLocalChange()
}

/** Stops treating an intent as running here (its operation failed); it stays on disk for recovery. */
export const releaseIntent = (intent: JournalIntent): void => {
  activeHere.delete(intent.id)
  noteLocalChange()
}

/** Claims an intent found on disk for replay by this process. */
export const claimIntent = (intent: JournalIntent): boolean => {
  if (activeHere.has(intent.id)) return false
  activeHere.add(intent.id)
  noteLocalChange()
  return true
}

export const isActiveHere = (id: string): boolean => activeHere.has(id)

export interface ReadIntentsResult {
  intents: JournalIntent[]
  /** Files in the journal that are not readable intents (reported by inspect, never executed). */
  unreadable: string[]
  /** Temp files of atomic intent writes (`.<id>.json.tmp-<hex>`): a live write, or a stray of a killed one. */
  temps: string[]
}

/** Every intent on disk (the journal holds a handful at most: one per running or crashed operation). */
export const readIntents = async (layout: Layout): Promise<ReadIntentsResult> => {
  const result: ReadIntentsResult = { intents: [], unreadable: [], temps: [] }
  let names: string[]
  // Threat: a symlinked .bento or .bento/journal feeding intents (and temp sweeps) from outside the data dir.
  await assertNoSymlinks(layout, layout.journalDir)
  try {
    names = await fs.readdir(layout.journalDir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result
    throw error
  }
  for (const name of names.sort()) {
    if (fs.isTempName(name)) {
      result.temps.push(name)
      continue
    }
    const match = INTENT_FILE.exec(name)
    try {
      if (!match) throw new Error('not an intent name')
      const intent = await fs.readJson<JournalIntent>(path.join(layout.journalDir, name))
      if (intent.id !== match[1] || !Array.isArray(intent.scopes) || typeof intent.op !== 'string') throw new Error('malformed')
      result.intents.push(intent)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue // finished meanwhile
      result.unreadable.push(name)
    }
  }
  return result
}

/**
 * A temp file this old is no live write: an atomic write creates, fsyncs and renames its
 * temp within milliseconds, so only a writer killed mid-write leaves one this long.
 */
export const JOURNAL_TEMP_GRACE_MS = 60_000

/**
 * Removes stray temp files of intent writes killed mid-write, among `names` (as
 * `readIntents` listed them). Only regular files older than the grace period go:
 * a younger one may be another process's write in flight. Threat: a symlink planted
 * under a temp name; `unlink` removes names, never follows links, and a link is not
 * a regular file, so it is left alone with its target.
 * Test: test/ops/recover.test.ts "sweeps stray journal temp files".
 */
export const sweepJournalTemps = async (layout: Layout, names: string[], graceMs = JOURNAL_TEMP_GRACE_MS): Promise<number> => {
  const candidates = names.filter((name) => fs.isTempName(name))
  if (candidates.length === 0) return 0
  await assertNoSymlinks(layout, layout.journalDir)
  const cutoff = Date.now() - graceMs
  let swept = 0
  for (const name of candidates) {
    const file = path.join(layout.journalDir, name)
    const stats = await fs.lstatOrUndefined(file)
    if (stats === undefined || !stats.isFile() || stats.mtimeMs > cutoff) continue
    try {
      await fs.unlink(file)
      swept++
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error // ENOENT: another recoverer was first
    }
  }
  if (swept > 0) await fs.fsyncDir(layout.journalDir).catch(() => {})
  return swept
}

const involving = (intents: JournalIntent[], scope: Scope): JournalIntent[] =>
  intents.filter((intent) => intent.scopes.some((s) => s.kind === scope.kind && s.dir === scope.dir))

/** Intents (running anywhere, or left by a crash) that involve the scope. */
export const pendingIntentsFor = async (layout: Layout, scope: Scope): Promise<JournalIntent[]> =>
  involving((await readIntents(layout)).intents, scope)

// A directory's mtime has the kernel's coarse clock granularity (a few ms): a change in the
// same tick as the stat that preceded a read would keep the mtime. A listing is reused only
// when the mtime it was read at is older than this, as git treats "racily clean" entries.
const RACY_MS = 50
const listings = new WeakMap<Layout, { stamp: string; epoch: number; intents: JournalIntent[] }>()

/**
 * `pendingIntentsFor` for the read hot path: one `lstat` of the journal dir, and the
 * intents are read again only when the dir changed (inode, mtime, ctime) or this
 * process began, ended or claimed an intent since.
 * Test: test/core/journal.test.ts "cachedPendingIntentsFor".
 */
export const cachedPendingIntentsFor = async (layout: Layout, scope: Scope): Promise<JournalIntent[]> => {
  const epoch = localChangeEpoch()
  const startedAt = Date.now()
  const stats = await fs.lstatOrUndefined(layout.journalDir)
  const stamp = stats === undefined ? 'none' : `${stats.ino}:${stats.mtimeMs}:${stats.ctimeMs}`
  const known = listings.get(layout)
  if (known && known.stamp === stamp && known.epoch === epoch) return involving(known.intents, scope)
  const { intents } = stats === undefined ? { intents: [] } : await readIntents(layout)
  if (stats === undefined || startedAt - Math.max(stats.mtimeMs, stats.ctimeMs) > RACY_MS) listings.set(layout, { stamp, epoch, intents })
  else listings.delete(layout)
  return involving(intents, scope)
}

/**
 * True when the intent's process is certainly gone (same host, no such pid).
 * A live owner means the operation is still running: leave it alone.
 */
export const isOwnerGone = (intent: JournalIntent): boolean => {
  if (intent.host !== hostname()) return false
  if (intent.pid === process.pid) return !activeHere.has(intent.id)
  try {
    process.kill(intent.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
