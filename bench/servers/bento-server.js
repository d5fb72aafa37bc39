/**
 * Child process: Bento's server on 127.0.0.1, for the HTTP benchmarks (the load
 * generator runs in the parent, so the two do not share one event loop).
 * argv[2]: JSON {dataDir, isolation, maxOpenStores} or {databaseUrl, isolation}
 * (a PostgreSQL backend on that URL, e.g. a PGlite served by the parent). Prints `READY <port>`.
 */
import { distPath } from '../lib/library.js'
import { pathToFileURL } from 'node:url'

const { databaseUrl, ...options } = JSON.parse(process.argv[2])
const { createBentoServer } = await import(pathToFileURL(distPath('index.js')).href)
const backend = databaseUrl === undefined ? undefined : await (async () => {
  const { createPgBackend } = await import(pathToFileURL(distPath('core/backend/pg/pg-backend.js')).href)
  const { parseDatabaseSpec } = await import(pathToFileURL(distPath('core/backend/pg/spec.js')).href)
  return createPgBackend({ spec: parseDatabaseSpec(databaseUrl) })
})()
const server = createBentoServer({ ...options, ...(backend ? { backend } : {}), logger: false })
const { port } = await server.start({ port: 0, hostname: '127.0.0.1' })
process.stdout.write(`READY ${port}\n`)
process.on('SIGTERM', async () => {
  await server.stop()
  process.exit(0)
})
