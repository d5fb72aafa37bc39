/**
 * The first, read-only pass of an import: reads the whole archive, checks every
 * checksum and parses every structured entry, writing nothing anywhere. What it
 * returns is what the import will write (uploads excepted: they are streamed,
 * and checked again, in the second pass).
 */
import { z } from 'zod'
import { InvalidArchiveError } from '../../core/errors.js'
import type { ScopeStoreContents } from '../../core/backend/types.js'
import type { Conversation } from '../../core/conversations.js'
import { decodeChunks } from './chunks.js'
import { STORE_NAMES, chunksEntry, type ArchiveManifest, type StoreName } from './format.js'
import { openArchive } from './read.js'

export interface VerifiedArchive {
  file: string
  manifest: ArchiveManifest
  manifestSha256: string
  documents: ScopeStoreContents
  memory: ScopeStoreContents
  /** `userId` is left empty: it is the key of the scope the import writes to. */
  conversations: Conversation[]
}

const isoDate = z.string().max(40).refine((value) => Number.isFinite(Date.parse(value)), 'not a date')
const conversationSchema = z.strictObject({
  id: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string(), createdAt: isoDate })).max(100_000),
})

const parseConversation = (path: string, id: string, bytes: Buffer): Conversation => {
  let raw: unknown
  try {
    raw = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InvalidArchiveError(`Archive entry ${path} is not valid JSON.`)
  }
  const parsed = conversationSchema.safeParse(raw)
  if (!parsed.success || parsed.data.id !== id) throw new InvalidArchiveError(`Archive entry ${path} is not a conversation of id ${id}.`)
  return { ...parsed.data, userId: '' }
}

const concat = async (content: AsyncIterable<Buffer>): Promise<Buffer> => {
  const parts: Buffer[] = []
  for await (const part of content) parts.push(part)
  return Buffer.concat(parts)
}

/**
 * @example
 * const verified = await verifyArchive('user-1.bento.tar') // throws InvalidArchiveError, UnsafePathError, TooLargeError…
 */
export const verifyArchive = async (file: string): Promise<VerifiedArchive> => {
  const reader = await openArchive(file)
  try {
    const { manifest } = reader
    const raw: Record<StoreName, { lines?: Buffer; vectors?: Buffer }> = { documents: {}, memory: {} }
    const conversations: Conversation[] = []
    for await (const { entry, kind, content } of reader.entries()) {
      if (kind.kind === 'chunks') raw[kind.store].lines = await concat(content)
      else if (kind.kind === 'vectors') raw[kind.store].vectors = await concat(content)
      else if (kind.kind === 'conversation') conversations.push(parseConversation(entry.path, kind.id, await concat(content)))
      else for await (const _ of content) { /* verified as it streams */ }
    }
    const storeOf = (name: StoreName): ScopeStoreContents => {
      const declared = manifest.stores[name]
      const { lines, vectors } = raw[name]
      const embedder = manifest.embedder
      if (declared.chunks === 0 || embedder === null || lines === undefined || vectors === undefined) {
        return { embedderId: undefined, dimension: undefined, space: embedder?.space ?? 'cosine', efSearch: undefined, chunks: [] }
      }
      return {
        embedderId: embedder.id ?? undefined,
        dimension: embedder.dimension,
        space: embedder.space,
        efSearch: declared.efSearch ?? undefined,
        chunks: decodeChunks(chunksEntry(name), lines, vectors, declared.chunks, embedder.dimension),
      }
    }
    const [documents, memory] = STORE_NAMES.map(storeOf) as [ScopeStoreContents, ScopeStoreContents]
    return { file, manifest, manifestSha256: reader.manifestSha256, documents, memory, conversations }
  } finally {
    await reader.close()
  }
}
