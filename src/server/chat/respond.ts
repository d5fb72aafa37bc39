/**
 * Answering a prepared chat turn, as JSON or as server-sent events: shared by
 * `/api/chat`, `/api/chat/stream` and the MUXI page's `POST /v1/chat`.
 *
 * The stream: `sources`, `delta` (repeated), then `done` or `error`; an SSE comment
 * (`: heartbeat`) at least every `chat.heartbeatMs` while the model is silent. A model
 * that fails within the first heartbeat interval is an ordinary JSON error
 * (429/502/504); after it, the stream has started and the failure is an `error` event.
 *
 * Whatever happens, the user's messages are kept in the conversation: a failed turn
 * (model error, timeout, client gone) is recorded with an assistant entry that says so.
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { CancelledError } from '../../core/errors.js'
import { describeError } from '../errors.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'
import type { ChatStream } from './upstream.js'
import { recordFailedTurn, recordTurn, retrievalAnswer, type ChatTurn } from './turn.js'

export const RETRIEVAL_MODEL = 'retrieval-only'
const HEARTBEAT = ': heartbeat\n\n'

export interface TurnAnswer {
  content: string
  model: string
}

const markWrote = (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn): void => {
  if (turn.conversationId !== undefined || deps.config.memory.enabled) c.get('bentoState').wrote = true
}

const keepFailedTurn = async (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn, partial: string, error: unknown): Promise<void> => {
  try {
    await recordFailedTurn(deps, turn, partial, error)
    markWrote(deps, c, turn)
  } catch (recordError) {
    deps.logger?.error({ err: recordError }, 'could not record a failed chat turn')
  }
}

/** The whole answer, recorded in the conversation (and the turn recorded as failed when it fails). */
export const completeTurn = async (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn): Promise<TurnAnswer> => {
  let answer: TurnAnswer
  try {
    answer = deps.upstream
      ? await deps.upstream.complete(turn.model, turn.upstreamMessages, c.req.raw.signal)
      : { content: retrievalAnswer(turn), model: RETRIEVAL_MODEL }
  } catch (error) {
    await keepFailedTurn(deps, c, turn, '', c.req.raw.signal.aborted ? new CancelledError('The client went away.') : error)
    throw error
  }
  await recordTurn(deps, turn, answer.content)
  markWrote(deps, c, turn)
  return answer
}

type Opened = { stream: ChatStream } | { error: unknown } | undefined

/** Waits for the upstream's answer to start, at most `ms`; undefined when it has not by then. */
const openWithin = (opening: Promise<ChatStream>, ms: number): Promise<Opened> => {
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  const settled = opening.then((stream) => ({ stream }), (error: unknown) => ({ error }))
  return Promise.race([settled, waited]).finally(() => clearTimeout(timer))
}

/** The answer as server-sent events; `done` carries `extra` (ids the caller needs) beside the content. */
export const streamTurn = async (deps: ServerDeps, c: Context<BentoEnv>, turn: ChatTurn, extra: Record<string, unknown> = {}): Promise<Response> => {
  const abort = new AbortController()
  const opening = deps.upstream?.stream(turn.model, turn.upstreamMessages, abort.signal)
  opening?.catch(() => {})
  const opened = opening ? await openWithin(opening, deps.config.chat.heartbeatMs) : undefined
  if (opened !== undefined && 'error' in opened) {
    await keepFailedTurn(deps, c, turn, '', opened.error)
    throw opened.error
  }
  markWrote(deps, c, turn)
  // Errors are caught here, not by streamSSE's onError: Hono would then also send the raw message.
  return streamSSE(c, async (sse) => {
    sse.onAbort(() => abort.abort(new CancelledError('The client went away.')))
    const heartbeat = setInterval(() => void sse.write(HEARTBEAT).catch(() => {}), deps.config.chat.heartbeatMs)
    let content = ''
    try {
      await sse.writeSSE({ event: 'sources', data: JSON.stringify({ sources: turn.sources }) })
      const upstreamStream = opened?.stream ?? (opening ? await opening : undefined)
      if (upstreamStream) {
        for await (const delta of upstreamStream.deltas) {
          content += delta
          await sse.writeSSE({ event: 'delta', data: JSON.stringify({ content: delta }) })
        }
      } else {
        content = retrievalAnswer(turn)
        await sse.writeSSE({ event: 'delta', data: JSON.stringify({ content }) })
      }
      if (sse.aborted) throw new CancelledError('The client went away.')
      await recordTurn(deps, turn, content)
      const model = upstreamStream?.model ?? RETRIEVAL_MODEL
      await sse.writeSSE({ event: 'done', data: JSON.stringify({ content, model, ...(turn.conversationId ? { conversationId: turn.conversationId } : {}), ...extra }) })
    } catch (error) {
      const failure = sse.aborted ? new CancelledError('The client went away.') : error
      deps.logger?.warn({ err: failure }, 'chat stream failed')
      await keepFailedTurn(deps, c, turn, content, failure)
      await sse.writeSSE({ event: 'error', data: JSON.stringify(describeError(failure).body) }).catch(() => {})
    } finally {
      clearInterval(heartbeat)
    }
  })

}
