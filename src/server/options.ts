/**
 * `createBentoServer` options, validated once at creation (unknown options are
 * rejected, so a typo such as `isolaton` fails loudly instead of silently
 * running a shared server), and the resolved `config` the server exposes.
 * The config holds no secrets: it is what `cleanupSessions(server.config)` reads.
 */
import path from 'node:path'
import { z } from 'zod'
import type { Logger } from 'pino'
import { InvalidOptionsError } from '../core/errors.js'
import { customScope } from '../core/keys.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Embedder } from '../core/embeddings/types.js'
import type { ScopeQuota } from '../core/backend/types.js'
import {
  DEFAULT_CLEANUP_INTERVAL_MS, DEFAULT_CONVERSATION_TTL_MS, DEFAULT_DATA_DIR, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_OPEN_STORES, DEFAULT_MAX_STORE_MEMORY,
  DEFAULT_MAX_TEXT_CHARS, DEFAULT_READ_FRESHNESS_MS, DEFAULT_SESSION_TTL_MS,
} from '../core/defaults.js'
import { resolveLimits, type ResolvedLimits } from '../core/ingest/limits.js'
import type { IngestLimits } from '../core/ingest/types.js'
import type { IsolationMode } from '../middleware/isolation.js'
import type { AccessKeys } from './access-keys.js'
import type { RateLimitOptions, RateLimitRule } from './rate-limit.js'
import { HMAC_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, type AuthOptions } from './auth/options.js'

export interface ChatOptions {
  /**
   * OpenAI-compatible base URL. Default `https://openrouter.ai/api/v1`. Set without
   * `openRouterKey`, the model is called without a key (a local server such as llama.cpp or Ollama).
   */
  baseUrl?: string
  /** Model used when a request names none. Default `openai/gpt-4o-mini`. */
  model?: string
  /** Models a request may choose (listed by `GET /api/chat/models`). Default `[model]`. */
  models?: string[]
  /** Upstream timeout: whole answer, or first byte and each gap of a stream. Default 60 s. */
  timeoutMs?: number
  /** Passages of the scope's documents given to the model as context. Default 4. */
  contextPassages?: number
  /**
   * Streaming: an SSE comment is sent at least this often while the model is silent, so
   * proxies that cut idle connections keep a slow model's stream open. Default 15 s.
   */
  heartbeatMs?: number
}

export interface CorsOptions {
  /** Allowed origins; `'*'` (the default) allows any origin without credentials. */
  origin: string | string[]
}

