/**
 * The vector store contract: one store per scope, on hnswlib-node, laid out so
 * LangChain.js's `HNSWLib.load(dir)` can read it (hnswlib.index, docstore.json,
 * args.json) plus Bento's manifest `bento.json`.
 */
import type { AnalyzerOptions, LexicalHit, PassageTerms } from '../lexical/index.js'

export type Space = 'cosine' | 'l2' | 'ip'

export interface StoreOpenOptions {
  /** Directory holding the store's files (a scope's vectors dir, or its memory dir). */
  dir: string
  /** Needed to create a store; checked against the manifest when opening one. */
  dimension?: number
  space?: Space
  /** e.g. `local-hash-v1:384` or `openai:openai/text-embedding-3-small:1536`. */
  embedderId?: string
  efSearch?: number
  efConstruction?: number
  m?: number
  initialCapacity?: number
  /**
   * Stores of at most this many points (live and deleted) keep their vectors in JS
   * and are searched exactly, with no hnswlib object (~2.6 MB each) until a mutation.
   * Default 1024; 0 always loads hnswlib.
   */
  exactSearchMaxPoints?: number
  /** Create the store (in memory; nothing is written before the first change) if absent. Default true. */
  create?: boolean
  /** English stop words / plural stemming for a new store's lexical index (default off); an existing index keeps its own. */
  lexical?: AnalyzerOptions
  /**
   * Writes to a store that has its base files append to the commit log (`bento-log.bin`)
   * instead of rewriting them; `compact()`/`compactLog()` fold it in. Default true;
   * false rewrites the base files at every write (each write then costs the store's size).
   */
  appendLog?: boolean
  /**
   * Read the store as its data files say, ignoring `bento.json` (and the commit log it counts):
   * for a store LangChain changed after Bento wrote it (labels beyond the manifest's `nextLabel`,
   * counts or sizes that disagree). Its embedder is then unknown until `adoptEmbedder` declares it,
   * which writes a new manifest. Default false.
   */
  ignoreManifest?: boolean
  /**
   * Read only the manifest, the catalog of documents and the commit log (not the index,
   * docstore or lexical postings) when the store allows it: `stats`, `logStats`,
   * `listDocuments` and an `add` that appends to the log then cost the same into a store of
   * any size. Any other operation loads the rest first. Default false.
   */
  lazy?: boolean
}

export interface ChunkInput {
  documentId: string
  title: string
  text: string
  chunkIndex: number
  vector: ArrayLike<number>
  /** Kept as is in docstore metadata (source, fileType, createdAt…). */
  metadata?: Record<string, unknown>
  /**
   * The vector is one a store of the same space already holds (`exportChunks`):
   * added bit for bit, not normalized again. Default false.
   */
  stored?: boolean
  /**
   * `analyzePassage(text, analyzer)`, counted ahead as ingest does beside embedding, so the
   * commit only appends postings. Ignored by an index with another analyzer (it tokenizes
   * `text` itself); must be the count of exactly `text`.
   */
  terms?: PassageTerms
}

export interface StoredChunk {
  label: number
  documentId: string
  title: string
  text: string
  chunkIndex: number
  metadata: Record<string, unknown>
}

export interface SearchHit extends StoredChunk {
  /** Similarity, higher is closer: cosine and ip give 1 - distance, l2 gives 1 / (1 + distance). */
  score: number
  distance: number
}

export interface DocumentSummary {
  id: string
  title: string
  chunks: number
  /** UTF-8 bytes of the chunk texts. */
  bytes: number
  metadata: Record<string, unknown>
}

export interface StoreStats {
  live: number
  deleted: number
  capacity: number
  dimension: number | undefined
  space: Space
  embedderId: string | undefined
  efSearch: number
  revision: number
  /** False for a store without a lexical index yet (written before it existed, or adopted): vector search only until its next write or `reindex()`. */
  lexical: boolean
  /**
   * Why the store's lexical file is not used: damaged (a check failed) or outdated (built by
   * another tokenizer). Search is vector only meanwhile; `reindex()` or the next write rebuilds it.
   */
  lexicalProblem?: string
}

export interface ReindexStoreOptions {
  /** Rebuild from the stored texts even when the index looks current. Default false. */
  force?: boolean
}

/** The commit log's share of a store: writes appended since the base files were last rewritten. */
export interface LogStats {
  records: number
  /** Points the log adds (live or deleted since). */
  added: number
  /** Deletions the log makes. */
  deleted: number
  bytes: number
  /** True when the log has grown enough to be folded into the base files (`compactLog`). */
  due: boolean
}

export interface LexicalSearchHit extends StoredChunk, Omit<LexicalHit, 'label'> {}

export interface ExportedChunk extends Omit<StoredChunk, 'label'> {
  vector: Float32Array
}

export interface AddOptions {
  /** Document ids whose chunks the same commit removes. */
  replacing?: readonly string[]
}

export interface VectorStore {
  readonly dir: string
  /**
   * Estimated bytes the open store holds in memory (vectors or hnswlib index, the
   * parsed docstore): what a memory-budgeted pool charges for it. Changes with each mutation.
   */
  footprint(): number
  stats(): StoreStats
  /**
   * Adds chunks and commits them durably before resolving. Grows capacity as needed.
   * `replacing` documents are removed in the same commit (a replace is never half done).
   */
  add(chunks: ChunkInput[], options?: AddOptions): Promise<void>
  search(vector: ArrayLike<number>, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<SearchHit[]>
  /**
   * Up to `k` passages by BM25 that share a term with `query`, best first; `undefined`
   * when the store has no lexical index yet (`stats().lexical` false).
   */
  searchLexical(query: string, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<LexicalSearchHit[] | undefined>
  /**
   * Builds the lexical index from the stored texts and commits it (no embedding): for a store
   * without one, or whose file is damaged or outdated (`stats().lexicalProblem`), or always with
   * `force`. Resolves false when nothing was rebuilt.
   */
  reindex(options?: ReindexStoreOptions): Promise<boolean>
  listDocuments(): DocumentSummary[]
  /** Resolves to the number of chunks removed (0 when the document is unknown). */
  deleteDocument(documentId: string): Promise<number>
  /** Removes several documents in one commit; resolves to the number of chunks removed (no commit when 0). */
  deleteDocuments(documentIds: readonly string[]): Promise<number>
  deleteAll(): Promise<void>
  /** Folds the commit log into the base files and rebuilds the index without deleted points. */
  compact(): Promise<void>
  /** The commit log's size, and whether it is due for folding. */
  logStats(): LogStats
  /** Folds the commit log into the base files (no relabelling); resolves false when there was none. Call it under the scope's lock. */
  compactLog(): Promise<boolean>
  /** Every live chunk with its stored vector, for a merge without re-embedding. */
  exportChunks(): Promise<ExportedChunk[]>
  /** True when another process changed or removed the files since this object last read or wrote them. */
  isStale(): Promise<boolean>
  /** Re-reads the store if another process changed it since this object last read or wrote it (call it under the lock). */
  refresh(): Promise<void>
  /** Waits for queued operations; afterwards every method throws. Memory is freed when unreferenced. */
  close(): Promise<void>
}
