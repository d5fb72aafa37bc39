/**
 * `/v1/memories`: the caller's persistent memory entries — listed, searched,
 * added and deleted in the caller's scope only.
 */
import { Hono } from 'hono'
import { memoryAddRequestSchema as addSchema, memorySearchRequestSchema as searchSchema } from '../../api/chat-schemas.js'
import { clearMemories, deleteMemory, listMemories, recallMemories, rememberMemories, type MemoryEntry } from '../../core/memory.js'
import { readJsonBody } from '../body.js'
import { pageQuerySchema, type MemoryListResponse } from '../../api/schemas.js'
import { paginate } from '../../ops/paginate.js'
import type { BentoEnv } from '../context.js'
import { readQuery } from '../validation.js'
import type { ServerDeps } from '../deps.js'


const toWire = (memory: MemoryEntry) => ({
  id: memory.id,
  content: memory.content,
  created_at: memory.createdAt,
  session_id: memory.conversationId,
})

export const memoryRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend } = deps
  return new Hono<BentoEnv>()
    .get('/v1/memories', async (c) => {
      const page = readQuery(c, pageQuerySchema)
      const { rows, nextCursor } = paginate((await listMemories(backend, c.get('scope'))).map(toWire), page, (row) => row.created_at, (row) => row.id)
      return c.json({ memories: rows, nextCursor } satisfies MemoryListResponse)
    })
    .post('/v1/memories', async (c) => {
      const body = await readJsonBody(c, addSchema, deps.config.maxJsonBytes)
      const [added] = await rememberMemories(backend, c.get('scope'), [body.content])
      c.get('bentoState').wrote = true
      return c.json({ memory: added ? toWire(added) : null, created: added !== undefined }, added ? 201 : 200)
    })
    .post('/v1/memories/search', async (c) => {
      const body = await readJsonBody(c, searchSchema, deps.config.maxJsonBytes)
      const results = await recallMemories(backend, c.get('scope'), body.query, body.limit)
      return c.json({ query: body.query, results: results.map((memory) => ({ ...toWire(memory), score: memory.score })) })
    })
    .delete('/v1/memories/:id', async (c) => {
      await deleteMemory(backend, c.get('scope'), c.req.param('id'))
      c.get('bentoState').wrote = true
      return c.json({ message: 'Memory deleted.', id: c.req.param('id') })
    })
    .delete('/v1/memories', async (c) => {
      await clearMemories(backend, c.get('scope'))
      c.get('bentoState').wrote = true
      return c.json({ message: 'All memories deleted.' })
    })
}