export interface BentoServerOptions {
  /** Default `./data` (resolved against the working directory). */
  dataDir?: string
  /**
   * The storage backend, instead of a data dir: e.g. `await createPgBackend({ spec: parseDatabaseSpec(process.env.BENTO_DATABASE_URL) })`
   * for PostgreSQL (or `pglite:<dir>`). The server closes it on `stop()`. Default: the fs backend on `dataDir`.
   */
  backend?: StorageBackend
  /** Default `none`. */
  isolation?: IsolationMode
  /** Enables LLM answers in chat; without it chat answers from retrieval only. */
  openRouterKey?: string
  chat?: ChatOptions
  /** Default: `embedderFromEnv(process.env)`, as the CLI (the local hashing embedder, 384 dimensions, unless BENTO_EMBEDDER says otherwise). */
  embedder?: Embedder
  /** Session scopes idle longer than this are expired and cleaned up. Default 24 h. */
  sessionTtlMs?: number
  /** How often `start()`ed servers in session mode sweep expired sessions. Default 30 min. */
  cleanupIntervalMs?: number
  /** Open stores kept in the LRU pool, a second limit beside `maxStoreMemory`. Default 10,000. */
  maxOpenStores?: number
  /** Bytes the open stores may hold (their estimated footprints); least recently used close beyond it. Default 512 MiB. */
  maxStoreMemory?: number
  /**
   * How long a read trusts its scope's last check (not locked or journaled by another
   * process, store unchanged on disk): another process's change (a CLI `migrate`, `add`,
   * `cleanup`) is seen at most this late; this server's own changes at once.
   * Default 50 ms; 0 checks on every read.
   */
  readFreshnessMs?: number
  /**
   * Per file: `maxFileBytes` (default 10 MiB), `maxTextChars` (2,000,000) and the extraction
   * budgets (time, memory, structure: README "Extraction budgets"). Per upload request:
   * `maxFiles` (default 20) and `maxRequestBytes` (default 50 MiB, never below `maxFileBytes`).
   */
  uploadLimits?: IngestLimits & { maxFiles?: number; maxRequestBytes?: number }
  /** Largest JSON request body. Default 1 MiB. */
  maxJsonBytes?: number
  accessKeys?: AccessKeys
  /**
   * Verified identity: `{ type: 'jwt', secret | jwks, issuer?, audience?, … }`. Data routes then
   * need `Authorization: Bearer <JWT>` and, in custom mode (the default with auth), the scope's
   * key comes only from the verified token. Access keys then travel only in their own headers.
   */
  auth?: AuthOptions
  /**
   * Custom isolation without verified identity: the key of a request that names no user,
   * e.g. `'0'`, the MUXI page's single-user default. Default none (such a request is 401).
   */
  defaultKey?: string
  /** Default `{ origin: '*' }`; `false` sends no CORS headers. */
  cors?: CorsOptions | false
  /** Conversations idle longer than this expire (their memories stay). Default 24 h. */
  conversationTtlMs?: number
  /** Persistent memory: facts users state in chat are kept and recalled in their scope. Default off. */
  memory?: { enabled: boolean; recall?: number }
  /** A pino logger for request logs; `false` for none. Default: pino to stderr. */
  logger?: Logger | false
  /**
   * Served behind a TLS-terminating proxy that sets `X-Forwarded-Proto`: its `https`
   * marks the session cookie `Secure`. Off by default, when the header is ignored
   * (any client can send it).
   */
  trustProxy?: boolean
  /**
   * The clock session expiry, activity and the periodic sweep are decided by, in ms
   * since the epoch. Default `Date.now`; tests inject one instead of sleeping.
   */
  now?: () => number
  /** The web page at `/` (documents, search, chat, and the operator's scopes). Default true. */
  ui?: boolean
  /**
   * Token-bucket rate limits, per isolation key (`scope`) and per access key (`accessKey`),
   * in this process's memory: each replica counts its own requests. Default off.
   */
  rateLimit?: RateLimitOptions
  /**
   * The quota of every scope that has none of its own (set per scope through the admin API
   * or `bento quota`): `maxBytes` of disk (vectors and uploads, as `du` counts them) and
   * `maxDocuments`. An upload that would pass one is refused before anything is written
   * (413 `quota_exceeded`). Default off.
   */
  quota?: ScopeQuota
}

export interface BentoServerConfig {
  readonly dataDir: string
  readonly isolation: IsolationMode
  readonly sessionTtlMs: number
  readonly cleanupIntervalMs: number
  readonly maxOpenStores: number
  readonly maxStoreMemory: number
  readonly readFreshnessMs: number
  readonly conversationTtlMs: number
  readonly memory: { readonly enabled: boolean; readonly recall: number }
  readonly chat: {
    readonly llm: boolean
    readonly baseUrl: string
    readonly model: string
    readonly models: readonly string[]
    readonly timeoutMs: number
    readonly contextPassages: number
    readonly heartbeatMs: number
  }
  readonly uploadLimits: Readonly<ResolvedLimits & { maxFiles: number; maxRequestBytes: number }>
  readonly maxJsonBytes: number
  readonly accessKeys: boolean
  /** `jwt` when requests must carry a verified token. */
  readonly auth: 'none' | 'jwt'
  /** The key of requests that name no user (custom isolation), when configured. */
  readonly defaultKey: string | undefined
  readonly trustProxy: boolean
  readonly ui: boolean
  readonly quota: Readonly<ScopeQuota>
  readonly rateLimit: { readonly scope: Readonly<RateLimitRule> | undefined; readonly accessKey: Readonly<RateLimitRule> | undefined }
}

export const DEFAULT_CHAT_BASE_URL = 'https://openrouter.ai/api/v1'
export const DEFAULT_CHAT_MODEL = 'openai/gpt-4o-mini'
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS }
export const DEFAULT_MAX_UPLOAD_FILES = 20
export const DEFAULT_MAX_UPLOAD_REQUEST_BYTES = 50 * 1024 * 1024

const MAX_MS = 10 * 365 * 24 * 3600 * 1000
const positiveMs = z.number().int().positive().max(MAX_MS)
const accessKey = z.string().min(16, 'access keys must be at least 16 characters').max(512)
const embedderSchema = z.custom<Embedder>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Embedder).embed === 'function' &&
    typeof (value as Embedder).id === 'string' && Number.isInteger((value as Embedder).dimension),
  'must be an embedder ({ id, dimension, embed })',
)
const loggerSchema = z.custom<Logger>((value) => typeof value === 'object' && value !== null && typeof (value as Logger).info === 'function', 'must be a pino logger')

