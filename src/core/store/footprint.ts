/**
 * What an open store holds in memory, estimated from its state, so a pool can
 * keep open stores within a byte budget (`maxStoreMemory`). Figures and how they
 * were measured: bench/FINDINGS.md ("What an open store costs").
 */
import { flatBytes } from './flat-index.js'
import type { StoreState } from './state.js'

/**
 * hnswlib's fixed cost per index: 65,536 label mutexes (40 bytes each on glibc)
 * allocated whatever the index holds, plus the object and its space.
 */
export const HNSW_FIXED_BYTES = 65_536 * 40 + 64 * 1024
/** Per slot of capacity: the per-point link mutex and level entry, beside the level-0 record. */
const HNSW_BYTES_PER_SLOT = 44
/** Per point: its label-lookup hash node and upper-level link block pointer. */
const HNSW_BYTES_PER_POINT = 64
/** The parsed docstore (V8 strings, record objects, the Map) against its JSON size. */
export const DOCSTORE_MEMORY_FACTOR = 2
/** The decoded lexical index (postings columns, vocabulary, per-label search arrays) against its file size; measured in bench/FINDINGS.md. */
export const LEXICAL_MEMORY_FACTOR = 4.3
/** The store object, its queue and identity, an empty Map. */
const STORE_BASE_BYTES = 4 * 1024

export const footprintOf = (state: StoreState): number => {
  let bytes = STORE_BASE_BYTES + state.docstoreBytes * DOCSTORE_MEMORY_FACTOR + state.lexicalBytes * LEXICAL_MEMORY_FACTOR
  if (state.flat) bytes += flatBytes(state.flat)
  if (state.index && state.dimension !== undefined) {
    const record = (2 * state.m * 4 + 4) + state.dimension * 4 + 8
    bytes += HNSW_FIXED_BYTES + state.capacity * (record + HNSW_BYTES_PER_SLOT) + (state.live + state.deleted) * HNSW_BYTES_PER_POINT
  }
  return bytes
}
