/**
 * An OpenAI-compatible chat completions client (OpenRouter by default):
 * `POST {baseUrl}/chat/completions`, plain or streamed as server-sent events.
 * Timeouts become `UpstreamTimeoutError` (504), any other failure
 * `UpstreamError` (502) with the upstream's own message when it sent one.
 */
import { UpstreamError, UpstreamRateLimitedError, UpstreamTimeoutError } from '../../core/errors.js'

export interface UpstreamMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatUpstreamOptions {
  baseUrl: string
  /** Sent as `Authorization: Bearer`; none for a keyless local endpoint. */
  apiKey?: string
  timeoutMs: number
}

export interface ChatCompletion {
  content: string
  model: string
}

export interface ChatStream {
  model: string
  deltas: AsyncIterable<string>
}

export interface ChatUpstream {
  complete(model: string, messages: UpstreamMessage[], signal?: AbortSignal): Promise<ChatCompletion>
  /** Resolves once the upstream accepted the request (so failures before the first byte are still a 502/504). */
  stream(model: string, messages: UpstreamMessage[], signal?: AbortSignal): Promise<ChatStream>
}

interface CompletionBody {
  model?: string
  choices?: Array<{ message?: { content?: string | null }; delta?: { content?: string | null } }>
  error?: { message?: string }
}

const upstreamMessage = async (response: Response): Promise<string> => {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as CompletionBody
    if (typeof body.error?.message === 'string') return body.error.message.slice(0, 300)
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.slice(0, 300) || response.statusText
}

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && String(error.message).includes('timeout')))

const describeFailure = (error: unknown, timeoutMs: number): Error => {
  if (error instanceof UpstreamError || error instanceof UpstreamTimeoutError || error instanceof UpstreamRateLimitedError) return error
  if (isTimeout(error)) return new UpstreamTimeoutError(`The language model did not answer within ${Math.round(timeoutMs / 1000)} s.`)
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
  return new UpstreamError(`Could not reach the language model: ${reason}`, error, 'The language model could not be reached; try again later.')
}

const MAX_RETRY_AFTER_SECONDS = 24 * 3600

/** `Retry-After` as seconds: a number of seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined
  const trimmed = value.trim()
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.ceil((Date.parse(trimmed) - now) / 1000)
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS) : undefined
}

/** Reads `data:` lines of an SSE body, yielding each content delta until `[DONE]`. */
async function* readDeltas(body: ReadableStream<Uint8Array>, idleMs: number, abort: AbortController): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const timer = setTimeout(() => abort.abort(new DOMException('Upstream stream stalled', 'TimeoutError')), idleMs)
      let chunk: Awaited<ReturnType<typeof reader.read>>
      try {
        chunk = await reader.read()
      } catch (error) {
        throw describeFailure(error, idleMs)
      } finally {
        clearTimeout(timer)
      }
      if (chunk.done) return
      buffer += decoder.decode(chunk.value, { stream: true })
      let newline = buffer.indexOf('\n')
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '')
        buffer = buffer.slice(newline + 1)
        newline = buffer.indexOf('\n')
        if (!line.startsWith('data:')) continue
        const data = line.slice(5).trim()
        if (data === '[DONE]') return
        let event: CompletionBody
        try {
          event = JSON.parse(data) as CompletionBody
        } catch {
          throw new UpstreamError('The language model sent a malformed stream event.', undefined, 'The language model sent a malformed answer.')
        }
        if (event.error?.message) throw new UpstreamError(`The language model failed mid-answer: ${event.error.message.slice(0, 300)}`, undefined, 'The language model failed mid-answer.')
        const delta = event.choices?.[0]?.delta?.content
        if (typeof delta === 'string' && delta.length > 0) yield delta
      }
    }
  } finally {
    reader.releaseLock()
    await body.cancel().catch(() => {})
  }
}

/**
 * @example
 * const upstream = createChatUpstream({ baseUrl: 'https://openrouter.ai/api/v1', apiKey, timeoutMs: 60_000 })
 * const { content } = await upstream.complete('openai/gpt-4o-mini', [{ role: 'user', content: 'Hi' }])
 */
export const createChatUpstream = (options: ChatUpstreamOptions): ChatUpstream => {
  const post = async (model: string, messages: UpstreamMessage[], stream: boolean, signal: AbortSignal): Promise<Response> => {
    let response: Response
    try {
      response = await fetch(`${options.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) },
        body: JSON.stringify({ model, messages, stream }),
        signal,
      })
    } catch (error) {
      throw describeFailure(error, options.timeoutMs)
    }
    if (!response.ok) {
      const message = await upstreamMessage(response)
      if (response.status === 429) {
        throw new UpstreamRateLimitedError(`The language model is rate limiting requests; try again later.`, parseRetryAfter(response.headers.get('retry-after')))
      }
      throw new UpstreamError(`The language model answered ${response.status}: ${message}`, undefined, `The language model failed (HTTP ${response.status}); try again later.`)
    }
    return response
  }

  return {
    async complete(model, messages, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs)
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
      try {
        const response = await post(model, messages, false, combined)
        const body = (await response.json()) as CompletionBody
        const content = body.choices?.[0]?.message?.content
        if (typeof content !== 'string') throw new UpstreamError('The language model answered without any content.', undefined, 'The language model answered without any content.')
        return { content, model: body.model ?? model }
      } catch (error) {
        throw describeFailure(error, options.timeoutMs)
      }
    },

    async stream(model, messages, signal) {
      const abort = new AbortController()
      const firstByte = setTimeout(() => abort.abort(new DOMException('Upstream timed out', 'TimeoutError')), options.timeoutMs)
      const combined = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal
      try {
        const response = await post(model, messages, true, combined)
        if (response.body === null) throw new UpstreamError('The language model sent an empty stream.', undefined, 'The language model sent an empty stream.')
        return { model, deltas: readDeltas(response.body, options.timeoutMs, abort) }
      } catch (error) {
        throw describeFailure(error, options.timeoutMs)
      } finally {
        clearTimeout(firstByte)
      }
    },
  }
}
