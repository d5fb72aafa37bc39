/**
 * A typed client for Bento's HTTP API (public entry `bento-core/client`), the
 * TypeScript counterpart of the MUXI page's SDK. Runs on Node 20+ and in
 * browsers (only `fetch`).
 *
 * In session mode it sends the `x-session-id` it was given, or adopts the one
 * the server issues on the first data call, so every later call stays in the
 * same scope.
 */
import type {
  ChatRequest, ChatResponse, ChatStreamEvent, CleanupRequest, CleanupResult, ConversationCreated, ConversationDetail, ConversationListResponse, ConversationSummary,
  DiskUsageResult, DocumentDetail, DocumentListResponse, DocumentRow, HealthResponse, InspectResult, Memory, MemoryListResponse, MessageListResponse, Metadata,
  MigrateRequest, MigrateResult, ModelsResponse, QuotaReport, QuotaRequest, MuxiChatRequest, MuxiChatResponse, PageQuery, ScopesQuery, SearchRequestOptions, SearchResponse, UploadQuery, UploadResponse,
} from './types.js'

export type * from './types.js'

export interface BentoClientOptions {
  /** e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  /** Session mode: the session id to use (adopted from the server when absent). */
  sessionId?: string
  /** Custom mode without an auth middleware: sent as `x-isolation-key`. */
  isolationKey?: string
  /**
   * A server with `--auth jwt`: the user's token, sent as `Authorization: Bearer`. A function
   * is called before each request (return a fresh token before the old one expires).
   */
  token?: string | (() => string | Promise<string>)
  /** Sent as `x-bento-client-key` on every call (never in `Authorization`, which belongs to `token`). */
  clientKey?: string
  /** Sent as `x-bento-admin-key` on every call: admin routes need it, data routes accept it. */
  adminKey?: string
  headers?: Record<string, string>
  fetch?: typeof fetch
  /** Session mode: called when the server answered that the session id expired, with the new id it issued. */
  onSessionExpired?: (newSessionId: string) => void
}

/** An error answer from the server: its status and Bento's stable error code. */
export class BentoClientError extends Error {
  readonly status: number
  readonly code: string
  readonly retryAfterSeconds: number | undefined
  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message)
    this.name = 'BentoClientError'
    this.status = status
    this.code = code
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export interface UploadFile {
  name: string
  data: Blob | Uint8Array | string
  type?: string
}

export interface UploadOptions {
  /** A file named like a stored document: replace it (default), keep both, or reject (skip) the file. */
  onConflict?: UploadQuery['onConflict']
  /** Your own keys, stored with every chunk of every file (bounded: docs/HTTP-API.md, "Metadata"). */
  metadata?: Metadata
}

/** `GET /api/documents/:id/file`: the kept original. */
export interface DocumentFile {
  name: string
  contentType: string
  bytes: Uint8Array
}

export interface BentoClient {
  /** The session id in use (session mode), once known. */
  readonly sessionId: string | undefined
  /** The MUXI page's `POST /v1/chat`: `{ message, session_id?, user_id? }` → `{ session_id, user_id, response, … }`. */
  muxiChat(request: MuxiChatRequest): Promise<MuxiChatResponse>
  health(): Promise<HealthResponse>
  /** One file, or several in one request (each with its own outcome in `results`). */
  upload(files: UploadFile | UploadFile[], options?: UploadOptions): Promise<UploadResponse>
  /** Every document of the scope, following `nextCursor` to the last page. */
  listDocuments(): Promise<DocumentRow[]>
  readonly documents: {
    /** One page: `{ documents, nextCursor }`; pass `nextCursor` back as `cursor`. */
    page(query?: PageQuery): Promise<DocumentListResponse>
    /** Every document, page by page. */
    all(query?: Omit<PageQuery, 'cursor'>): AsyncGenerator<DocumentRow>
    get(id: string): Promise<DocumentDetail>
    file(id: string): Promise<DocumentFile>
  }
  search(query: string, limit?: number, options?: SearchRequestOptions): Promise<SearchResponse>
  deleteDocument(id: string): Promise<void>
  deleteAllDocuments(): Promise<number>
  chat(request: ChatRequest): Promise<ChatResponse>
  /** Server-sent events, parsed; ends after `done` (or throws on `error`). */
  chatStream(request: ChatRequest): AsyncGenerator<ChatStreamEvent>
  models(): Promise<ModelsResponse>
  readonly sessions: {
    create(): Promise<ConversationCreated>
    /** Every conversation, newest first, following `nextCursor`. */
    list(): Promise<ConversationSummary[]>
    page(query?: PageQuery): Promise<ConversationListResponse>
    get(id: string): Promise<ConversationDetail>
    /** One page of a conversation's messages, as sent. */
    messages(id: string, query?: PageQuery): Promise<MessageListResponse>
    delete(id: string): Promise<void>
  }
  readonly memories: {
    /** Every memory, oldest first, following `nextCursor`. */
    list(): Promise<Memory[]>
    page(query?: PageQuery): Promise<MemoryListResponse>
    add(content: string): Promise<Memory | null>
    search(query: string, limit?: number): Promise<Array<Memory & { score: number }>>
    delete(id: string): Promise<void>
    clear(): Promise<void>
  }
  readonly admin: {
    scopes(query?: ScopesQuery): Promise<DiskUsageResult>
    inspect(scope: string): Promise<InspectResult>
    migrate(request: MigrateRequest): Promise<MigrateResult>
    cleanup(request: CleanupRequest): Promise<CleanupResult>
    /** The scope's usage against the quota in force. */
    quota(scope: string): Promise<QuotaReport>
    /** Sets the scope's own quota (replacing any it had). */
    setQuota(scope: string, quota: QuotaRequest): Promise<QuotaReport>
    /** Removes the scope's own quota: the server's default applies. */
    clearQuota(scope: string): Promise<QuotaReport>
  }
}

