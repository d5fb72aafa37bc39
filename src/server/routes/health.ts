import { Hono } from 'hono'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

/** `GET /api/health`: touches no data and resolves no scope, so it creates nothing on disk. */
export const healthRoutes = (deps: ServerDeps): Hono<BentoEnv> =>
  new Hono<BentoEnv>().get('/api/health', (c) =>
    c.json({ status: 'ok', isolation: deps.config.isolation, llm: deps.config.chat.llm, memory: deps.config.memory.enabled }))
