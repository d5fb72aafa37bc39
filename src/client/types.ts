/**
 * The wire shapes of Bento's HTTP API (docs/HTTP-API.md), shared by the typed
 * client and the tests. Type-only: importing this pulls no server code.
 */
export type { CleanupResult, DiskUsageResult, InspectResult, MigrateResult, SearchResultRow } from '../ops/types.js'
import type { SearchResultRow } from '../ops/types.js'
// The document API's shapes are inferred from the zod schemas its routes validate with (type-only: no zod at run time).
export type {
  ConversationListResponse, DocumentDetail, DocumentListResponse, MemoryListResponse, MessageListResponse, PageQuery,
  UploadOutcomeWire as UploadOutcome, UploadQuery, UploadResponse,
} from '../api/schemas.js'
export type { DocumentSummary as DocumentRow } from '../api/schemas.js'
export type { SearchFilter } from '../core/search-filter.js'

export interface HealthResponse {
  status: 'ok'
  isolation: 'none' | 'session' | 'custom'
  llm: boolean
  memory: boolean
}



export type SearchMode = 'hybrid' | 'vector' | 'lexical'

export interface SearchRequestOptions {
  /** Default `hybrid`. */
  mode?: SearchMode
  /** Drop results scored below this, on the mode's scale. */
  minScore?: number
}

export interface SearchResponse {
  query: string
  /** The mode that answered: `vector` when the scope has no lexical index yet. */
  mode: SearchMode
  lexicalIndex: boolean
  /** True when nothing in the scope matched the query. */
  noMatch: boolean
  /**
   * `score`, higher is better: hybrid, reciprocal rank fusion rescaled to 0–1; vector, cosine
   * similarity (1 − cosine distance, −1 to 1); lexical, BM25 over the query's best possible BM25 (0–1).
   */
  results: SearchResultRow[]
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatRequest {
  messages: ChatMessage[]
  model?: string
  /** Give the model the scope's top passages. Default true. */
  ragEnabled?: boolean
  /** Append this turn to a conversation (`/v1/sessions`); send only the new messages. */
  conversationId?: string
}

export interface ChatResponse {
  content: string
  /** The model that answered, or `retrieval-only` when no model is configured. */
  model: string
  sources: SearchResultRow[]
  conversationId?: string
}

/** `POST /v1/chat`, the MUXI page's chat. */
export interface MuxiChatRequest {
  message: string
  /** Continue this session; a new one is created (and returned) without it. */
  session_id?: string
  /** Custom isolation without auth: names the user as `X-Muxi-User-Id` does. */
  user_id?: string
  model?: string
}

export interface MuxiChatResponse {
  session_id: string
  user_id: string
  response: string
  model: string
  sources: SearchResultRow[]
}

export type ChatStreamEvent =
  | { type: 'sources'; sources: SearchResultRow[] }
  | { type: 'delta'; content: string }
  | { type: 'done'; content: string; model: string; conversationId?: string }
  | { type: 'error'; error: { code: string; message: string } }

export interface ModelsResponse {
  models: Array<{ id: string }>
  default: string | null
  llm: boolean
}

export interface ConversationCreated {
  id: string
  user_id: string
  created_at: string
}

export interface ConversationSummary extends ConversationCreated {
  updated_at: string
  message_count: number
}

export interface ConversationDetail extends ConversationSummary {
  messages: Array<{ role: ChatMessage['role']; content: string; created_at: string }>
}

export interface Memory {
  id: string
  content: string
  created_at: string
  session_id: string | null
}

export interface ErrorResponse {
  error: { code: string; message: string }
}
