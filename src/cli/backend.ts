/**
 * Opens the storage backend for one command and always closes it, so the
 * scope locks and open indexes of a CLI run never outlive the run.
 */
import type { StorageBackend } from '../core/backend/types.js'
import { EMBEDDER_ENV } from '../core/defaults.js'
import { NotFoundError } from '../core/errors.js'
import * as fs from '../core/fs.js'

export interface BackendRunOptions {
  dataDir: string
  /** `postgres://…` or `pglite:<dir>` (`--backend`, `BENTO_DATABASE_URL`): the data dir is then not used. */
  backend?: string
  /** Create the data dir when missing (only `add` does); otherwise a missing dir is `not_found`. */
  create?: boolean
  /** Where the embedder configuration is read from (the process env). */
  env: NodeJS.ProcessEnv
}

// The API key alone never picks an embedder (it is also the chat key): only these variables can.
const CHOOSING_ENV = [EMBEDDER_ENV.kind, EMBEDDER_ENV.dimension, EMBEDDER_ENV.url, EMBEDDER_ENV.model]

/**
 * With no embedder configured, `embedderFromEnv` answers the default local
 * embedder; building that one directly skips loading the configuration
 * parser (zod), a tenth of a second of every `bento du`. Any embedder
 * variable set goes through `embedderFromEnv` and its validation.
 */
const embedderFor = async (env: NodeJS.ProcessEnv) => {
  if (CHOOSING_ENV.every((name) => !env[name]?.trim())) {
    const { createLocalEmbedder } = await import('../core/embeddings/local.js')
    return createLocalEmbedder()
  }
  const { embedderFromEnv } = await import('../core/embeddings/index.js')
  return embedderFromEnv(env)
}

/** The PostgreSQL (or PGlite) backend of `--backend`; the schema is created or migrated on open. */
const openDatabaseBackend = async (spec: string, env: NodeJS.ProcessEnv): Promise<StorageBackend> => {
  const [{ createPgBackend }, { parseDatabaseSpec }, { databasePoolSizeFromEnv }] = await Promise.all([
    import('../core/backend/pg/pg-backend.js'),
    import('../core/backend/pg/spec.js'),
    import('../core/env.js'),
  ])
  const poolSize = databasePoolSizeFromEnv(env)
  return createPgBackend({ spec: parseDatabaseSpec(spec), embedder: await embedderFor(env), ...(poolSize === undefined ? {} : { poolSize }) })
}

export const withBackend = async <T>(options: BackendRunOptions, fn: (backend: StorageBackend) => Promise<T>): Promise<T> => {
  if (options.backend !== undefined) {
    const backend = await openDatabaseBackend(options.backend, options.env)
    try {
      return await fn(backend)
    } finally {
      await backend.close()
    }
  }
  // A mistyped --data-dir would otherwise answer "no scopes" and look healthy.
  if (!options.create && !(await fs.exists(options.dataDir))) {
    throw new NotFoundError(`No data dir at ${options.dataDir} (set --data-dir or BENTO_DATA_DIR).`)
  }
  // Loaded here, not at startup: the store pulls in hnswlib-node (see ops.ts).
  const { createFsBackend } = await import('../core/backend/index.js')
  const backend = createFsBackend({ dataDir: options.dataDir, embedder: await embedderFor(options.env) })
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}
