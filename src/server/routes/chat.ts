/**
 * `/api/chat`, `/api/chat/stream` and `/api/chat/models`. With an OpenRouter
 * key the answer comes from an OpenAI-compatible model given the scope's
 * passages; without one, an honest retrieval-only answer quoting them.
 *
 * The stream is server-sent events: `sources` (the passages), `delta`
 * (`{ content }`, repeated), then `done` (`{ content, model, conversationId }`)
 * or `error` (`{ error: { code, message } }`). Upstream failures before the
 * first byte are ordinary JSON errors (502/504), not a stream.
 */
import { Hono, type Context } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { readJsonBody } from '../body.js'
import { describeError } from '../errors.js'
import { chatSchema, prepareTurn, recordTurn, retrievalAnswer } from '../chat/turn.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

const RETRIEVAL_MODEL = 'retrieval-only'

export const modelRoutes = (deps: ServerDeps): Hono<BentoEnv> =>
  new Hono<BentoEnv>().get('/api/chat/models', (c) =>
    c.json({
      models: deps.config.chat.llm ? deps.config.chat.models.map((id) => ({ id })) : [],
      default: deps.config.chat.llm ? deps.config.chat.model : null,
      llm: deps.config.chat.llm,
    }))

export const chatRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { upstream } = deps

  const chat = async (c: Context<BentoEnv>) => {
    const body = await readJsonBody(c, chatSchema, deps.config.maxJsonBytes)
    const turn = await prepareTurn(deps, c.get('scope'), body)
    const answer = upstream
      ? await upstream.complete(turn.model, turn.upstreamMessages, c.req.raw.signal)
      : { content: retrievalAnswer(turn), model: RETRIEVAL_MODEL }
    await recordTurn(deps, turn, answer.content)
    if (turn.conversationId !== undefined || deps.config.memory.enabled) c.get('bentoState').wrote = true
    return c.json({ content: answer.content, model: answer.model, sources: turn.sources, ...(turn.conversationId ? { conversationId: turn.conversationId } : {}) })
  }

  const stream = async (c: Context<BentoEnv>) => {
    const body = await readJsonBody(c, chatSchema, deps.config.maxJsonBytes)
    const turn = await prepareTurn(deps, c.get('scope'), body)
    const abort = new AbortController()
    // Opened before the response starts, so an unreachable model is still a plain 502/504.
    const upstreamStream = upstream ? await upstream.stream(turn.model, turn.upstreamMessages, abort.signal) : undefined
    if (turn.conversationId !== undefined || deps.config.memory.enabled) c.get('bentoState').wrote = true
    // Errors are caught here, not by streamSSE's onError: Hono would then also send the raw message.
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => abort.abort())
      try {
        await relay(sse)
      } catch (error) {
        deps.logger?.warn({ err: { code: (error as { code?: string }).code ?? 'internal' } }, 'chat stream failed')
        await sse.writeSSE({ event: 'error', data: JSON.stringify(describeError(error).body) }).catch(() => {})
      }
    })

    async function relay(sse: SSEStreamingApi): Promise<void> {
      await sse.writeSSE({ event: 'sources', data: JSON.stringify({ sources: turn.sources }) })
      let content = ''
      if (upstreamStream) {
        for await (const delta of upstreamStream.deltas) {
          content += delta
          await sse.writeSSE({ event: 'delta', data: JSON.stringify({ content: delta }) })
        }
      } else {
        content = retrievalAnswer(turn)
        await sse.writeSSE({ event: 'delta', data: JSON.stringify({ content }) })
      }
      await recordTurn(deps, turn, content)
      const model = upstreamStream?.model ?? RETRIEVAL_MODEL
      await sse.writeSSE({ event: 'done', data: JSON.stringify({ content, model, ...(turn.conversationId ? { conversationId: turn.conversationId } : {}) }) })
    }
  }

  return new Hono<BentoEnv>().post('/api/chat', chat).post('/api/chat/stream', stream)
}