const toBlob = (file: UploadFile): Blob =>
  file.data instanceof Blob ? file.data : new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' })

async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true })
      let boundary = buffer.search(/\r?\n\r?\n/)
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary)
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '')
        let event = 'message'
        const data: string[] = []
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith('event:')) event = line.slice(6).trim()
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
        }
        if (data.length > 0) yield { event, data: data.join('\n') }
        boundary = buffer.search(/\r?\n\r?\n/)
      }
      if (done) return
    }
  } finally {
    reader.releaseLock()
  }
}

/**
 * @example
 * const bento = createBentoClient({ baseUrl: 'http://127.0.0.1:3000', isolationKey: 'user_123' })
 * await bento.upload({ name: 'notes.md', data: '# Notes\nBento keeps users apart.' })
 * const session = await bento.sessions.create()
 * const reply = await bento.chat({ messages: [{ role: 'user', content: 'Hello' }], conversationId: session.id })
 */
export const createBentoClient = (options: BentoClientOptions): BentoClient => {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  let sessionId = options.sessionId

  // Both keys on every call: the server grants the higher one, so a client-key-only client
  // calling an admin route gets the server's 403 forbidden, not a 401 for a key it did not send.
  const headersFor = async (extra: Record<string, string> = {}): Promise<Record<string, string>> => {
    const token = typeof options.token === 'function' ? await options.token() : options.token
    return {
      ...options.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(sessionId ? { 'x-session-id': sessionId } : {}),
      ...(options.isolationKey ? { 'x-isolation-key': options.isolationKey } : {}),
      ...(options.clientKey ? { 'x-bento-client-key': options.clientKey } : {}),
      ...(options.adminKey ? { 'x-bento-admin-key': options.adminKey } : {}),
      ...extra,
    }
  }

  const send = async (method: string, path: string, init: { json?: unknown; body?: FormData; admin?: boolean } = {}): Promise<Response> => {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: await headersFor(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: init.body } : {}),
    })
    const issued = response.headers.get('x-session-id')
    if (issued) sessionId = issued
    if (issued && response.headers.get('x-session-expired') === 'true') options.onSessionExpired?.(issued)
    if (!response.ok) {
      const text = await response.text()
      let error: { code?: string; message?: string } = {}
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {}
      } catch {
        // Not Bento's JSON (a proxy in between): keep the status text.
      }
      const retry = response.headers.get('retry-after')
      throw new BentoClientError(response.status, error.code ?? 'http_error', error.message ?? `${response.status} ${response.statusText}`, retry ? Number(retry) : undefined)
    }
    return response
  }
  const json = async <T>(method: string, path: string, init?: { json?: unknown; body?: FormData; admin?: boolean }): Promise<T> =>
    (await (await send(method, path, init)).json()) as T
  const id = encodeURIComponent
  const queryString = (query: object = {}): string => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) params.append(key, String(item))
    }
    return params.size > 0 ? `?${params}` : ''
  }
  /** Every row of a paged list route, following `nextCursor`. */
  async function* pages<Row>(path: string, field: string, query: Omit<PageQuery, 'cursor'> = {}): AsyncGenerator<Row> {
    let cursor: string | undefined
    do {
      const page = await json<Record<string, unknown> & { nextCursor: string | null }>('GET', `${path}${queryString({ ...query, cursor })}`)
      yield* page[field] as Row[]
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
  }
  const collect = async <Row>(rows: AsyncGenerator<Row>): Promise<Row[]> => {
    const all: Row[] = []
    for await (const row of rows) all.push(row)
    return all
  }

  return {
    get sessionId() {
      return sessionId
    },
    health: () => json('GET', '/api/health'),
    upload: (files, uploadOptions = {}) => {
      const form = new FormData()
      for (const file of Array.isArray(files) ? files : [files]) form.append('file', toBlob(file), file.name)
      if (uploadOptions.metadata !== undefined) form.append('metadata', JSON.stringify(uploadOptions.metadata))
      return json('POST', `/api/documents/upload${queryString({ onConflict: uploadOptions.onConflict })}`, { body: form })
    },
    listDocuments: () => collect(pages<DocumentRow>('/api/documents/list', 'documents', { limit: 1000 })),
    documents: {
      page: (query = {}) => json('GET', `/api/documents/list${queryString(query)}`),
      all: (query = {}) => pages<DocumentRow>('/api/documents/list', 'documents', query),
      get: (documentId) => json('GET', `/api/documents/${id(documentId)}`),
      file: async (documentId) => {
        const response = await send('GET', `/api/documents/${id(documentId)}/file`)
        const disposition = response.headers.get('content-disposition') ?? ''
        const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
        const plain = /filename="([^"]*)"/i.exec(disposition)?.[1]
        return {
          name: encoded !== undefined ? decodeURIComponent(encoded) : (plain ?? documentId),
          contentType: response.headers.get('content-type') ?? 'application/octet-stream',
          bytes: new Uint8Array(await response.arrayBuffer()),
        }
      },
    },
    search: (query, limit, options = {}) =>
      json('POST', '/api/documents/search', {
        json: Object.fromEntries(Object.entries({ query, limit, ...options }).filter(([, value]) => value !== undefined)),
      }),
    deleteDocument: async (documentId) => void (await send('DELETE', `/api/documents/${id(documentId)}`)),
    deleteAllDocuments: async () => (await json<{ deleted: number }>('DELETE', '/api/documents')).deleted,
    chat: (request) => json('POST', '/api/chat', { json: request }),
    muxiChat: (request) => json('POST', '/v1/chat', { json: request }),
    async *chatStream(request) {
      const response = await send('POST', '/api/chat/stream', { json: request })
      if (response.body === null) throw new BentoClientError(502, 'upstream_error', 'The server sent an empty stream.')
      for await (const { event, data } of parseSse(response.body)) {
        const payload = JSON.parse(data) as Record<string, unknown>
        const parsed = { type: event, ...payload } as ChatStreamEvent
        if (parsed.type === 'error') throw new BentoClientError(502, parsed.error.code, parsed.error.message)
        yield parsed
        if (parsed.type === 'done') return
      }
    },
    models: () => json('GET', '/api/chat/models'),
    sessions: {
      create: () => json('POST', '/v1/sessions'),
      list: () => collect(pages<ConversationSummary>('/v1/sessions', 'sessions', { limit: 1000 })),
      page: (query = {}) => json('GET', `/v1/sessions${queryString(query)}`),
      get: (conversationId) => json('GET', `/v1/sessions/${id(conversationId)}`),
      messages: (conversationId, query = {}) => json('GET', `/v1/sessions/${id(conversationId)}/messages${queryString(query)}`),
      delete: async (conversationId) => void (await send('DELETE', `/v1/sessions/${id(conversationId)}`)),
    },
    memories: {
      list: () => collect(pages<Memory>('/v1/memories', 'memories', { limit: 1000 })),
      page: (query = {}) => json('GET', `/v1/memories${queryString(query)}`),
      add: async (content) => (await json<{ memory: Memory | null }>('POST', '/v1/memories', { json: { content } })).memory,
      search: async (query, limit) => (await json<{ results: Array<Memory & { score: number }> }>('POST', '/v1/memories/search', { json: { query, ...(limit === undefined ? {} : { limit }) } })).results,
      delete: async (memoryId) => void (await send('DELETE', `/v1/memories/${id(memoryId)}`)),
      clear: async () => void (await send('DELETE', '/v1/memories')),
    },
    admin: {
      scopes: (query = {}) => json('GET', `/api/admin/scopes${queryString(query)}`, { admin: true }),
      inspect: (scope) => json('GET', `/api/admin/scopes/${id(scope)}`, { admin: true }),
      migrate: (request) => json('POST', '/api/admin/migrate', { json: request, admin: true }),
      cleanup: (request) => json('POST', '/api/admin/cleanup', { json: request, admin: true }),
      quota: (scope) => json('GET', `/api/admin/scopes/${id(scope)}/quota`, { admin: true }),
      setQuota: (scope, quota) => json('PUT', `/api/admin/scopes/${id(scope)}/quota`, { json: quota, admin: true }),
      clearQuota: (scope) => json('DELETE', `/api/admin/scopes/${id(scope)}/quota`, { admin: true }),
    },
  }
}
