export type FileType = 'txt' | 'md' | 'html' | 'json' | 'pdf' | 'docx'

export interface ExtractedDocument {
  title: string
  text: string
  fileType: FileType
}

export interface Chunk {
  /** Stable: `${documentId}:${index}`. */
  id: string
  index: number
  text: string
}

export interface ChunkOptions {
  /** Target chunk size in characters. Default 1000. */
  size?: number
  /** Characters of overlap carried from the previous chunk. Default 200. */
  overlap?: number
}

/**
 * What one upload may cost. HTML, JSON, PDF and DOCX are parsed in a worker
 * thread that is stopped when it passes `extractTimeoutMs` or `extractMemoryMb`;
 * the structural caps refuse a file before (or while) a parser expands it.
 */
export interface IngestLimits {
  /** Default 10 MiB. */
  maxFileBytes?: number
  /** Default 2,000,000 characters of extracted text; a parser stops as soon as it passes them. */
  maxTextChars?: number
  /** Wall-clock budget of one extraction; the worker is terminated past it (`unreadable_file`). Default 30 s. */
  extractTimeoutMs?: number
  /** Heap budget of an extraction worker, in MB; past it the worker dies alone (`too_large`). Default 512. */
  extractMemoryMb?: number
  /** JSON nesting depth. Default 100. */
  maxJsonDepth?: number
  /** JSON values (strings, numbers, containers…). Default 1,000,000. */
  maxJsonNodes?: number
  /** HTML element nesting depth. Default 512 (as browsers). */
  maxHtmlDepth?: number
  /** Zip entries of a DOCX. Default 10,000. */
  maxZipEntries?: number
  /** XML elements across a DOCX's parts. Default 1,000,000. */
  maxXmlElements?: number
  /** XML nesting depth in a DOCX part. Default 256. */
  maxXmlDepth?: number
  /** PDF pages. Default 2,000. */
  maxPdfPages?: number
  /** Bytes of page content a PDF may make the parser read: each page's content streams, decoded, summed over pages. Default 128 MiB. */
  maxPdfContentBytes?: number
}
