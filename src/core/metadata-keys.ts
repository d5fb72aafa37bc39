/**
 * The key rules of a caller's metadata, apart from its schema (metadata.ts):
 * listing documents and filtering a search need these, and should not load zod
 * to get them.
 */

/** Keys Bento writes itself; a caller's metadata may not use them. */
export const RESERVED_METADATA_KEYS = ['source', 'fileType', 'createdAt', 'bytes', 'documentId', 'title', 'chunkIndex', 'scope'] as const

export const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

/** The caller's keys of a stored chunk's or document's metadata (Bento's own left out). */
export const userMetadata = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const own: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(metadata)) if (!(RESERVED_METADATA_KEYS as readonly string[]).includes(key)) own[key] = value
  return own
}
