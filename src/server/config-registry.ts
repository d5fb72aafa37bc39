/**
 * Links a server's public `config` object to its live backend, so
 * `cleanupSessions(server.config)` (the seed's pattern) evicts from that
 * server's store pool instead of removing files under open stores.
 */
import type { StorageBackend } from '../core/backend/types.js'

const backends = new WeakMap<object, StorageBackend>()

export const bindConfigBackend = (config: object, backend: StorageBackend): void => {
  backends.set(config, backend)
}

export const unbindConfigBackend = (config: object): void => {
  backends.delete(config)
}

export const backendForConfig = (config: object): StorageBackend | undefined => backends.get(config)
