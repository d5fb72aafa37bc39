/**
 * Public entry `bento-core`: the server, the isolation keys, the storage
 * backend, the embedders, the store, the operations and the typed errors.
 * The typed HTTP client is `bento-core/client`; the isolation middleware and
 * `cleanupSessions` are also `bento-core/middleware/isolation`.
 */
export { createBentoServer, serverOptionsFromEnv, HTTP_STATUSES } from './server/index.js'
export type { AccessKeys, BentoEnv, BentoServer, BentoServerConfig, BentoServerOptions, ChatOptions, CorsOptions, ErrorBody, ListeningAddress, StartOptions } from './server/index.js'
export { isolation, resolveScope } from './middleware/isolation.js'
export { cleanupSessions } from './server/cleanup-sessions.js'
export type { IsolationMode, IsolationOptions } from './middleware/isolation.js'
export type { CleanupSessionsConfig, CleanupSessionsOptions, CleanupSessionsResult } from './server/cleanup-sessions.js'

export {
  MAX_CUSTOM_KEY_LENGTH, SHARED_KEY, customScope, isScope, isScopeDirName, isSessionId, scopeFromArg, scopeFromDirName, sessionScope, sharedScope, tenantOf,
} from './core/keys.js'
export type { Scope, ScopeKind } from './core/keys.js'
export { createLayout, type Layout } from './core/layout.js'
export { createSessionId, createConversationId } from './core/sessions.js'

export { createFsBackend } from './core/backend/index.js'
export { createPgBackend, type PgBackend, type PgBackendOptions } from './core/backend/pg/pg-backend.js'
export { parseDatabaseSpec, type DatabaseSpec } from './core/backend/pg/spec.js'
export type { BackendOptions, StorageBackend, StorePart, WithStoreOptions } from './core/backend/index.js'
export { createLocalEmbedder, createOpenAIEmbedder, embedderFromEnv } from './core/embeddings/index.js'
export type { Embedder, LocalEmbedderOptions, OpenAIEmbedderOptions } from './core/embeddings/index.js'
export { openStore } from './core/store/index.js'
export type { LexicalSearchHit, SearchHit, StoreOpenOptions, VectorStore } from './core/store/index.js'

export { appendMessages, createConversation, deleteConversation, getConversation, listConversations } from './core/conversations.js'
export type { Conversation, ConversationMessage, ConversationOptions } from './core/conversations.js'
export { deleteMemory, extractMemories, listMemories, recallMemories, rememberMemories } from './core/memory.js'
export type { MemoryEntry, RecalledMemory } from './core/memory.js'

export {
  applyCleanup, applyImport, applyMigrate, cleanupExpiredSessions, deleteAllDocuments, deleteDocument, diskUsage, exportAllScopes, exportScopeArchive, inspectScope,
  listScopeSummaries, planCleanup, planImport, planMigrate, recoverPendingOperations, reindexScopes, searchScope, compactScopes, adoptScope,
} from './ops/index.js'
export type { ReindexOptions, ReindexOutcome, ReindexResult, ReindexRow } from './ops/index.js'
export type { CompactOptions, CompactResult, CompactRow } from './ops/index.js'
export type { AdoptOptions, AdoptResult } from './ops/index.js'
export { searchStore, tokenizeForSearch, SEARCH_MODES } from './core/search/index.js'
export type { Fusion, RankedHit, SearchMode, SearchStoreOptions, StoreSearch } from './core/search/index.js'
export type * from './ops/types.js'

export {
  BentoError, BusyError, CancelledError, ConflictError, CorruptStoreError, EmbedderMismatchError, EmptyFileError, ForbiddenError, InvalidInputError,
  InvalidArchiveError, InvalidKeyError, InvalidOptionsError, IoError, LockedError, NotFoundError, RefusedError, TooLargeError, UnauthorizedError, UnreadableFileError,
  UnsafePathError, UnsupportedTypeError, UpstreamError, UpstreamTimeoutError, isBentoError, type ErrorCode,
} from './core/errors.js'
