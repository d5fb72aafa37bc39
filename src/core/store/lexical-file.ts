/**
 * The store's lexical index file, `bento-lexical.bin`: the one place it is written
 * (step 1 of a commit) and read. LangChain ignores the file; a store without it
 * (written before it existed, or adopted from LangChain) searches by vector only
 * until its next write or `reindex()` builds it from the docstore.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { addPassage, createLexicalIndex, decodeLexicalIndex, encodeLexicalIndex, type Analyzer, type LexicalIndex } from '../lexical/index.js'
import { discardStaged, type StagedFile } from './commit.js'
import type { Docstore } from './docstore.js'
import { LEXICAL_FILE } from './files.js'

/** Step 1 of a commit for the lexical index: a complete, fsynced temp file. */
export const stageLexical = async (dir: string, index: LexicalIndex): Promise<StagedFile> => {
  const temp = fs.tempPathFor(path.join(dir, LEXICAL_FILE))
  const data = encodeLexicalIndex(index)
  try {
    await fs.writeFileDurable(temp, data)
  } catch (error) {
    await discardStaged([{ name: LEXICAL_FILE, temp, bytes: 0 }])
    throw error
  }
  return { name: LEXICAL_FILE, temp, bytes: data.length }
}

export const parseLexical = (data: Uint8Array, file = LEXICAL_FILE): LexicalIndex => decodeLexicalIndex(data, file)

/** The index of every live passage, from the docstore's texts (no embedding involved). */
export const buildLexical = (docs: Docstore, analyzer?: Analyzer): LexicalIndex => {
  const index = createLexicalIndex(analyzer)
  for (const [label, record] of docs) addPassage(index, label, record.pageContent)
  return index
}
