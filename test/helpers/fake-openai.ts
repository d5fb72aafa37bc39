/**
 * A local stand-in for an OpenAI-compatible API (OpenRouter, OpenAI), speaking
 * the real protocol over real HTTP on 127.0.0.1 — the one thing this machine
 * cannot reach. Shared by the embeddings, chat and server tests.
 *
 * Endpoints: `POST /v1/embeddings`, `POST /v1/chat/completions` (JSON, or SSE
 * with `stream: true`), `GET /v1/models`.
 *
 * Knobs:
 * - `fake.enqueue(fault, …)`: the next requests (any endpoint, or only `fault.path`)
 *   get these faults, one each, in order: `{ status, body?, headers? }` (e.g. 429 with
 *   `retry-after`), `{ delayMs }` (then answer normally), `{ malformed: true }`
 *   (200 with a broken body), `{ hangUp: true }` (destroy the socket).
 * - `fake.options`: live settings (dimension, delays, reply, order, stream failure).
 * - `fake.requests`: every request received, parsed.
 *
 * @example
 * const fake = await startFakeOpenAI({ dimension: 8 })
 * fake.enqueue({ status: 429, headers: { 'retry-after': '0' } })
 * const embedder = createOpenAIEmbedder({ apiKey: 'k', baseUrl: fake.url, dimension: 8 })
 * await fake.close()
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo, Socket } from 'node:net'

export type FakeFault =
  | { path?: FakePath; status: number; body?: string; headers?: Record<string, string> }
  | { path?: FakePath; delayMs: number }
  | { path?: FakePath; malformed: true }
  | { path?: FakePath; hangUp: true }

export type FakePath = '/v1/embeddings' | '/v1/chat/completions' | '/v1/models'

export interface ChatMessage {
  role: string
  content: unknown
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  stream?: boolean
  [key: string]: unknown
}

export interface FakeOpenAIOptions {
  /** Length of the embeddings returned. Default 8. */
  dimension: number
  /** Embedding for one input; default: a deterministic hash-based unit vector. */
  embed: (text: string, dimension: number) => number[]
  /** Return `data` in reverse order (clients must sort by `index`). Default false. */
  reverseOrder: boolean
  /** Answer text for a chat request; default echoes the last user message. */
  reply: (request: ChatRequest) => string
  /** Wait before each SSE chunk. Default 0. */
  streamChunkDelayMs: number
  /** Destroy the socket after this many SSE content chunks (a dropped stream). */
  streamHangUpAfter: number | undefined
  /** Hold the stream after this many content chunks until `until` settles (to observe a half-written answer without sleeping). */
  streamPause: { after: number; until: Promise<unknown> } | undefined
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey: string | undefined
  models: string[]
}

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON body, or undefined when absent or not JSON. */
  body: unknown
  rawBody: string
  at: number
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:43210/v1`. */
  readonly url: string
  readonly requests: RecordedRequest[]
  readonly options: FakeOpenAIOptions
  enqueue(...faults: FakeFault[]): void
  /** Requests to one endpoint. */
  requestsTo(path: FakePath): RecordedRequest[]
  close(): Promise<void>
}

/** A deterministic unit vector per text, so equal texts embed equally. */
export const fakeEmbedding = (text: string, dimension: number): number[] => {
  const values: number[] = []
  for (let block = 0; values.length < dimension; block++) {
    const digest = createHash('sha256').update(`${block}\0${text}`).digest()
    for (let i = 0; i + 2 <= digest.length && values.length < dimension; i += 2) values.push(digest.readInt16BE(i) / 32768)
  }
  const norm = Math.hypot(...values) || 1
  return values.map((value) => value / norm)
}

const lastUserText = (request: ChatRequest): string => {
  const last = [...(request.messages ?? [])].reverse().find((message) => message.role === 'user')
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '')
}

const defaults = (): FakeOpenAIOptions => ({
  dimension: 8,
  embed: fakeEmbedding,
  reverseOrder: false,
  reply: (request) => `You said: ${lastUserText(request)}`,
  streamChunkDelayMs: 0,
  streamHangUpAfter: undefined,
  streamPause: undefined,
  apiKey: undefined,
  models: ['openai/text-embedding-3-small', 'openai/gpt-4o-mini'],
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (part: Buffer) => parts.push(part))
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')))
    req.on('error', reject)
  })

const sendJson = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(value))
}

const sendError = (res: ServerResponse, status: number, message: string, type = 'invalid_request_error') =>
  sendJson(res, status, { error: { message, type, code: status } })

export const startFakeOpenAI = async (initial: Partial<FakeOpenAIOptions> = {}): Promise<FakeOpenAI> => {
  const options: FakeOpenAIOptions = { ...defaults(), ...initial }
  const requests: RecordedRequest[] = []
  const faults: FakeFault[] = []
  const sockets = new Set<Socket>()
  let sequence = 0

  const takeFault = (path: string): FakeFault | undefined => {
    const index = faults.findIndex((fault) => fault.path === undefined || fault.path === path)
    return index < 0 ? undefined : faults.splice(index, 1)[0]
  }

  const handleEmbeddings = (res: ServerResponse, body: unknown) => {
    const { model, input } = (body ?? {}) as { model?: unknown; input?: unknown }
    const inputs = typeof input === 'string' ? [input] : input
    if (typeof model !== 'string' || !Array.isArray(inputs) || inputs.some((item) => typeof item !== 'string')) {
      return sendError(res, 400, "'model' (string) and 'input' (string or string[]) are required")
    }
    if (inputs.length === 0 || inputs.some((item) => item === '')) return sendError(res, 400, "'input' must not be empty")
    const data = (inputs as string[]).map((text, index) => ({ object: 'embedding', index, embedding: options.embed(text, options.dimension) }))
    if (options.reverseOrder) data.reverse()
    const tokens = (inputs as string[]).reduce((sum, text) => sum + Math.ceil(text.length / 4), 0)
    sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } })
  }

  const handleChat = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const request = body as ChatRequest | undefined
    if (!request || typeof request.model !== 'string' || !Array.isArray(request.messages)) {
      return sendError(res, 400, "'model' and 'messages' are required")
    }
    const id = `chatcmpl-fake-${++sequence}`
    const created = Math.floor(Date.now() / 1000)
    const content = options.reply(request)
    if (!request.stream) {
      const usage = { prompt_tokens: 10, completion_tokens: Math.ceil(content.length / 4), total_tokens: 10 + Math.ceil(content.length / 4) }
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage,
      })
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    // Each write is awaited so a hang-up happens after the client saw the earlier chunks.
    const send = (text: string) => new Promise<void>((resolve) => res.write(text, () => resolve()))
    await send(chunk({ role: 'assistant', content: '' }, null))
    const pieces = content.match(/\S+\s*|\s+/g) ?? []
    for (const [index, piece] of pieces.entries()) {
      if (options.streamHangUpAfter !== undefined && index >= options.streamHangUpAfter) return req.socket.destroy()
      if (options.streamPause !== undefined && index === options.streamPause.after) await options.streamPause.until.catch(() => {})
      if (options.streamChunkDelayMs > 0) await sleep(options.streamChunkDelayMs)
      if (res.destroyed) return
      await send(chunk({ content: piece }, null))
    }
    res.write(chunk({}, 'stop'))
    res.end('data: [DONE]\n\n')
  }

  const sendMalformed = (res: ServerResponse, path: string, stream: boolean) => {
    if (path === '/v1/chat/completions' && stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return res.end('data: {"id": "broken", "choices": [\n\ndata: [DONE]\n\n')
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"object": "list", "data": [{"index": 0, "embedding": [0.1,')
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const rawBody = await readBody(req)
    let body: unknown
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined
    } catch {
      body = undefined
    }
    requests.push({ method: req.method ?? '', path, headers: { ...req.headers }, body, rawBody, at: Date.now() })

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, 'Invalid API key provided', 'authentication_error')
    }
    if (rawBody && body === undefined) return sendError(res, 400, 'Request body is not valid JSON')

    const fault = takeFault(path)
    if (fault && 'hangUp' in fault) return req.socket.destroy()
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
      return res.end(fault.body ?? JSON.stringify({ error: { message: `Injected HTTP ${fault.status}`, code: fault.status } }))
    }
    if (fault && 'malformed' in fault) return sendMalformed(res, path, Boolean((body as { stream?: unknown } | undefined)?.stream))
    if (fault && 'delayMs' in fault) {
      await sleep(fault.delayMs)
      if (res.destroyed || req.socket.destroyed) return
    }

    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: options.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) })
    }
    if (req.method === 'POST' && path === '/v1/embeddings') return handleEmbeddings(res, body)
    if (req.method === 'POST' && path === '/v1/chat/completions') return handleChat(req, res, body)
    sendError(res, 404, `No route for ${req.method} ${path}`)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error), 'server_error')
      else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    options,
    enqueue: (...next) => {
      faults.push(...next)
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
