/**
 * The crash-safe hnswlib-node vector store. On-disk format: docs/STORE-FORMAT.md.
 */
export { openStore } from './open-store.js'
export { recoverStore } from './journal.js'
export { peekStore, type StorePeek } from './peek.js'
export { keepIdleIndexes } from './index-recycler.js'
export { validateIndexFile, type IndexFileInfo, type IndexExpectations } from './index-header.js'
export { DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_INITIAL_CAPACITY, DEFAULT_M, DEFAULT_SPACE } from './defaults.js'
export { FORMAT_VERSION, MAX_LABEL, type Manifest } from './manifest.js'
export { ARGS_FILE, DOCSTORE_FILE, INDEX_FILE, JOURNAL_FILE, LEXICAL_FILE, MANIFEST_FILE, isOwnTempName } from './files.js'
export type * from './types.js'
