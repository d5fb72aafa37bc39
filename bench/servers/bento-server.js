/**
 * Child process: Bento's server on 127.0.0.1, for the HTTP benchmarks (the load
 * generator runs in the parent, so the two do not share one event loop).
 * argv[2]: JSON {dataDir, isolation, maxOpenStores}. Prints `READY <port>`.
 */
import { distPath } from '../lib/library.js'
import { pathToFileURL } from 'node:url'

const options = JSON.parse(process.argv[2])
const { createBentoServer } = await import(pathToFileURL(distPath('index.js')).href)
const server = createBentoServer({ ...options, logger: false })
const { port } = await server.start({ port: 0, hostname: '127.0.0.1' })
process.stdout.write(`READY ${port}\n`)
process.on('SIGTERM', async () => {
  await server.stop()
  process.exit(0)
})
