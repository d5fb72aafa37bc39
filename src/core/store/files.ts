/**
 * The names a store owns inside its directory. Everything else there (activity.json,
 * conversations/, memory/) belongs to other modules and is never read, swept or moved.
 */
import * as fs from '../fs.js'

export const INDEX_FILE = 'hnswlib.index'
export const DOCSTORE_FILE = 'docstore.json'
export const ARGS_FILE = 'args.json'
export const MANIFEST_FILE = 'bento.json'
export const JOURNAL_FILE = 'commit.journal'
/** Bento's lexical (BM25) index; LangChain ignores it. Absent in stores written before it existed. */
export const LEXICAL_FILE = 'bento-lexical.bin'
/** The documents of the base files and their labels (catalog.ts); LangChain ignores it. Absent in stores written before it existed. */
export const CATALOG_FILE = 'bento-catalog.json'
/**
 * The commit log: writes appended since the base files were last rewritten (log-file.ts).
 * Written in place (appended), never renamed; the manifest records how much of it counts.
 */
export const LOG_FILE = 'bento-log.bin'

/** The files a commit may replace, in the order it renames them: the manifest last. */
export const DATA_FILES = [INDEX_FILE, DOCSTORE_FILE, ARGS_FILE, LEXICAL_FILE, CATALOG_FILE] as const
export const COMMITTED_FILES = [...DATA_FILES, MANIFEST_FILE] as const
export type DataFile = (typeof DATA_FILES)[number]
export type CommittedFile = (typeof COMMITTED_FILES)[number]

const OWNED = new Set<string>([...COMMITTED_FILES, JOURNAL_FILE, LOG_FILE])

/** True for a temp name `fs.tempPathFor` made for one of this store's own files. */
export const isOwnTempName = (name: string): boolean => {
  if (!fs.isTempName(name)) return false
  const target = name.slice(1, name.lastIndexOf('.tmp-'))
  return OWNED.has(target)
}

/** True when `temp` is a temp name made for `target` (journals name nothing else). */
export const isTempNameFor = (temp: string, target: string): boolean =>
  fs.isTempName(temp) && temp.startsWith(`.${target}.tmp-`) && temp.length === target.length + 18

export const isCommittedFile = (name: string): name is CommittedFile => (COMMITTED_FILES as readonly string[]).includes(name)
