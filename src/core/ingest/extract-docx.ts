import mammoth from 'mammoth'
import { UnreadableFileError } from '../errors.js'
import { describeFile } from './file-type.js'
import { assertZipInflatesWithin, type ZipShapeLimits } from './zip-guard.js'

/**
 * The paragraphs of a .docx as plain text (mammoth; no images, no styles).
 * The archive is checked first: mammoth inflates whole parts, and makes objects of every XML
 * element, before any cap of ours applies; so its inflated size, entries and elements are capped.
 */
export const extractDocxText = async (fileName: string, bytes: Uint8Array, maxInflatedBytes: number, shape?: ZipShapeLimits): Promise<string> => {
  assertZipInflatesWithin(fileName, bytes, maxInflatedBytes, shape)
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })
    return result.value
  } catch (error) {
    throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: it is not a readable DOCX document.`, error)
  }
}
