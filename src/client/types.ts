/**
 * The wire shapes of Bento's HTTP API (docs/HTTP-API.md), shared by the typed
 * client, the web page and the tests. Type-only: importing this pulls no server
 * code. Requests and answers are inferred from the zod schemas the routes
 * validate with (`src/api/`), so they cannot drift; the admin results are the
 * operations' own result types, which the routes answer as they are.
 */
export type { CleanupResult, DiskUsageResult, InspectResult, MigrateResult } from '../ops/types.js'
export type {
  ConversationListResponse, DocumentDetail, DocumentListResponse, ErrorResponse, MemoryListResponse, MessageListResponse, PageQuery,
  UploadOutcomeWire as UploadOutcome, UploadQuery, UploadResponse,
} from '../api/schemas.js'
export type { DocumentSummary as DocumentRow } from '../api/schemas.js'
export type {
  ChatMessage, ChatRequest, ChatResponse, ConversationCreated, ConversationDetail, HealthResponse, ModelsResponse, MuxiChatRequest, MuxiChatResponse,
  SearchMode, SearchRequest, SearchResponse, SearchResultRow,
} from '../api/chat-schemas.js'
export type { CleanupRequest, MigrateRequest, QuotaReportWire as QuotaReport, QuotaRequest, ScopesQuery } from '../api/admin-schemas.js'
export type { SearchFilter } from '../core/search-filter.js'
export type { Metadata } from '../core/metadata.js'
import type { z } from 'zod'
import type { conversationSummarySchema, memorySchema } from '../api/schemas.js'
import type { SearchRequest, SearchResultRow } from '../api/chat-schemas.js'

/** `search(query, limit, options)`: the request's other fields. */
export type SearchRequestOptions = Omit<SearchRequest, 'query' | 'limit'>

export type ConversationSummary = z.infer<typeof conversationSummarySchema>
export type Memory = z.infer<typeof memorySchema>

export type ChatStreamEvent =
  | { type: 'sources'; sources: SearchResultRow[] }
  | { type: 'delta'; content: string }
  | { type: 'done'; content: string; model: string; conversationId?: string }
  | { type: 'error'; error: { code: string; message: string } }
