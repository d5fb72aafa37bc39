export { createFsBackend, DEFAULT_LOCK_WAIT_MS, DEFAULT_READ_FRESHNESS_MS } from './fs-backend.js'
export type * from './types.js'
