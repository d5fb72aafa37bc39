/**
 * The wire contract of search, chat, the MUXI `/v1` routes, health and models, as
 * zod schemas: the routes validate with them, `GET /api/openapi.json` describes
 * them, and the typed client infers its types from them (`z.infer`). Only zod
 * and core's filter rules: no server code.
 */
import { z } from 'zod'
import { MAX_MEMORY_CHARS } from '../core/memory.js'
import { searchFilterSchema } from '../core/search-filter.js'
import { conversationMessageSchema, conversationSummarySchema, memorySchema } from './schemas.js'

export const MAX_SEARCH_LIMIT = 50
export const searchModeSchema = z.enum(['hybrid', 'vector', 'lexical'])

export const searchRequestSchema = z.strictObject({
  query: z.string().trim().min(1, 'must not be empty').max(4000),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(5).meta({ description: `Results, 1–${MAX_SEARCH_LIMIT} (default 5).` }),
  mode: searchModeSchema.default('hybrid'),
  minScore: z.number().finite().optional().meta({ description: "Drop results scored below this, on the mode's scale." }),
  filter: searchFilterSchema.optional(),
}).meta({ id: 'SearchRequest' })

export const searchResultRowSchema = z.object({
  id: z.string().meta({ description: "The passage's document id." }),
  title: z.string(),
  content: z.string(),
  score: z.number().meta({ description: 'Higher is better; the range depends on the mode (docs/HTTP-API.md, "Scores").' }),
  metadata: z.record(z.string(), z.unknown()),
  scope: z.string().optional().meta({ description: 'The key of the scope the passage comes from, when the request may read several scopes (readScopes).' }),
}).meta({ id: 'SearchResult' })

export const searchResponseSchema = z.object({
  query: z.string(),
  mode: searchModeSchema.meta({ description: 'The mode that answered: vector when the scope has no lexical index yet.' }),
  lexicalIndex: z.boolean(),
  noMatch: z.boolean().meta({ description: 'True when nothing in the scope matched the query.' }),
  results: z.array(searchResultRowSchema),
}).meta({ id: 'SearchResponse' })

export const chatMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(100_000) })

export const chatRequestSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1).max(500),
  model: z.string().min(1).max(200).optional(),
  ragEnabled: z.boolean().default(true).meta({ description: "Give the model the scope's top passages (default true)." }),
  conversationId: z.string().min(1).max(100).optional().meta({ description: 'Append this turn to a conversation (/v1/sessions); send only the new messages.' }),
}).meta({ id: 'ChatRequest' })

export const chatResponseSchema = z.object({
  content: z.string(),
  model: z.string().meta({ description: 'The model that answered, or retrieval-only when none is configured.' }),
  sources: z.array(searchResultRowSchema),
  conversationId: z.string().optional(),
}).meta({ id: 'ChatResponse' })

export const muxiChatRequestSchema = z.strictObject({
  message: z.string().max(100_000),
  session_id: z.string().min(1).max(100).optional().meta({ description: 'Continue this session; a new one is created (and returned) without it.' }),
  user_id: z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).optional()
    .meta({ description: 'Custom isolation without auth: names the user as X-Muxi-User-Id does.' }),
  stream: z.boolean().optional(),
  model: z.string().min(1).max(200).optional(),
}).meta({ id: 'MuxiChatRequest' })

export const muxiChatResponseSchema = z.object({
  session_id: z.string(),
  user_id: z.string(),
  response: z.string(),
  model: z.string(),
  sources: z.array(searchResultRowSchema),
}).meta({ id: 'MuxiChatResponse' })

export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  isolation: z.enum(['none', 'session', 'custom']),
  llm: z.boolean(),
  memory: z.boolean(),
}).meta({ id: 'Health' })

export const modelsResponseSchema = z.object({
  models: z.array(z.object({ id: z.string() })),
  default: z.string().nullable(),
  llm: z.boolean(),
}).meta({ id: 'Models' })

export const conversationCreatedSchema = z.object({ id: z.string(), user_id: z.string(), created_at: z.string() }).meta({ id: 'ConversationCreated' })
export const conversationDetailSchema = conversationSummarySchema.extend({ messages: z.array(conversationMessageSchema) }).meta({ id: 'ConversationDetail' })

export const memoryAddRequestSchema = z.strictObject({ content: z.string().trim().min(1).max(MAX_MEMORY_CHARS) }).meta({ id: 'MemoryAddRequest' })
export const memoryAddResponseSchema = z.object({ memory: memorySchema.nullable(), created: z.boolean() })
export const memorySearchRequestSchema = z.strictObject({ query: z.string().trim().min(1).max(4000), limit: z.number().int().min(1).max(50).default(5) })
export const memorySearchResponseSchema = z.object({ query: z.string(), results: z.array(memorySchema.extend({ score: z.number() })) })

export const deletedDocumentSchema = z.object({ message: z.string(), id: z.string(), chunks: z.number().int() })
export const deletedDocumentsSchema = z.object({ message: z.string(), deleted: z.number().int() })
export const deletedItemSchema = z.object({ message: z.string(), id: z.string().optional() })

export type SearchMode = z.infer<typeof searchModeSchema>
export type SearchRequest = z.input<typeof searchRequestSchema>
export type SearchResultRow = z.infer<typeof searchResultRowSchema>
export type SearchResponse = z.infer<typeof searchResponseSchema>
export type ChatMessage = z.infer<typeof chatMessageSchema>
export type ChatRequest = z.input<typeof chatRequestSchema>
export type ChatResponse = z.infer<typeof chatResponseSchema>
export type MuxiChatRequest = z.input<typeof muxiChatRequestSchema>
export type MuxiChatResponse = z.infer<typeof muxiChatResponseSchema>
export type HealthResponse = z.infer<typeof healthResponseSchema>
export type ModelsResponse = z.infer<typeof modelsResponseSchema>
export type ConversationCreated = z.infer<typeof conversationCreatedSchema>
export type ConversationDetail = z.infer<typeof conversationDetailSchema>
