/**
 * `bento.json`: what hnswlib's file does not record (dimension, space, ef, the
 * embedder) plus the counts and byte sizes a load cross-checks against the data
 * files, and a revision that every commit raises by one.
 */
import { z } from 'zod'
import { CorruptStoreError, RefusedError } from '../errors.js'
import { ARGS_FILE, CATALOG_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'

export const FORMAT = 'bento-store'
/** The newest version this Bento reads. A manifest is written as 1 unless it counts a commit log (2), so a compacted store stays readable by a Bento that predates the log. */
export const FORMAT_VERSION = 2
/** The version of a manifest that counts a commit log (`log`). */
export const LOG_FORMAT_VERSION = 2
/** hnswlib-node takes labels as uint32. */
export const MAX_LABEL = 0xffff_ffff

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const positive = z.number().int().min(1)

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int().min(1),
  dimension: positive.max(65_536),
  space: z.enum(['cosine', 'l2', 'ip']),
  embedderId: z.string().min(1).nullable(),
  efSearch: positive,
  efConstruction: positive,
  m: positive.min(2).max(10_000),
  capacity: count.max(MAX_LABEL),
  live: count,
  deleted: count,
  /** Documents among the live points. Absent in manifests written before it was recorded. */
  documents: count.optional(),
  nextLabel: count.max(MAX_LABEL),
  revision: count,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The lexical index's and the catalog's sizes are absent for a store written before they existed. */
  files: z.object({ [INDEX_FILE]: count, [DOCSTORE_FILE]: count, [ARGS_FILE]: count, [LEXICAL_FILE]: count.optional(), [CATALOG_FILE]: count.optional() }),
  /**
   * The commit log (`bento-log.bin`): how many of its bytes count and what they hold. Absent when
   * the base files hold everything (after a compaction). live, deleted, documents and nextLabel
   * above count the base and the log together.
   */
  log: z.object({ bytes: count, records: count, added: count, deleted: count }).optional(),
})

export type Manifest = z.infer<typeof manifestSchema>

/** Parses `bento.json`; anything malformed is a `CorruptStoreError` naming the field. */
export const parseManifest = (text: string, file = MANIFEST_FILE): Manifest => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CorruptStoreError(`${file}: not valid JSON.`, error)
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion
  if (typeof version === 'number' && version > FORMAT_VERSION) {
    throw new RefusedError(`${file}: store format version ${version} is newer than this Bento supports (${FORMAT_VERSION}); upgrade Bento.`)
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CorruptStoreError(`${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid manifest'}.`)
  }
  if (parsed.data.live + parsed.data.deleted > parsed.data.nextLabel) {
    throw new CorruptStoreError(`${file}: live + deleted (${parsed.data.live + parsed.data.deleted}) exceeds nextLabel (${parsed.data.nextLabel}).`)
  }
  if (parsed.data.log && parsed.data.formatVersion < LOG_FORMAT_VERSION) {
    throw new CorruptStoreError(`${file}: a commit log needs formatVersion ${LOG_FORMAT_VERSION}.`)
  }
  return parsed.data
}

export const serializeManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`