const rateLimitRule = z.strictObject({
  requestsPerMinute: z.number().positive().max(1_000_000),
  burst: z.number().int().min(1).max(1_000_000).optional(),
})
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
const authSchema = z.strictObject({
  type: z.literal('jwt'),
  secret: z.string().min(1).optional(),
  jwks: z.union([z.string().min(1), z.instanceof(URL), z.looseObject({ keys: z.array(z.looseObject({})) })]).optional(),
  issuer: oneOrMany.optional(),
  audience: oneOrMany.optional(),
  clockToleranceMs: z.number().int().min(0).max(3_600_000).optional(),
  keyClaim: z.string().min(1).max(200).optional(),
  tenantClaim: z.string().min(1).max(200).optional(),
  algorithms: z.array(z.enum([...HMAC_ALGORITHMS, ...PUBLIC_KEY_ALGORITHMS] as [string, ...string[]])).min(1).optional(),
  jwksCacheMs: positiveMs.optional(),
  jwksTimeoutMs: positiveMs.max(60_000).optional(),
  jwksCooldownMs: z.number().int().min(0).max(MAX_MS).optional(),
})

const backendSchema = z.custom<StorageBackend>(
  (value) => typeof value === 'object' && value !== null && typeof (value as StorageBackend).withStore === 'function' && typeof (value as StorageBackend).listScopes === 'function',
  'must be a storage backend (createFsBackend or createPgBackend)',
)

const optionsSchema = z.strictObject({
  dataDir: z.string().min(1).optional(),
  backend: backendSchema.optional(),
  isolation: z.enum(['none', 'session', 'custom']).optional(),
  openRouterKey: z.string().min(1).optional(),
  chat: z.strictObject({
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    model: z.string().min(1).max(200).optional(),
    models: z.array(z.string().min(1).max(200)).min(1).optional(),
    timeoutMs: positiveMs.optional(),
    contextPassages: z.number().int().min(0).max(50).optional(),
    heartbeatMs: z.number().int().min(1).max(15_000).optional(),
  }).optional(),
  embedder: embedderSchema.optional(),
  sessionTtlMs: positiveMs.optional(),
  cleanupIntervalMs: positiveMs.min(1000).optional(),
  maxOpenStores: z.number().int().min(1).max(1_000_000).optional(),
  maxStoreMemory: z.number().int().min(1024 * 1024).optional(),
  readFreshnessMs: z.number().int().min(0).max(MAX_MS).optional(),
  uploadLimits: z.strictObject({
    maxFileBytes: z.number().int().positive().optional(),
    maxTextChars: z.number().int().positive().optional(),
    extractTimeoutMs: z.number().int().positive().optional(),
    extractMemoryMb: z.number().int().min(16).max(65_536).optional(),
    maxJsonDepth: z.number().int().positive().optional(),
    maxJsonNodes: z.number().int().positive().optional(),
    maxHtmlDepth: z.number().int().positive().optional(),
    maxZipEntries: z.number().int().positive().optional(),
    maxXmlElements: z.number().int().positive().optional(),
    maxXmlDepth: z.number().int().positive().optional(),
    maxPdfPages: z.number().int().positive().optional(),
    maxPdfContentBytes: z.number().int().positive().optional(),
    maxFiles: z.number().int().min(1).max(1000).optional(),
    maxRequestBytes: z.number().int().positive().optional(),
  }).optional(),
  maxJsonBytes: z.number().int().min(1024).optional(),
  accessKeys: z.strictObject({ client: z.array(accessKey).optional(), admin: z.array(accessKey).optional() }).optional(),
  auth: authSchema.optional(),
  defaultKey: z.string().min(1).max(120).optional(),
  cors: z.union([z.literal(false), z.strictObject({ origin: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) })]).optional(),
  conversationTtlMs: positiveMs.optional(),
  memory: z.strictObject({ enabled: z.boolean(), recall: z.number().int().min(1).max(50).optional() }).optional(),
  logger: z.union([z.literal(false), loggerSchema]).optional(),
  trustProxy: z.boolean().optional(),
  now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function returning ms since the epoch').optional(),
  ui: z.boolean().optional(),
  quota: z.strictObject({ maxBytes: z.number().int().positive().optional(), maxDocuments: z.number().int().positive().optional() }).optional(),
  rateLimit: z.strictObject({ scope: rateLimitRule.optional(), accessKey: rateLimitRule.optional() }).optional(),
})

