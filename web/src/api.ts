/**
 * The page's only way to the server: every request carries the identity the
 * server's isolation mode asks for (a session id, a user key, an access key),
 * adopts a session id the server issues instead, and turns every failure into
 * an `ApiError` whose message a person can read.
 */
import type { ErrorResponse, UploadResponse } from '../../src/api/schemas.js'
import type { PageConfig } from './config.js'
import { accessKeySlot, adminKeySlot, newSessionId, sessionIdSlot, tokenSlot, userKeySlot } from './storage.js'

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface SessionChange {
  previous: string
  current: string
  /** The server said so (`x-session-expired: true`); otherwise it replaced an id it no longer knew. */
  saidExpired: boolean
}

export interface Api {
  readonly config: PageConfig
  /** A data route (`/api/documents/…`, `/api/chat…`, `/v1/…`): sends the user's identity. */
  request(path: string, init?: RequestInit): Promise<Response>
  json<T>(path: string, init?: RequestInit): Promise<T>
  /** An admin route: sends the admin key from session storage. */
  admin<T>(path: string, init?: RequestInit, adminKey?: string): Promise<T>
  upload(file: File, onProgress: (fraction: number) => void): Promise<UploadResponse>
  onSessionChange(listener: (change: SessionChange) => void): () => void
  sessionId(): string | undefined
}

export const jsonBody = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

const NETWORK_MESSAGE = 'Cannot reach the Bento server. Is it still running?'

/** The `{ error: { code, message } }` body as an ApiError, or a plain-words one when the body is not Bento's. */
export const errorFromBody = (status: number, text: string): ApiError => {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorResponse>
    if (parsed.error && typeof parsed.error.message === 'string') return new ApiError(status, parsed.error.code ?? 'error', parsed.error.message)
  } catch {
    // Not JSON: a proxy's page, or a cut connection.
  }
  return new ApiError(status, 'http_error', `The server answered ${status} without saying why.`)
}

export const createApi = (config: PageConfig): Api => {
  const listeners = new Set<(change: SessionChange) => void>()
  let sessionId = config.isolation === 'session' ? (sessionIdSlot.get() ?? newSessionId()) : undefined
  if (sessionId !== undefined) sessionIdSlot.set(sessionId)

  const identityHeaders = (): Record<string, string> => {
    const headers: Record<string, string> = {}
    if (sessionId !== undefined) headers['x-session-id'] = sessionId
    const userKey = userKeySlot.get()
    if (config.isolation === 'custom' && userKey) headers['x-isolation-key'] = userKey
    // The key in its own header: with --auth jwt, Authorization carries the user's token.
    const accessKey = accessKeySlot.get()
    if (accessKey) headers['x-bento-client-key'] = accessKey
    const token = tokenSlot.get()
    if (config.auth === 'jwt' && token) headers.authorization = `Bearer ${token}`
    return headers
  }

  // The first answer to carry a new id wins; answers to requests sent with an older id are ignored.
  const adopt = (sent: string | undefined, received: string | null, expiredHeader: string | null): void => {
    if (config.isolation !== 'session' || received === null || sent === undefined) return
    if (sent !== sessionId || received === sessionId) return
    sessionId = received
    sessionIdSlot.set(received)
    const change: SessionChange = { previous: sent, current: received, saidExpired: expiredHeader === 'true' }
    for (const listener of listeners) listener(change)
  }

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const sent = sessionId
    const headers = new Headers(init.headers)
    for (const [name, value] of Object.entries(identityHeaders())) headers.set(name, value)
    let response: Response
    try {
      response = await fetch(path, { ...init, headers, credentials: 'same-origin' })
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error
      throw new ApiError(0, 'network', NETWORK_MESSAGE)
    }
    adopt(sent, response.headers.get('x-session-id'), response.headers.get('x-session-expired'))
    if (!response.ok) throw explainIdentity(errorFromBody(response.status, await response.text().catch(() => '')))
    return response
  }

  // A 401 on a data route means the page lacks something the person can type in: say which.
  const explainIdentity = (error: ApiError): ApiError => {
    if (error.status !== 401) return error
    if (config.auth === 'jwt' && tokenSlot.get() === undefined) {
      return new ApiError(401, error.code, 'This server signs people in with a token: paste yours under “Sign-in token” above.')
    }
    if (config.auth === 'jwt' && /token/i.test(error.message)) {
      return new ApiError(401, error.code, `Your sign-in token was refused (${error.message}) Paste a fresh one above.`)
    }
    if (config.accessKeys && accessKeySlot.get() === undefined) {
      return new ApiError(401, error.code, 'This server needs an access key: enter the one you were given under “Access key” above.')
    }
    if (config.isolation === 'custom' && config.auth !== 'jwt' && userKeySlot.get() === undefined) {
      return new ApiError(401, error.code, 'This server keeps each user’s documents apart: enter your user key above first.')
    }
    return error
  }

  const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await request(path, init)).json()) as T

  const admin = async <T>(path: string, init: RequestInit = {}, adminKey = adminKeySlot.get()): Promise<T> => {
    const headers = new Headers(init.headers)
    if (adminKey) headers.set('x-bento-admin-key', adminKey)
    let response: Response
    try {
      response = await fetch(path, { ...init, headers, credentials: 'same-origin' })
    } catch {
      throw new ApiError(0, 'network', NETWORK_MESSAGE)
    }
    if (!response.ok) throw errorFromBody(response.status, await response.text().catch(() => ''))
    return (await response.json()) as T
  }

  // XMLHttpRequest, not fetch: only it reports upload progress.
  const upload = (file: File, onProgress: (fraction: number) => void): Promise<UploadResponse> =>
    new Promise((resolve, reject) => {
      const sent = sessionId
      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/api/documents/upload')
      for (const [name, value] of Object.entries(identityHeaders())) xhr.setRequestHeader(name, value)
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
      })
      xhr.addEventListener('load', () => {
        adopt(sent, xhr.getResponseHeader('x-session-id'), xhr.getResponseHeader('x-session-expired'))
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(1)
          try {
            resolve(JSON.parse(xhr.responseText) as UploadResponse)
          } catch {
            reject(new ApiError(xhr.status, 'http_error', 'The server accepted the file but its answer was not readable.'))
          }
        } else reject(explainIdentity(errorFromBody(xhr.status, xhr.responseText)))
      })
      xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'The connection closed before the server answered. The file may be larger than the server accepts, or the server stopped.')))
      const form = new FormData()
      form.append('file', file, file.name)
      xhr.send(form)
    })

  return {
    config,
    request,
    json,
    admin,
    upload,
    onSessionChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    sessionId: () => sessionId,
  }
}
