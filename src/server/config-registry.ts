/**
 * Links a server's public `config` object to its live backend and clock, so
 * `cleanupSessions(server.config)` (the seed's pattern) evicts from that
 * server's store pool instead of removing files under open stores, and judges
 * expiry by the same clock as the server.
 */
import type { StorageBackend } from '../core/backend/types.js'

export interface LiveServer {
  backend: StorageBackend
  now: () => number
}

const servers = new WeakMap<object, LiveServer>()

export const bindConfigBackend = (config: object, live: LiveServer): void => {
  servers.set(config, live)
}

export const unbindConfigBackend = (config: object): void => {
  servers.delete(config)
}

export const liveServerForConfig = (config: object): LiveServer | undefined => servers.get(config)
