/**
 * `/api/chat`, `/api/chat/stream` and `/api/chat/models`. With an OpenRouter
 * key the answer comes from an OpenAI-compatible model given the scope's
 * passages; without one, an honest retrieval-only answer quoting them.
 * How a turn is answered (JSON or SSE): `../chat/respond.ts`.
 */
import { Hono, type Context } from 'hono'
import { readJsonBody } from '../body.js'
import { completeTurn, streamTurn } from '../chat/respond.js'
import { chatSchema, prepareTurn } from '../chat/turn.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

export const modelRoutes = (deps: ServerDeps): Hono<BentoEnv> =>
  new Hono<BentoEnv>().get('/api/chat/models', (c) =>
    c.json({
      models: deps.config.chat.llm ? deps.config.chat.models.map((id) => ({ id })) : [],
      default: deps.config.chat.llm ? deps.config.chat.model : null,
      llm: deps.config.chat.llm,
    }))

export const chatRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const chat = async (c: Context<BentoEnv>) => {
    const body = await readJsonBody(c, chatSchema, deps.config.maxJsonBytes)
    const turn = await prepareTurn(deps, c.get('scope'), body, c.get('grantedScopes'))
    const answer = await completeTurn(deps, c, turn)
    return c.json({ content: answer.content, model: answer.model, sources: turn.sources, ...(turn.conversationId ? { conversationId: turn.conversationId } : {}) })
  }

  const stream = async (c: Context<BentoEnv>) => {
    const body = await readJsonBody(c, chatSchema, deps.config.maxJsonBytes)
    return streamTurn(deps, c, await prepareTurn(deps, c.get('scope'), body, c.get('grantedScopes')))
  }

  return new Hono<BentoEnv>().post('/api/chat', chat).post('/api/chat/stream', stream)
}
