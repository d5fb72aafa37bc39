/**
 * Answering a prepared chat turn, as JSON or as server-sent events: shared by
 * `/api/chat`, `/api/chat/stream` and the MUXI page's `POST /v1/chat`.
 *
 * The stream: `sources`, `delta` (repeated), then `done` or `error`. Upstream
 * failures before the first byte are ordinary JSON errors (502/504), not a stream.
 */
import type { Context } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { describeError } from '../errors.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'
import { recordTurn, retrievalAnswer, type ChatTurn } from './turn.js'

export const RETRIEVAL_MODEL = 'retrieval-only'

export interface TurnAnswer {
  content: string
  model: string
}

const markWrote = (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn): void => {
  if (turn.conversationId !== undefined || deps.config.memory.enabled) c.get('bentoState').wrote = true
}

/** The whole answer, recorded in the conversation. */
export const completeTurn = async (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn): Promise<TurnAnswer> => {
  const answer = deps.upstream
    ? await deps.upstream.complete(turn.model, turn.upstreamMessages, c.req.raw.signal)
    : { content: retrievalAnswer(turn), model: RETRIEVAL_MODEL }
  await recordTurn(deps, turn, answer.content)
  markWrote(deps, c, turn)
  return answer
}

/** The answer as server-sent events; `done` carries `extra` (ids the caller needs) beside the content. */
export const streamTurn = async (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn, extra: Record<string, unknown> = {}): Promise<Response> => {
  const abort = new AbortController()
  // Opened before the response starts, so an unreachable model is still a plain 502/504.
  const upstreamStream = deps.upstream ? await deps.upstream.stream(turn.model, turn.upstreamMessages, abort.signal) : undefined
  markWrote(deps, c, turn)
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
    await sse.writeSSE({ event: 'done', data: JSON.stringify({ content, model, ...(turn.conversationId ? { conversationId: turn.conversationId } : {}), ...extra }) })
  }
}
