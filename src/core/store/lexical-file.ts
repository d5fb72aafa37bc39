/**
 * The store's lexical index file, `bento-lexical.bin`: the one place it is written
 * (step 1 of a commit) and read (checked as a whole at open, decoded at first use). LangChain ignores the file; a store without it
 * (written before it existed, or adopted from LangChain), or with a damaged or outdated one,
 * searches by vector only until its next write or `reindex()` builds it from the docstore.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { CorruptStoreError } from '../errors.js'
import { addPassage, createLexicalIndex, decodeLexicalIndex, encodeAndPackLexicalIndex, encodeLexicalIndex, readLexicalHeader, TOKENIZER_ID, type Analyzer, type LexicalIndex } from '../lexical/index.js'
import { discardStaged, type StagedFile } from './commit.js'
import type { Docstore } from './docstore.js'
import { DOCSTORE_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'

/**
 * Step 1 of a commit for the lexical index: a complete, fsynced temp file. `packed` is
 * the index for the store to keep once the commit succeeded: after removals, the same
 * index as fresh packed columns without the removed passages' postings (searches stop
 * skipping them, memory drops them); otherwise `index` itself, because packing costs
 * the commit about as much again as encoding and searches scan appended lists as fast.
 */
export const stageLexical = async (dir: string, index: LexicalIndex): Promise<StagedFile & { packed: LexicalIndex }> => {
  const temp = fs.tempPathFor(path.join(dir, LEXICAL_FILE))
  const { bytes: data, packed } = index.removed > 0 ? encodeAndPackLexicalIndex(index) : { bytes: encodeLexicalIndex(index), packed: index }
  try {
    await fs.writeFileDurable(temp, data)
  } catch (error) {
    await discardStaged([{ name: LEXICAL_FILE, temp, bytes: 0 }])
    throw error
  }
  return { name: LEXICAL_FILE, temp, bytes: data.length, packed }
}

/** The lexical file as an open found it: its bytes, or why they are not used. */
export interface LexicalFound {
  bytes?: Uint8Array
  /**
   * Damaged (any check failed) or built by another tokenizer: the store searches by vector
   * and reports it (`StoreStats.lexicalProblem`, `inspect`); its next write or `reindex()`
   * rebuilds the index from the docstore, which holds every passage's text.
   */
  problem?: string
}

/**
 * The open's share of reading the file, which the manifest records (`recorded` bytes):
 * the whole-file checks (size, magic, version, checksum, header) and the passage
 * count. Decoding the postings waits for the first lexical search or write
 * (`decodeLexical`), so a cold open costs a read and a checksum. A damaged file does not
 * stop the open: the index is derived from the docstore and can always be rebuilt.
 * @throws RefusedError for a file of a newer format (a later Bento's store).
 */
export const checkLexical = (bytes: Uint8Array | undefined, recorded: number, docs: Docstore): LexicalFound => {
  try {
    if (bytes === undefined) throw new CorruptStoreError(`${LEXICAL_FILE} missing though ${MANIFEST_FILE} records it.`)
    if (bytes.length !== recorded) throw new CorruptStoreError(`${LEXICAL_FILE}: ${bytes.length} bytes, ${MANIFEST_FILE} records ${recorded}.`)
    const header = readLexicalHeader(bytes, LEXICAL_FILE)
    // Its terms would not match this Bento's queries.
    if (header.analyzer.tokenizer !== TOKENIZER_ID) return { problem: `${LEXICAL_FILE}: built by tokenizer ${header.analyzer.tokenizer}, this Bento's is ${TOKENIZER_ID} (outdated).` }
    if (header.documents !== docs.size) throw new CorruptStoreError(`${LEXICAL_FILE}: indexes ${header.documents} passages, ${DOCSTORE_FILE} holds ${docs.size}.`)
    return { bytes }
  } catch (error) {
    if (error instanceof CorruptStoreError) return { problem: error.message }
    throw error
  }
}

/** The full decode of a file `checkLexical` passed, checked against the docstore it was read with. @throws CorruptStoreError */
export const decodeLexical = (bytes: Uint8Array, docs: Docstore): LexicalIndex => {
  const lexical = decodeLexicalIndex(bytes, LEXICAL_FILE)
  if (lexical.lengths.size !== docs.size) {
    throw new CorruptStoreError(`${LEXICAL_FILE}: indexes ${lexical.lengths.size} passages, ${DOCSTORE_FILE} holds ${docs.size}.`)
  }
  for (const label of lexical.lengths.keys()) {
    if (!docs.has(label)) throw new CorruptStoreError(`${LEXICAL_FILE}: label ${label} has no ${DOCSTORE_FILE} entry.`)
  }
  return lexical
}

/** `decodeLexical`, or why it failed (see `LexicalFound.problem`). */
export const tryDecodeLexical = (bytes: Uint8Array, docs: Docstore): { index?: LexicalIndex; problem?: string } => {
  try {
    return { index: decodeLexical(bytes, docs) }
  } catch (error) {
    if (error instanceof CorruptStoreError) return { problem: error.message }
    throw error
  }
}

/** The index of every live passage, from the docstore's texts (no embedding involved). */
export const buildLexical = (docs: Docstore, analyzer?: Analyzer): LexicalIndex => {
  const index = createLexicalIndex(analyzer)
  for (const [label, record] of docs) addPassage(index, label, record.pageContent)
  return index
}
