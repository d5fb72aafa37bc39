/**
 * A store's counts from its manifest alone, without loading the index: what a
 * migrate plan needs, in constant time whatever the store's size (loading a
 * large store only to count it grew with its size, twice per migrate).
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { JOURNAL_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'
import { parseManifest } from './manifest.js'
import type { StoreStats } from './types.js'

export interface StorePeek {
  stats: StoreStats
  documents: number
}

/**
 * Undefined when the manifest alone cannot be trusted to describe the store: a
 * commit is pending (`commit.journal`: the open rolls it forward), there is no
 * manifest (a LangChain dir, or no store), or it predates the document count.
 * Callers then open the store. Never follows a link (the manifest is read with
 * O_NOFOLLOW). A malformed manifest throws `CorruptStoreError`, as an open would.
 *
 * @example
 * const peek = await peekStore(layout.vectorsDir(scope)) // { stats: { live: 10, … }, documents: 3 }
 */
export const peekStore = async (dir: string): Promise<StorePeek | undefined> => {
  if ((await fs.lstatOrUndefined(path.join(dir, JOURNAL_FILE))) !== undefined) return undefined
  const file = path.join(dir, MANIFEST_FILE)
  const stats = await fs.lstatOrUndefined(file)
  if (!stats?.isFile()) return undefined
  let text: string
  try {
    text = fs.readTextSyncNoFollow(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined
    throw error
  }
  const manifest = parseManifest(text)
  if (manifest.documents === undefined) return undefined
  return {
    stats: {
      live: manifest.live,
      deleted: manifest.deleted,
      capacity: manifest.capacity,
      dimension: manifest.dimension,
      space: manifest.space,
      embedderId: manifest.embedderId ?? undefined,
      efSearch: manifest.efSearch,
      revision: manifest.revision,
      lexical: manifest.files[LEXICAL_FILE] !== undefined,
    },
    documents: manifest.documents,
  }
}
