/**
 * PGlite (PostgreSQL compiled to WebAssembly) with pgvector, served over the
 * PostgreSQL wire protocol on 127.0.0.1 by `@electric-sql/pglite-socket`, so
 * `pglite:<dir>` runs the very code `postgres://…` runs: one `pg` pool, one SQL.
 *
 * PGlite is one single-threaded session: the socket server queues every
 * connection's statements and runs a transaction's statements before anyone
 * else's, so transactions stay isolated, but session state (SET, session-level
 * advisory locks) is shared by every connection. The backend therefore uses only
 * transaction-scoped locks and never changes session settings.
 *
 * One process at a time opens a data dir (pglite-owner.ts).
 *
 * A fresh data dir costs an initdb, much slower than opening an existing one
 * (the README's "Three ways to run" gives the figures).
 */
import { mkdir } from 'node:fs/promises'
import type { PGlite } from '@electric-sql/pglite'
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { claimPgliteDir } from './pglite-owner.js'

export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly db: PGlite
  close(): Promise<void>
}

export interface PgliteServerOptions {
  /** The database files; in memory when absent. */
  dataDir?: string
  /** Concurrent client connections the socket server accepts. Default 64. */
  maxConnections?: number
}

/** Opens (or creates) the PGlite database, enables pgvector and serves it on a random local port. */
export const startPgliteServer = async (options: PgliteServerOptions = {}): Promise<PgliteServer> => {
  const [{ PGlite }, { vector }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
    import('@electric-sql/pglite-socket'),
  ])
  let release = async (): Promise<void> => undefined
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true })
    release = await claimPgliteDir(options.dataDir)
  }
  let db: PGlite | undefined
  let server: PGLiteSocketServer | undefined
  try {
    db = await PGlite.create({ ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}), extensions: { vector } })
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector')
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 64 })
    await server.start()
  } catch (error) {
    await db?.close().catch(() => undefined)
    await release()
    throw error
  }
  const engine = db
  const running = server
  let closing: Promise<void> | undefined
  return {
    url: `postgres://postgres@${running.getServerConn()}/postgres`,
    db: engine,
    close: () =>
      (closing ??= (async () => {
        await running.stop()
        await engine.close()
        await release()
      })()),
  }
}