/** Validates options; throws `InvalidOptionsError` naming each bad option. */
export const parseServerOptions = (options: unknown): BentoServerOptions => {
  const parsed = optionsSchema.safeParse(options ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'options'
      return issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.map((key) => [...issue.path, key].join('.')).join(', ')}` : `${where}: ${issue.message}`
    })
    throw new InvalidOptionsError(`Invalid createBentoServer options: ${problems.join('; ')}.`)
  }
  const chat = parsed.data.chat
  if (chat?.model !== undefined && chat.models !== undefined && !chat.models.includes(chat.model)) {
    throw new InvalidOptionsError('Invalid createBentoServer options: chat.model must be one of chat.models.')
  }
  if (parsed.data.defaultKey !== undefined) {
    if (parsed.data.auth !== undefined || (parsed.data.isolation ?? 'none') !== 'custom') {
      throw new InvalidOptionsError('Invalid createBentoServer options: defaultKey needs isolation custom without auth (with auth every request names its user).')
    }
    try {
      customScope(parsed.data.defaultKey)
    } catch (error) {
      throw new InvalidOptionsError(`Invalid createBentoServer options: defaultKey: ${(error as Error).message}`)
    }
  }
  if (parsed.data.auth !== undefined && parsed.data.isolation === 'session') {
    throw new InvalidOptionsError('Invalid createBentoServer options: auth needs isolation custom (the key comes from the token) or none (a token-gated shared scope), not session.')
  }
  return parsed.data as BentoServerOptions
}

export const resolveServerConfig = (options: BentoServerOptions): BentoServerConfig => {
  const model = options.chat?.model ?? options.chat?.models?.[0] ?? DEFAULT_CHAT_MODEL
  return Object.freeze({
    dataDir: path.resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    // With verified identity the key comes from the token: isolating users is what auth is for.
    isolation: options.isolation ?? (options.auth ? 'custom' : 'none'),
    sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    cleanupIntervalMs: options.cleanupIntervalMs ?? DEFAULT_CLEANUP_INTERVAL_MS,
    maxOpenStores: options.maxOpenStores ?? DEFAULT_MAX_OPEN_STORES,
    maxStoreMemory: options.maxStoreMemory ?? DEFAULT_MAX_STORE_MEMORY,
    readFreshnessMs: options.readFreshnessMs ?? DEFAULT_READ_FRESHNESS_MS,
    conversationTtlMs: options.conversationTtlMs ?? DEFAULT_CONVERSATION_TTL_MS,
    memory: Object.freeze({ enabled: options.memory?.enabled ?? false, recall: options.memory?.recall ?? 5 }),
    chat: Object.freeze({
      llm: options.openRouterKey !== undefined || options.chat?.baseUrl !== undefined,
      baseUrl: (options.chat?.baseUrl ?? DEFAULT_CHAT_BASE_URL).replace(/\/+$/, ''),
      model,
      models: Object.freeze([...(options.chat?.models ?? [model])]),
      timeoutMs: options.chat?.timeoutMs ?? 60_000,
      contextPassages: options.chat?.contextPassages ?? 4,
      heartbeatMs: options.chat?.heartbeatMs ?? 15_000,
    }),
    uploadLimits: Object.freeze({
      ...resolveLimits(options.uploadLimits),
      maxFiles: options.uploadLimits?.maxFiles ?? DEFAULT_MAX_UPLOAD_FILES,
      maxRequestBytes: Math.max(options.uploadLimits?.maxRequestBytes ?? DEFAULT_MAX_UPLOAD_REQUEST_BYTES, options.uploadLimits?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    }),
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    accessKeys: (options.accessKeys?.client?.length ?? 0) + (options.accessKeys?.admin?.length ?? 0) > 0,
    auth: options.auth ? options.auth.type : 'none',
    defaultKey: options.defaultKey,
    trustProxy: options.trustProxy ?? false,
    ui: options.ui ?? true,
    quota: Object.freeze({ ...options.quota }),
    rateLimit: Object.freeze({ scope: options.rateLimit?.scope, accessKey: options.rateLimit?.accessKey }),
  })
}
