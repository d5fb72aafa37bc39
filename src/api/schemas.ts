/**
 * The wire contract of Bento's document API, as zod schemas: the routes
 * validate requests with them, `GET /api/openapi.json` is generated from them,
 * and the typed client's types are inferred from them (`z.infer`), so the
 * three cannot drift. Only zod and core's metadata rules: no server code.
 */
import { z } from 'zod'
import { metadataSchema } from '../core/metadata.js'

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable error code, e.g. invalid_input, not_found, quota_exceeded.' }),
    message: z.string(),
  }).catchall(z.unknown()),
}).meta({ id: 'Error' })

export const onConflictSchema = z.enum(['replace', 'keep-both', 'reject']).meta({
  description: 'A file whose name a stored document already has: replace that document (default), keep both, or reject (skip) the file.',
})

export const uploadQuerySchema = z.strictObject({ onConflict: onConflictSchema.default('replace') })

export const uploadOutcomeSchema = z.discriminatedUnion('outcome', [
  z.object({
    file: z.string(),
    outcome: z.enum(['added', 'replaced']),
    documentId: z.string(),
    title: z.string(),
    chunks: z.number().int(),
    fileType: z.string(),
    bytes: z.number().int().meta({ description: 'Size of the original file.' }),
    replaced: z.array(z.string()).meta({ description: 'Ids of the documents this file replaced (its own id when the same file came again).' }),
  }),
  z.object({
    file: z.string(),
    outcome: z.literal('skipped'),
    documentId: z.string().optional(),
    reason: z.string(),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]).meta({ id: 'UploadOutcome' })

export const uploadResponseSchema = z.object({
  message: z.string(),
  results: z.array(uploadOutcomeSchema).meta({ description: 'One outcome per file part, in order.' }),
  documentId: z.string().optional().meta({ description: 'Single-file uploads: the stored document (as before multi-file uploads).' }),
  chunks: z.number().int().optional(),
  title: z.string().optional(),
  fileType: z.string().optional(),
  outcome: z.enum(['added', 'replaced']).optional(),
  replaced: z.array(z.string()).optional(),
}).meta({ id: 'UploadResponse' })

export const documentSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  source: z.string().meta({ description: 'The uploaded file name.' }),
  createdAt: z.string().nullable(),
  fileType: z.string().nullable(),
  chunks: z.number().int(),
  bytes: z.number().int().nullable().meta({ description: 'Size of the original file, when known.' }),
  metadata: z.record(z.string(), z.unknown()).meta({ description: 'The metadata given at upload (Bento\'s own keys left out).' }),
}).meta({ id: 'DocumentSummary' })

export const documentDetailSchema = documentSummarySchema.extend({
  textBytes: z.number().int().meta({ description: 'UTF-8 bytes of the indexed text (all chunks).' }),
  file: z.object({ name: z.string(), bytes: z.number().int(), contentType: z.string() }).nullable()
    .meta({ description: 'The kept original, served by GET /api/documents/{id}/file; null when there is none.' }),
}).meta({ id: 'DocumentDetail' })

export const documentIdParamSchema = z.strictObject({ id: z.string().min(1).max(300) })

export { metadataSchema }

export type UploadQuery = z.input<typeof uploadQuerySchema>
export type UploadOutcomeWire = z.infer<typeof uploadOutcomeSchema>
export type UploadResponse = z.infer<typeof uploadResponseSchema>
export type DocumentSummary = z.infer<typeof documentSummarySchema>
export type DocumentDetail = z.infer<typeof documentDetailSchema>
export type ErrorResponse = z.infer<typeof errorResponseSchema>

export const MAX_PAGE_LIMIT = 1000
export const DEFAULT_PAGE_LIMIT = 100

/** `?limit=&cursor=` of every list route. */
export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT)
    .meta({ description: `Rows per page, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).` }),
  cursor: z.string().min(1).max(1000).optional().meta({ description: 'The nextCursor of the previous page, unchanged.' }),
})

const nextCursor = z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null on the last page.' })

export const documentListResponseSchema = z.object({ documents: z.array(documentSummarySchema), nextCursor }).meta({ id: 'DocumentList' })

export const conversationSummarySchema = z.object({
  id: z.string(),
  user_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  message_count: z.number().int(),
}).meta({ id: 'ConversationSummary' })

export const conversationMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  created_at: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'On the answer of a turn that failed upstream.' }),
})

export const conversationListResponseSchema = z.object({ sessions: z.array(conversationSummarySchema), nextCursor }).meta({ id: 'ConversationList' })
export const messageListResponseSchema = z.object({ messages: z.array(conversationMessageSchema), nextCursor }).meta({ id: 'MessageList' })

export const memorySchema = z.object({ id: z.string(), content: z.string(), created_at: z.string(), session_id: z.string().nullable() }).meta({ id: 'Memory' })
export const memoryListResponseSchema = z.object({ memories: z.array(memorySchema), nextCursor }).meta({ id: 'MemoryList' })

export type PageQuery = z.input<typeof pageQuerySchema>
export type DocumentListResponse = z.infer<typeof documentListResponseSchema>
export type ConversationListResponse = z.infer<typeof conversationListResponseSchema>
export type MessageListResponse = z.infer<typeof messageListResponseSchema>
export type MemoryListResponse = z.infer<typeof memoryListResponseSchema>
