/**
 * `commit.journal`: the renames a commit still has to do. It is written (atomically)
 * only after every temp file is complete and fsynced, so its presence means "the new
 * version is whole": finishing it is always safe. Readers never need to: they see the
 * rolled-forward state by reading each listed temp that still exists (`resolveFiles`).
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { CorruptStoreError } from '../errors.js'
import { JOURNAL_FILE, isCommittedFile, isOwnTempName, isTempNameFor, type CommittedFile } from './files.js'

export interface JournalEntry {
  /** Base name of the temp file, in the store dir (a journal never names a path). */
  from: string
  to: CommittedFile
}

export interface Journal {
  version: 1
  renames: JournalEntry[]
}

export const journalPath = (dir: string): string => path.join(dir, JOURNAL_FILE)

/**
 * Threat: a planted or damaged journal that renames something outside the store's
 * own files. Only `.<file>.tmp-<hex>` → `<file>` for the store's files is accepted.
 * Test: test/core/store/commit.test.ts "refuses a journal naming foreign files".
 */
export const parseJournal = (text: string): Journal => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CorruptStoreError(`${JOURNAL_FILE}: not valid JSON.`, error)
  }
  const renames = (raw as { renames?: unknown } | null)?.renames
  if ((raw as { version?: unknown } | null)?.version !== 1 || !Array.isArray(renames)) {
    throw new CorruptStoreError(`${JOURNAL_FILE}: expected {version: 1, renames: [...]}.`)
  }
  const targets = new Set<string>()
  for (const entry of renames as Array<Record<string, unknown> | null>) {
    const from = entry?.from
    const to = entry?.to
    if (typeof to !== 'string' || !isCommittedFile(to) || typeof from !== 'string' || !isTempNameFor(from, to) || targets.has(to)) {
      throw new CorruptStoreError(`${JOURNAL_FILE}: invalid rename ${JSON.stringify(entry)}.`)
    }
    targets.add(to)
  }
  return { version: 1, renames: renames as JournalEntry[] }
}

export const readJournal = async (dir: string): Promise<Journal | undefined> => {
  let text: string
  try {
    text = await fs.readText(journalPath(dir))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return parseJournal(text)
}

/** Where each committed file's current content is: its temp while a journal still lists it, else itself. */
export const resolveFiles = async (dir: string, journal: Journal | undefined): Promise<Map<CommittedFile, string>> => {
  const resolved = new Map<CommittedFile, string>()
  for (const entry of journal?.renames ?? []) {
    const temp = path.join(dir, entry.from)
    if (await fs.exists(temp)) resolved.set(entry.to, temp)
  }
  return resolved
}

/** Finishes a journal's renames (idempotent: a temp already moved is skipped), then removes it. */
export const rollForward = async (dir: string, journal: Journal): Promise<void> => {
  for (const entry of journal.renames) {
    const temp = path.join(dir, entry.from)
    if (await fs.exists(temp)) await fs.rename(temp, path.join(dir, entry.to))
  }
  await fs.fsyncDir(dir)
  await fs.unlink(journalPath(dir))
  await fs.fsyncDir(dir)
}

/** Removes temp files of this store's own files left by a crash; other modules' temps are not ours. */
export const sweepTemps = async (dir: string): Promise<number> => {
  let swept = 0
  for (const name of await fs.readdir(dir)) {
    if (!isOwnTempName(name)) continue
    await fs.remove(path.join(dir, name))
    swept++
  }
  return swept
}

/**
 * Brings the directory to its last committed state: rolls a journal forward and
 * sweeps stray temps. It writes, so call it only while holding the scope's lock:
 * run beside another process's commit it would move or delete that commit's temps.
 *
 * @example
 * await withScopeLock(layout, scope, () => recoverStore(layout.vectorsDir(scope)))
 */
export const recoverStore = async (dir: string): Promise<{ rolledForward: boolean; swept: number }> => {
  if (!(await fs.exists(dir))) return { rolledForward: false, swept: 0 }
  const journal = await readJournal(dir)
  if (journal) await rollForward(dir, journal)
  return { rolledForward: journal !== undefined, swept: await sweepTemps(dir) }
}
