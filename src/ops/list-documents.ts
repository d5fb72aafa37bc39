/**
 * One page of a scope's documents, oldest first (`createdAt`, then id): the
 * HTTP list route and `bento ls <key>` share it, so both page the same way.
 */
import type { DocumentSummary } from '../api/schemas.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { userMetadata } from '../core/metadata-keys.js'
import type { DocumentSummary as StoredDocument } from '../core/store/types.js'
import { paginate, type PageRequest } from './paginate.js'

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** A stored document as list rows and the document route answer it. */
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

export interface DocumentPage {
  key: string
  documents: DocumentSummary[]
  nextCursor: string | null
}

/**
 * @example
 * const first = await listDocumentPage(backend, customScope('user-1'), { limit: 100 })
 * const next = first.nextCursor && (await listDocumentPage(backend, scope, { limit: 100, cursor: first.nextCursor }))
 */
export const listDocumentPage = async (backend: StorageBackend, scope: Scope, request: PageRequest): Promise<DocumentPage> => {
  const documents = await backend.withStore(scope, async (store) => store.listDocuments())
  const { rows, nextCursor } = paginate(documents.map(toDocumentSummary), request, (row) => row.createdAt ?? '', (row) => row.id)
  return { key: scope.key, documents: rows, nextCursor }
}
