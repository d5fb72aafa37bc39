/**
 * Deleting documents from a scope, for the server's `DELETE /api/documents…`
 * routes and the CLI alike. Both hold the scope's lock through the backend's
 * write and delete in the order a failure can always be retried from.
 */
import { NotFoundError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'

export interface DeleteDocumentResult {
  id: string
  /** Chunks removed from the index. */
  chunks: number
}

export interface DeleteAllDocumentsResult {
  /** Documents removed. */
  deleted: number
}

/**
 * Removes one document: its kept upload, then its chunks. Only an id the store
 * knows reaches the uploads dir. The upload goes first: a failure after it
 * leaves chunks a retry still deletes; the other order left an upload no retry
 * could reach (test/reliability/delete-order.test.ts).
 *
 * @example
 * await deleteDocument(backend, customScope('user-1'), 'doc_0123456789abcdef01234567') // { id, chunks: 3 }
 */
export const deleteDocument = async (backend: StorageBackend, scope: Scope, id: string): Promise<DeleteDocumentResult> => {
  const chunks = await backend.withStore(scope, async (store) => {
    if (!store.listDocuments().some((document) => document.id === id)) return 0
    await backend.uploadFiles(scope).remove(id)
    return store.deleteDocument(id)
  }, { write: true })
  if (chunks === 0) throw new NotFoundError(`Document ${JSON.stringify(id.slice(0, 80))} not found.`)
  return { id, chunks }
}

/**
 * Removes every document of a scope: the index is emptied and committed first,
 * then the uploads dir goes (never following a link). A failure in between
 * leaves uploads without chunks, which the next commit into the scope removes.
 *
 * @example
 * await deleteAllDocuments(backend, customScope('user-1')) // { deleted: 12 }
 */
export const deleteAllDocuments = async (backend: StorageBackend, scope: Scope): Promise<DeleteAllDocumentsResult> => {
  const deleted = await backend.withStore(scope, async (store) => {
    const documents = store.listDocuments().length
    await store.deleteAll()
    // fs: never through a link, and only while the lock is still this process's (fs-backend.ts).
    await backend.uploadFiles(scope).removeAll()
    return documents
  }, { write: true })
  return { deleted }
}
