/**
 * Every default the CLI, the library and the server share, defined once. The
 * option docs, `--help` texts and the README quote these names' values; a test
 * (test/core/defaults.test.ts) keeps the help texts in step.
 */

/** Where the data lives unless `--data-dir` / `BENTO_DATA_DIR` / `dataDir` say otherwise. */
export const DEFAULT_DATA_DIR = './data'

/** Open stores kept in a backend's LRU pool: a second limit beside the memory budget. */
export const DEFAULT_MAX_OPEN_STORES = 10_000
/** Bytes the open stores may hold (their estimated footprints), sized for a server with 1–2 GB of RAM. */
export const DEFAULT_MAX_STORE_MEMORY = 512 * 1024 ** 2
/** A read trusts its scope's last check (not locked or changed by another process) this long. */
export const DEFAULT_READ_FRESHNESS_MS = 50
/** How long a write waits for its scope's lock before answering `locked`. */
export const DEFAULT_LOCK_WAIT_MS = 2000
/** A store unused this long is closed. */
export const DEFAULT_STORE_IDLE_MS = 5 * 60_000

/** Largest upload (file) accepted for ingestion. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
/** Most text characters extracted from one file. */
export const DEFAULT_MAX_TEXT_CHARS = 2_000_000
/** An extraction (one upload's parse, in a worker) is stopped after this long. */
export const DEFAULT_EXTRACT_TIMEOUT_MS = 30_000
/** Heap budget of an extraction worker, in MB. */
export const DEFAULT_EXTRACT_MEMORY_MB = 512
/** Largest JSON request body. */
export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024

/** A session scope lives this long after its last activity (the seed's 24 h). */
export const DEFAULT_SESSION_TTL_MS = 24 * 60 * 60 * 1000
/** How often a started server in session mode sweeps expired sessions. */
export const DEFAULT_CLEANUP_INTERVAL_MS = 30 * 60 * 1000
/** Conversations idle this long expire (their memories stay). */
export const DEFAULT_CONVERSATION_TTL_MS = 24 * 60 * 60 * 1000
/**
 * Activity writes are coalesced to one per scope per this window, so a live
 * server's last use of a scope can be up to this much newer than its
 * `activity.json` says. Cleanup adds it to every idle age it judges.
 */
export const ACTIVITY_COALESCE_MS = 60_000

/** The local embedder's vector length. */
export const DEFAULT_LOCAL_DIMENSION = 384

/** The environment variables the embedder is configured by (`embedderFromEnv`). */
export const EMBEDDER_ENV = {
  kind: 'BENTO_EMBEDDER',
  dimension: 'BENTO_EMBEDDINGS_DIMENSION',
  url: 'BENTO_EMBEDDINGS_URL',
  model: 'BENTO_EMBEDDINGS_MODEL',
  apiKey: 'OPENROUTER_API_KEY',
} as const
