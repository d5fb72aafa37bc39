/**
 * What a store object remembers of the files it last read or wrote: the identity
 * (inode, size, mtime) of the manifest and of a pending journal. Every commit renames
 * a new manifest into place, so a commit by anyone changes it; a crashed commit
 * leaves a journal. Comparing them costs two lstats.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { JOURNAL_FILE, MANIFEST_FILE } from './files.js'

export interface DirIdentity {
  manifest: string | undefined
  journal: string | undefined
}

const identityOf = async (file: string): Promise<string | undefined> => {
  const stats = await fs.lstatOrUndefined(file)
  return stats === undefined ? undefined : `${stats.ino}:${stats.size}:${stats.mtimeMs}`
}

export const readIdentity = async (dir: string): Promise<DirIdentity> => ({
  manifest: await identityOf(path.join(dir, MANIFEST_FILE)),
  journal: await identityOf(path.join(dir, JOURNAL_FILE)),
})

export const sameIdentity = (a: DirIdentity, b: DirIdentity): boolean => a.manifest === b.manifest && a.journal === b.journal
