/**
 * A store's document count, read only (`bento ls`): what its manifest records when it
 * can be trusted (constant time, `peekStore`); otherwise the docstore with the commit
 * log's counted records applied, since a store written since the log landed keeps its
 * newer documents only in `bento-log.bin` until a compaction. Nothing is written or
 * rolled forward (a pending commit is an open's to finish, not a report's).
 * Test: test/core/store/count-documents.test.ts.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { countDocuments, parseDocstore } from './docstore.js'
import { DOCSTORE_FILE, LOG_FILE, MANIFEST_FILE } from './files.js'
import { decodeLog, readLogBytes } from './log-file.js'
import { peekStore } from './peek.js'

/** How much of the log counts, from a manifest too old or too damaged for `peekStore`, if it says. */
const countedLog = (dir: string): { bytes: number; dimension: number } | undefined => {
  try {
    const raw = JSON.parse(fs.readTextSyncNoFollow(path.join(dir, MANIFEST_FILE))) as { dimension?: unknown; log?: { bytes?: unknown } }
    const bytes = raw.log?.bytes
    const dimension = raw.dimension
    if (Number.isSafeInteger(bytes) && (bytes as number) > 0 && Number.isSafeInteger(dimension) && (dimension as number) > 0) {
      return { bytes: bytes as number, dimension: dimension as number }
    }
  } catch {
    // No manifest, or not JSON: the docstore is all there is to count.
  }
  return undefined
}

/** Distinct documents in the store at `dir`: 0 when there is none, undefined when it cannot be read. */
export const countStoreDocuments = async (dir: string): Promise<number | undefined> => {
  try {
    const peek = await peekStore(dir)
    if (peek) return peek.documents
  } catch {
    // A damaged manifest: the docstore and log may still answer.
  }
  const file = path.join(dir, DOCSTORE_FILE)
  if (!(await fs.lstatOrUndefined(file))?.isFile()) return 0
  try {
    const docs = parseDocstore(await fs.readText(file))
    const log = countedLog(dir)
    if (log) {
      for (const record of decodeLog(await readLogBytes(path.join(dir, LOG_FILE), log.bytes), log.dimension)) {
        for (const label of record.delete) docs.delete(label)
        for (const [label, doc] of record.add) docs.set(label, doc)
      }
    }
    return countDocuments(docs)
  } catch {
    return undefined
  }
}
