/** An upload's kept original on disk: `<uploadsDir>/<documentId>/<file name>`. */
import path from 'node:path'
import * as fs from '../fs.js'
import { assertLocksHeld } from '../lock.js'
import { assertDocumentId } from './document-id.js'

/**
 * Removes an upload's folder `<uploadsDir>/<documentId>` (never following a
 * link). The id must be `doc_` + 24 hex, so a crafted id cannot name another
 * path. Resolves to whether anything was there.
 *
 * @example
 * await removeDocumentFiles(layout.uploadsDir(scope), 'doc_0123456789abcdef01234567') // true
 */
export const removeDocumentFiles = async (uploadsDir: string, documentId: string): Promise<boolean> => {
  const dir = path.join(uploadsDir, assertDocumentId(documentId))
  await assertLocksHeld()
  const existed = await fs.exists(dir)
  await fs.remove(dir)
  return existed
}
