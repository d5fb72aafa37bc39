/**
 * Opens the storage backend for one command and always closes it, so the
 * scope locks and open indexes of a CLI run never outlive the run.
 */
import type { StorageBackend } from '../core/backend/types.js'
import { NotFoundError } from '../core/errors.js'
import * as fs from '../core/fs.js'

export interface BackendRunOptions {
  dataDir: string
  /** Create the data dir when missing (only `add` does); otherwise a missing dir is `not_found`. */
  create?: boolean
  /** Where the embedder configuration is read from (the process env). */
  env: NodeJS.ProcessEnv
}

export const withBackend = async <T>(options: BackendRunOptions, fn: (backend: StorageBackend) => Promise<T>): Promise<T> => {
  // A mistyped --data-dir would otherwise answer "no scopes" and look healthy.
  if (!options.create && !(await fs.exists(options.dataDir))) {
    throw new NotFoundError(`No data dir at ${options.dataDir} (set --data-dir or BENTO_DATA_DIR).`)
  }
  // Loaded here, not at startup: the store pulls in hnswlib-node (see ops.ts).
  const [{ createFsBackend }, { embedderFromEnv }] = await Promise.all([import('../core/backend/index.js'), import('../core/embeddings/index.js')])
  const backend = createFsBackend({ dataDir: options.dataDir, embedder: embedderFromEnv(options.env) })
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}
