/**
 * Child process: the second baseline, a bare Hono route that reads the body
 * from the Node request stream itself (`c.env.incoming`, as Bento does when
 * @hono/node-server delivers one) and answers the same JSON. Against it, the
 * ratio shows what Bento's own work costs once both skip the web body.
 * argv[2]: path of the JSON body to answer. Prints `READY <port>`.
 */
import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'

const answer = JSON.parse(readFileSync(process.argv[2], 'utf8'))

const readIncoming = (incoming) =>
  new Promise((resolve, reject) => {
    const chunks = []
    incoming.on('data', (chunk) => chunks.push(chunk))
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    incoming.on('error', reject)
  })

const app = new Hono()
app.post('/api/documents/search', async (c) => {
  JSON.parse(await readIncoming(c.env.incoming))
  return c.json(answer)
})
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`READY ${info.port}\n`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
