/**
 * A store read for appending only (`openStore({ lazy: true })`): the manifest, the
 * catalog and the commit log, not the index, docstore or lexical postings. It costs
 * what the log and the catalog weigh, whatever the store's size; the store loads the
 * rest at the first operation that needs it.
 *
 * Undefined whenever this read cannot vouch for the store, and the caller opens it in
 * full (which checks every file and reports damage): no manifest or catalog, a pending
 * journal, a data file whose size is not what the manifest records, a catalog or log
 * that disagrees with the manifest's counts, a lexical file another tokenizer wrote.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { isBentoError } from '../errors.js'
import { readLexicalHeader, TOKENIZER_ID } from '../lexical/index.js'
import { applyToCatalog, liveOf, parseCatalog, type Catalog } from './catalog.js'
import { ARGS_FILE, CATALOG_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'
import { readIdentity, sameIdentity, type DirIdentity } from './identity.js'
import { decodeLog, logPath, readLogBytes } from './log-file.js'
import { parseManifest, type Manifest } from './manifest.js'

export interface CatalogSnapshot {
  identity: DirIdentity
  manifest: Manifest
  /** The base's catalog with the log replayed over it: the store's documents now. */
  catalog: Catalog
}

const readRegular = async (file: string): Promise<Buffer | undefined> => {
  // Threat: a planted symlink making the store read a file elsewhere (O_NOFOLLOW, as the full open).
  if (!(await fs.lstatOrUndefined(file))?.isFile()) return undefined
  return fs.readFileNoFollow(file)
}

const readOnce = async (dir: string): Promise<Omit<CatalogSnapshot, 'identity'> | undefined> => {
  const manifestBytes = await readRegular(path.join(dir, MANIFEST_FILE))
  if (!manifestBytes) return undefined
  const manifest = parseManifest(manifestBytes.toString('utf8'))
  const { files, log } = manifest
  if (files[CATALOG_FILE] === undefined || files[LEXICAL_FILE] === undefined || manifest.documents === undefined || manifest.embedderId === null) return undefined
  for (const name of [INDEX_FILE, DOCSTORE_FILE, ARGS_FILE] as const) {
    const stats = await fs.lstatOrUndefined(path.join(dir, name))
    if (!stats?.isFile() || stats.size !== files[name]) return undefined
  }
  const baseLive = manifest.live - (log?.added ?? 0) + (log?.deleted ?? 0)
  const lexical = await readRegular(path.join(dir, LEXICAL_FILE))
  if (lexical?.length !== files[LEXICAL_FILE]) return undefined
  const header = readLexicalHeader(lexical, LEXICAL_FILE)
  if (header.analyzer.tokenizer !== TOKENIZER_ID || header.documents !== baseLive) return undefined
  const catalogBytes = await readRegular(path.join(dir, CATALOG_FILE))
  if (catalogBytes?.length !== files[CATALOG_FILE]) return undefined
  const catalog = parseCatalog(catalogBytes.toString('utf8'))
  if (!catalog || liveOf(catalog) !== baseLive) return undefined
  if (log && log.bytes > 0) {
    for (const record of decodeLog(await readLogBytes(logPath(dir), log.bytes), manifest.dimension)) {
      if (record.add.some(([label]) => label >= manifest.nextLabel) || !applyToCatalog(catalog, record)) return undefined
    }
  }
  if (liveOf(catalog) !== manifest.live || catalog.documents.size !== manifest.documents) return undefined
  return { manifest, catalog }
}

/** @returns undefined when the store must be opened in full (see above). */
export const readCatalogSnapshot = async (dir: string): Promise<CatalogSnapshot | undefined> => {
  const identity = await readIdentity(dir)
  if (identity.manifest === undefined || identity.journal !== undefined) return undefined
  let read: Omit<CatalogSnapshot, 'identity'> | undefined
  try {
    read = await readOnce(dir)
  } catch (error) {
    // Damage, or files changing under the read: the full open retries and reports.
    if (isBentoError(error) || (error as NodeJS.ErrnoException).code !== undefined) return undefined
    throw error
  }
  if (!read || !sameIdentity(identity, await readIdentity(dir))) return undefined
  return { identity, ...read }
}
