/**
 * `bento.json`: what hnswlib's file does not record (dimension, space, ef, the
 * embedder) plus the counts and byte sizes a load cross-checks against the data
 * files, and a revision that every commit raises by one.
 */
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

/*
 * Checked by hand, not with a schema library: every store read (ls, du, search, inspect)
 * parses manifests, and loading zod would cost each `bento` run more than the check does
 * (docs/ARCHITECTURE.md, "What the CLI loads"). Unknown keys are dropped, as a schema would.
 */
class ManifestIssue extends Error {}

type Field<T> = (value: unknown, path: string) => T

const fail = (path: string, message: string): never => {
  throw new ManifestIssue(`${path || '(root)'}: ${message}`)
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Field<number> => (value, path) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fail(path, `expected a whole number from ${min} to ${max}`)

const count = integer(0)
const optional = <T>(field: Field<T>): Field<T | undefined> => (value, path) => (value === undefined ? undefined : field(value, path))

const text: Field<string> = (value, path) => (typeof value === 'string' ? value : fail(path, 'expected a string'))

const object = (value: unknown, path: string): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(path, 'expected an object')

const oneOf = <T extends string>(choices: readonly T[]): Field<T> => (value, path) =>
  choices.includes(value as T) ? (value as T) : fail(path, `expected one of ${choices.join(', ')}`)

/** The fields of `shape`, in its order, checked under `path`; an optional field left out stays out. */
const fields = <T>(value: unknown, path: string, shape: { [K in keyof T]-?: Field<T[K]> }): T => {
  const raw = object(value, path)
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(shape) as Array<[string, Field<unknown>]>) {
    const checked = field(raw[key], path ? `${path}.${key}` : key)
    if (checked !== undefined) out[key] = checked
  }
  return out as T
}

const checkManifest = (raw: unknown): Manifest => fields<Manifest>(raw, '', {
  format: oneOf([FORMAT] as const),
  formatVersion: integer(1),
  dimension: integer(1, 65_536),
  space: oneOf(['cosine', 'l2', 'ip'] as const),
  embedderId: (value, path) => (value === null ? null : typeof value === 'string' && value.length > 0 ? value : fail(path, 'expected a non-empty string or null')),
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
    if (error instanceof ManifestIssue) throw new CorruptStoreError(`${file}: ${error.message}.`)
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
