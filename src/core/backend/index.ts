export { createFsBackend, DEFAULT_LOCK_WAIT_MS, DEFAULT_MAX_OPEN_STORES, DEFAULT_MAX_STORE_MEMORY, DEFAULT_READ_FRESHNESS_MS } from './fs-backend.js'
export type * from './types.js'
