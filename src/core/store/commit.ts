/**
 * The journaled multi-file commit. A SIGKILL at any instant leaves the old or the
 * new version of the whole store, never a mix:
 *
 *   1. write every changed file to a temp name, fsynced          (old version on disk)
 *   2. write commit.journal atomically, listing the renames       (new version decided)
 *   3. rename each temp over its file, the manifest last, fsync the dir
 *   4. remove the journal, fsync the dir
 *
 * A crash before 2 leaves stray temps (swept later); from 2 on, readers see the new
 * version through the journal and the next writer finishes it (`rollForward`).
 * Tests: test/core/store/crash.test.ts, crash.stress.test.ts.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { crashPoint } from '../faults.js'
import { assertLocksHeld } from '../lock.js'
import type { CommittedFile } from './files.js'
import { journalPath, type Journal } from './journal.js'

export interface StagedFile {
  name: CommittedFile
  /** Absolute path of the complete, fsynced temp file. */
  temp: string
  bytes: number
}

/** Step 1 for a file whose content is in memory. */
export const stageText = async (dir: string, name: CommittedFile, text: string): Promise<StagedFile> => {
  const temp = fs.tempPathFor(path.join(dir, name))
  const data = Buffer.from(text, 'utf8')
  try {
    await fs.writeFileDurable(temp, data)
  } catch (error) {
    await discardStaged([{ name, temp, bytes: 0 }])
    throw error
  }
  return { name, temp, bytes: data.length }
}

/** Removes temps of a commit that will not happen; best effort, the next sweep catches the rest. */
export const discardStaged = async (staged: StagedFile[]): Promise<void> => {
  for (const file of staged) await fs.remove(file.temp).catch(() => undefined)
}

/** Steps 2–4. `staged` must list the manifest last. */
export const applyCommit = async (dir: string, staged: StagedFile[]): Promise<void> => {
  crashPoint('store.commit.after-temp-files')
  const journal: Journal = { version: 1, renames: staged.map((file) => ({ from: path.basename(file.temp), to: file.name })) }
  try {
    // The journal decides the new version: a process that lost the scope's lock must not get that far.
    await assertLocksHeld()
    await fs.writeJsonAtomic(journalPath(dir), journal)
  } catch (error) {
    await discardStaged(staged)
    throw error
  }
  crashPoint('store.commit.after-journal')
  for (const file of staged) {
    await fs.rename(file.temp, path.join(dir, file.name))
    crashPoint('store.commit.rename')
  }
  crashPoint('store.commit.after-renames')
  await fs.fsyncDir(dir)
  await fs.unlink(journalPath(dir))
  crashPoint('store.commit.after-journal-removed')
  await fs.fsyncDir(dir)
}

/**
 * The commit of an append to the log (log-file.ts): the log record is already
 * durable beyond the counted bytes, and renaming the one new manifest over the
 * old one makes it count. A single rename is atomic, so no journal is needed:
 * a crash before it leaves the old version, after it the new one.
 */
export const applyManifest = async (dir: string, manifest: StagedFile): Promise<void> => {
  try {
    await assertLocksHeld()
    await fs.rename(manifest.temp, path.join(dir, manifest.name))
  } catch (error) {
    await discardStaged([manifest])
    throw error
  }
  crashPoint('store.append.after-manifest')
  await fs.fsyncDir(dir)
}
