/**
 * `bento.json`: what hnswlib's file does not record (dimension, space, ef, the
 * embedder) plus the counts and byte sizes a load cross-checks against the data
 * files, and a revision that every commit raises by one.
 */
import { FieldIssue, count, failField, fields, integer, oneOf, optional, text } from '../check-fields.js'
import { CorruptStoreError, RefusedError } from '../errors.js'
import { ARGS_FILE, CATALOG_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'

export const FORMAT = 'bento-store'
/** The newest version this Bento reads. A manifest is written as 1 unless it counts a commit log (2), so a compacted store stays readable by a Bento that predates the log. */
export const FORMAT_VERSION = 2
/** The version of a manifest that counts a commit log (`log`). */
export const LOG_FORMAT_VERSION = 2
/** hnswlib-node takes labels as uint32. */
export const MAX_LABEL = 0xffff_ffff

export interface Manifest {
  format: typeof FORMAT
  formatVersion: number
  dimension: number
  space: 'cosine' | 'l2' | 'ip'
  embedderId: string | null
  efSearch: number
  efConstruction: number
  m: number
  capacity: number
  live: number
  deleted: number
  /** Documents among the live points. Absent in manifests written before it was recorded. */
  documents?: number
  nextLabel: number
  revision: number
  createdAt: string
  updatedAt: string
  /** The lexical index's and the catalog's sizes are absent for a store written before they existed. */
  files: { [INDEX_FILE]: number; [DOCSTORE_FILE]: number; [ARGS_FILE]: number; [LEXICAL_FILE]?: number; [CATALOG_FILE]?: number }
  /**
   * The commit log (`bento-log.bin`): how many of its bytes count and what they hold. Absent when
   * the base files hold everything (after a compaction). live, deleted, documents and nextLabel
   * above count the base and the log together.
   */
  log?: { bytes: number; records: number; added: number; deleted: number }
}

// Checked by hand (core/check-fields.ts), not with zod: every store read (ls, du, search, inspect)
// parses manifests, and loading zod would cost each `bento` run more than the check does.
const checkManifest = (raw: unknown): Manifest => fields<Manifest>(raw, '', {
  format: oneOf([FORMAT] as const),
  formatVersion: integer(1),
  dimension: integer(1, 65_536),
  space: oneOf(['cosine', 'l2', 'ip'] as const),
  embedderId: (value, path) => (value === null ? null : typeof value === 'string' && value.length > 0 ? value : failField(path, 'expected a non-empty string or null')),
  efSearch: integer(1),
  efConstruction: integer(1),
  m: integer(2, 10_000),
  capacity: integer(0, MAX_LABEL),
  live: count,
  deleted: count,
  documents: optional(count),
  nextLabel: integer(0, MAX_LABEL),
  revision: count,
  createdAt: text,
  updatedAt: text,
  files: (value, path) => fields<Manifest['files']>(value, path, {
    [INDEX_FILE]: count,
    [DOCSTORE_FILE]: count,
    [ARGS_FILE]: count,
    [LEXICAL_FILE]: optional(count),
    [CATALOG_FILE]: optional(count),
  }),
  log: optional((value, path) => fields<NonNullable<Manifest['log']>>(value, path, { bytes: count, records: count, added: count, deleted: count })),
})

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
  let manifest: Manifest
  try {
    manifest = checkManifest(raw)
  } catch (error) {
    if (error instanceof FieldIssue) throw new CorruptStoreError(`${file}: ${error.message}.`)
    throw error
  }
  if (manifest.live + manifest.deleted > manifest.nextLabel) {
    throw new CorruptStoreError(`${file}: live + deleted (${manifest.live + manifest.deleted}) exceeds nextLabel (${manifest.nextLabel}).`)
  }
  if (manifest.log && manifest.formatVersion < LOG_FORMAT_VERSION) {
    throw new CorruptStoreError(`${file}: a commit log needs formatVersion ${LOG_FORMAT_VERSION}.`)
  }
  return manifest
}

export const serializeManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`
