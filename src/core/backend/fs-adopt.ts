/**
 * `StorageBackend.adoptStore` for the filesystem: declares the embedder of a store another
 * tool wrote (LangChain's `HNSWLib.save`), under the scope's lock. A manifest that disagrees
 * with the data files (LangChain re-saved a store Bento wrote) is rebuilt from the files.
 */
import * as fs from '../fs.js'
import { CorruptStoreError, EmbedderMismatchError, NotFoundError, RefusedError } from '../errors.js'
import type { Layout } from '../layout.js'
import type { Scope } from '../keys.js'
import { withScopeLock } from '../lock.js'
import type { HnswVectorStore } from '../store/vector-store.js'
import type { AdoptStoreOptions, StoreAdoption } from './types.js'

const openForAdoption = async (dir: string): Promise<{ store: HnswVectorStore; rebuiltManifest: string | undefined }> => {
  // Loaded on use, like the backend's pool: the store module pulls in hnswlib.
  const { openStore } = await import('../store/open-store.js')
  try {
    return { store: (await openStore({ dir, create: false })) as HnswVectorStore, rebuiltManifest: undefined }
  } catch (error) {
    if (!(error instanceof CorruptStoreError)) throw error
    // The files themselves are still validated (index header, docstore agreement): only the manifest is set aside.
    return { store: (await openStore({ dir, create: false, ignoreManifest: true })) as HnswVectorStore, rebuiltManifest: error.message }
  }
}

export const adoptFsStore = async (layout: Layout, scope: Scope, options: AdoptStoreOptions, evict: () => Promise<void>): Promise<StoreAdoption> => {
  const dir = layout.vectorsDir(scope)
  if (!(await fs.lstatOrUndefined(dir))?.isDirectory()) throw new NotFoundError(`Scope "${scope.key}" has no vector store to adopt.`)
  return withScopeLock(layout, scope, async () => {
    await evict()
    const { store, rebuiltManifest } = await openForAdoption(dir)
    try {
      const { dimension, live, embedderId: previous } = store.stats()
      if (dimension === undefined) throw new NotFoundError(`Scope "${scope.key}" has no vector store to adopt.`)
      if (dimension !== options.dimension) {
        throw new EmbedderMismatchError(
          `The store's vectors have ${dimension} dimensions but embedder "${options.embedderId}" makes ${options.dimension}: nothing was written. Declare the embedder that made them.`,
        )
      }
      if (rebuiltManifest === undefined && previous !== undefined && previous !== options.embedderId) {
        throw new RefusedError(`The store already records embedder "${previous}"; a store's embedder is declared once (re-ingest into a new scope to change it).`)
      }
      const changed = rebuiltManifest !== undefined || previous !== options.embedderId
      if (changed && options.dryRun !== true) await store.adoptEmbedder(options.embedderId)
      return { dimension, live, previousEmbedderId: rebuiltManifest === undefined ? previous : undefined, rebuiltManifest, changed }
    } finally {
      await store.close()
      await evict()
    }
  }, { waitMs: options.lockWaitMs ?? 2000 })
}
