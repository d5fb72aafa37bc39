export type { Chunk, ChunkOptions, ExtractedDocument, FileType, IngestLimits } from './types.js'
export { chunkDocument, chunkSpans, chunkText, normalizeWhitespace, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, type ChunkSpan } from './chunk.js'
export { assertDocumentId, chunkIdFor, documentIdFor, isDocumentId } from './document-id.js'
export { extractText } from './extract.js'
export { assertValidFileName, MAX_FILE_NAME_BYTES } from './file-name.js'
export { detectFileType, fileTypeFromName, SUPPORTED_EXTENSIONS } from './file-type.js'
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS } from './limits.js'
export { createEmbedQueue, type EmbedQueue } from './embed-queue.js'
export {
  commitDocuments,
  ingestDocument,
  prepareDocument,
  splitDocument,
  withVectors,
  type ChunkedDocument,
  removeDocumentFiles,
  type CommitDeps,
  type IngestDeps,
  type IngestInput,
  type IngestResult,
  type PrepareDeps,
  type PreparedDocument,
} from './pipeline.js'
