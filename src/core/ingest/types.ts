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

export interface IngestLimits {
  /** Default 10 MiB. */
  maxFileBytes?: number
  /** Default 2,000,000 characters of extracted text. */
  maxTextChars?: number
}
