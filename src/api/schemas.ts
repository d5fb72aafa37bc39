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
