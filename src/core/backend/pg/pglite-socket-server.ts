import { createServer, type AddressInfo } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import { PgliteConnection } from './pglite-connection.js'
import { EngineTurns } from './pglite-turns.js'
import { fatalError } from './pglite-wire.js'

export interface PgliteSocketServer {
  /** `127.0.0.1:<port>` */
  readonly address: string
  /** Closes every connection (rolling back their open transactions) and stops listening. */
  stop(): Promise<void>
}

export interface PgliteSocketServerOptions {
  host: string
  maxConnections: number
}

/**
 * Serves one PGlite over the PostgreSQL wire protocol on a random local port:
 * several client connections, one session taken in turns (pglite-connection.ts).
 */
export const servePglite = async (db: PGlite, options: PgliteSocketServerOptions): Promise<PgliteSocketServer> => {
  const turns = new EngineTurns()
  const connections = new Set<PgliteConnection>()
  const server = createServer((socket) => {
    if (connections.size >= options.maxConnections) {
      socket.on('error', () => undefined)
      socket.end(fatalError('53300', 'sorry, too many clients already'))
      return
    }
    const connection = new PgliteConnection(socket, db, turns)
    connections.add(connection)
    void connection.finished.then(() => connections.delete(connection))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  let stopping: Promise<void> | undefined
  return {
    address: `${options.host}:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        await Promise.all([...connections].map((connection) => connection.close()))
        await closed
      })()),
  }
}
