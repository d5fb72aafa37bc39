/** A stored document as the document routes answer it (`list` rows and the detail's base). */
import { userMetadata } from '../core/metadata.js'
import type { DocumentSummary as StoredDocument } from '../core/store/types.js'
import type { DocumentSummary } from '../api/schemas.js'

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null)

export const toDocumentSummary = (document: StoredDocument): DocumentSummary => ({
  id: document.id,
  title: document.title,
  source: stringOrNull(document.metadata.source) ?? document.title,
  createdAt: stringOrNull(document.metadata.createdAt),
  fileType: stringOrNull(document.metadata.fileType),
  chunks: document.chunks,
  bytes: typeof document.metadata.bytes === 'number' ? document.metadata.bytes : null,
  metadata: userMetadata(document.metadata),
})
