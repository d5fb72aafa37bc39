import { createHash } from 'node:crypto'
import { InvalidInputError } from '../errors.js'

const DOCUMENT_ID = /^doc_[0-9a-f]{24}$/

/**
 * The id of an upload: `doc_` + 24 hex of sha256(name, NUL, bytes). The same
 * file uploaded again gets the same id, so re-ingesting replaces it.
 *
 * @example
 * documentIdFor('notes.txt', new TextEncoder().encode('hi')) // 'doc_…' (24 hex)
 */
export const documentIdFor = (fileName: string, bytes: Uint8Array): string =>
  `doc_${createHash('sha256').update(fileName, 'utf8').update('\0').update(bytes).digest('hex').slice(0, 24)}`

export const chunkIdFor = (documentId: string, index: number): string => `${documentId}:${index}`

export const isDocumentId = (value: unknown): value is string => typeof value === 'string' && DOCUMENT_ID.test(value)

/** Threat: a crafted id (`../..`, `doc_x/../../`) used as a path component. */
export const assertDocumentId = (value: unknown): string => {
  if (!isDocumentId(value)) {
    throw new InvalidInputError(`Invalid document id ${JSON.stringify(String(value).slice(0, 60))}: expected doc_ and 24 hex digits.`)
  }
  return value
}
