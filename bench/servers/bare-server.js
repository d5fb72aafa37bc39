/**
 * Child process: the baseline, a bare Hono route on @hono/node-server that
 * parses the request body and answers the same JSON Bento answered.
 * argv[2]: path of the JSON body to answer. Prints `READY <port>`.
 */
import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'

const answer = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const app = new Hono()
app.post('/api/documents/search', async (c) => {
  await c.req.json()
  return c.json(answer)
})
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`READY ${info.port}\n`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
