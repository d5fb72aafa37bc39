/**
 * The scope archive (`bento export` / `bento import`): one scope as a plain
 * POSIX tar of a fixed layout, described in docs/STORE-FORMAT.md "Scope archives".
 *
 *   bento-archive.json          the manifest (first entry)
 *   bento-archive.json.sha256   sha256 of the manifest's bytes, hex (second entry)
 *   documents/chunks.jsonl      one JSON object per chunk
 *   documents/vectors.f32       their vectors: float32 little-endian, chunk i at i × dimension × 4
 *   memory/chunks.jsonl, memory/vectors.f32   the scope's memory store, same form
 *   conversations/<id>.json     one per conversation
 *   uploads/<documentId>/<file name>   the kept originals
 *
 * Data entries appear in exactly the order the manifest lists them, and every
 * one carries its size and sha256 there, so a reader checks each before it is used.
 */
import { z } from 'zod'
import { InvalidArchiveError } from '../../core/errors.js'
import { assertValidFileName } from '../../core/ingest/file-name.js'
import { isConversationId } from '../../core/sessions.js'

export const ARCHIVE_FORMAT = 'bento-scope-archive'
export const ARCHIVE_FORMAT_VERSION = 1
export const ARCHIVE_SUFFIX = '.bento.tar'
export const MANIFEST_ENTRY = 'bento-archive.json'
export const MANIFEST_CHECKSUM_ENTRY = 'bento-archive.json.sha256'

/** Bounds on what an archive may declare, checked before any of its data is read. */
export const ARCHIVE_LIMITS = {
  manifestBytes: 16 * 1024 * 1024,
  entries: 1_000_000,
  /** A chunks file is parsed as one string (V8 caps strings near 512 MiB). */
  chunksBytes: 256 * 1024 * 1024,
  /** Node 20's Buffer limit is 4 GiB; the vectors are held in memory to be added. */
  vectorsBytes: 2 * 1024 * 1024 * 1024,
  conversationBytes: 16 * 1024 * 1024,
  uploadBytes: 1024 * 1024 * 1024,
  totalBytes: 64 * 1024 * 1024 * 1024,
} as const

export type StoreName = 'documents' | 'memory'
export const STORE_NAMES: readonly StoreName[] = ['documents', 'memory']

export const chunksEntry = (store: StoreName) => `${store}/chunks.jsonl`
export const vectorsEntry = (store: StoreName) => `${store}/vectors.f32`
export const conversationEntry = (id: string) => `conversations/${id}.json`
export const uploadEntry = (documentId: string, name: string) => `uploads/${documentId}/${name}`

export type EntryKind =
  | { kind: 'chunks'; store: StoreName }
  | { kind: 'vectors'; store: StoreName }
  | { kind: 'conversation'; id: string }
  | { kind: 'upload'; documentId: string; name: string }

/** Position of each kind in the archive: entries never go back to an earlier kind. */
export const rankOf = (entry: EntryKind): number =>
  entry.kind === 'chunks' ? (entry.store === 'documents' ? 0 : 2) :
  entry.kind === 'vectors' ? (entry.store === 'documents' ? 1 : 3) :
  entry.kind === 'conversation' ? 4 : 5

const validName = (name: string): boolean => {
  try {
    assertValidFileName(name)
    return true
  } catch {
    return false
  }
}

/**
 * Threat: an archive entry name that climbs out of where it is written (`../x`,
 * `uploads/../../etc/passwd`, `/abs`, `a\\b`) or aliases another. Only the exact
 * names of the layout are accepted; an upload's two parts follow the rules every
 * upload's name is written with. Test: test/ops/import-hostile.test.ts "path traversal".
 */
export const classifyEntry = (name: string): EntryKind => {
  for (const store of STORE_NAMES) {
    if (name === chunksEntry(store)) return { kind: 'chunks', store }
    if (name === vectorsEntry(store)) return { kind: 'vectors', store }
  }
  const parts = name.split('/')
  if (parts.length === 2 && parts[0] === 'conversations' && parts[1]!.endsWith('.json')) {
    const id = parts[1]!.slice(0, -'.json'.length)
    if (isConversationId(id)) return { kind: 'conversation', id }
  }
  if (parts.length === 3 && parts[0] === 'uploads' && validName(parts[1]!) && validName(parts[2]!)) {
    return { kind: 'upload', documentId: parts[1]!, name: parts[2]! }
  }
  throw new InvalidArchiveError(`Archive entry ${JSON.stringify(name.slice(0, 120))} is not part of the Bento archive layout.`, { entry: name.slice(0, 120) })
}

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const isoDate = z.string().max(40).refine((value) => Number.isFinite(Date.parse(value)), 'not a date')

const manifestSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int().min(1),
  createdAt: isoDate,
  generator: z.string().max(200),
  scope: z.strictObject({ key: z.string().min(1).max(200), kind: z.enum(['shared', 'session', 'custom']) }),
  embedder: z.strictObject({ id: z.string().min(1).max(500).nullable(), dimension: z.number().int().min(1).max(65_536), space: z.enum(['cosine', 'l2', 'ip']) }).nullable(),
  stores: z.strictObject({
    documents: z.strictObject({ chunks: count, efSearch: z.number().int().min(1).max(100_000).nullable() }),
    memory: z.strictObject({ chunks: count, efSearch: z.number().int().min(1).max(100_000).nullable() }),
  }),
  activity: z.strictObject({ createdAt: isoDate.nullable(), lastActiveAt: isoDate.nullable() }),
  counts: z.strictObject({ documents: count, chunks: count, memories: count, uploads: count, conversations: count, bytes: count }),
  entries: z.array(z.strictObject({ path: z.string().min(1).max(1024), size: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) })).max(ARCHIVE_LIMITS.entries),
})

export type ArchiveManifest = z.infer<typeof manifestSchema>
export type ManifestEntry = ArchiveManifest['entries'][number]

const sizeLimitOf = (entry: EntryKind): number =>
  entry.kind === 'chunks' ? ARCHIVE_LIMITS.chunksBytes :
  entry.kind === 'vectors' ? ARCHIVE_LIMITS.vectorsBytes :
  entry.kind === 'conversation' ? ARCHIVE_LIMITS.conversationBytes : ARCHIVE_LIMITS.uploadBytes

/**
 * Parses and checks a manifest as a whole before any data entry is read: its
 * shape, the name, order, uniqueness and size of every entry, and that the
 * vectors files are exactly the size their chunk counts and dimension say.
 */
export const parseManifest = (bytes: Buffer): { manifest: ArchiveManifest; kinds: EntryKind[] } => {
  let raw: unknown
  try {
    raw = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InvalidArchiveError('The archive manifest is not valid JSON.')
  }
  if (typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === ARCHIVE_FORMAT) {
    const version = (raw as { formatVersion?: unknown }).formatVersion
    if (typeof version === 'number' && version > ARCHIVE_FORMAT_VERSION) {
      throw new InvalidArchiveError(`The archive is format version ${version}; this Bento reads version ${ARCHIVE_FORMAT_VERSION}. Import it with a newer Bento.`)
    }
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidArchiveError(`The archive manifest is not a Bento scope archive manifest (${issue ? `${issue.path.join('.') || 'root'}: ${issue.message}` : 'unexpected shape'}).`)
  }
  const manifest = parsed.data
  const kinds: EntryKind[] = []
  const seen = new Set<string>()
  let rank = 0
  let total = 0
  for (const entry of manifest.entries) {
    const kind = classifyEntry(entry.path)
    if (seen.has(entry.path)) throw new InvalidArchiveError(`The archive lists ${entry.path} twice.`)
    seen.add(entry.path)
    if (rankOf(kind) < rank) throw new InvalidArchiveError(`The archive lists ${entry.path} out of order.`)
    rank = rankOf(kind)
    if (entry.size > sizeLimitOf(kind)) throw new InvalidArchiveError(`Archive entry ${entry.path} declares ${entry.size} bytes, over the limit of ${sizeLimitOf(kind)}.`)
    total += entry.size
    kinds.push(kind)
  }
  if (total > ARCHIVE_LIMITS.totalBytes) throw new InvalidArchiveError(`The archive declares ${total} bytes of data, over the limit of ${ARCHIVE_LIMITS.totalBytes}.`)
  for (const store of STORE_NAMES) {
    const chunks = manifest.stores[store].chunks
    const chunksListed = manifest.entries.find((entry) => entry.path === chunksEntry(store))
    const vectors = manifest.entries.find((entry) => entry.path === vectorsEntry(store))
    if (chunks === 0 ? chunksListed !== undefined || vectors !== undefined : chunksListed === undefined || vectors === undefined) {
      throw new InvalidArchiveError(`The archive's ${store} store declares ${chunks} chunks but ${chunks === 0 ? 'lists' : 'lacks'} its chunks or vectors entry.`)
    }
    if (chunks > 0) {
      if (manifest.embedder === null) throw new InvalidArchiveError(`The archive holds ${store} vectors but names no embedder or dimension.`)
      if (vectors!.size !== chunks * manifest.embedder.dimension * 4) {
        throw new InvalidArchiveError(`Archive entry ${vectors!.path} is ${vectors!.size} bytes; ${chunks} vectors of dimension ${manifest.embedder.dimension} take ${chunks * manifest.embedder.dimension * 4}.`)
      }
    }
  }
  return { manifest, kinds }
}
