/**
 * Splits text into chunks of at most `size` characters, cut at the best
 * boundary in the chunk's second half — a paragraph break, else a line or
 * sentence end, else a space, else (one huge word) anywhere — and starting each
 * chunk up to `overlap` characters before the previous one ended, at a word.
 * Every chunk is a verbatim slice of the whitespace-normalized text, so the
 * output is deterministic and a phrase in the text is in some chunk whole
 * whenever it is shorter than the overlap.
 */
import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import { chunkIdFor } from './document-id.js'
import type { Chunk, ChunkOptions } from './types.js'

export const DEFAULT_CHUNK_SIZE = 1000
export const DEFAULT_CHUNK_OVERLAP = 200

const optionsSchema = z.object({
  size: z.number().int().min(1).max(1_000_000),
  overlap: z.number().int().min(0),
})

const resolveOptions = (options: ChunkOptions): { size: number; overlap: number } => {
  const size = options.size ?? DEFAULT_CHUNK_SIZE
  // An explicit overlap must fit; the default shrinks to fit a small size.
  const overlap = options.overlap ?? Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(size / 2))
  const parsed = optionsSchema.safeParse({ size, overlap })
  if (!parsed.success || overlap > Math.floor(size / 2)) {
    throw new InvalidOptionsError(`Invalid chunk options: size must be an integer from 1 to 1000000 and overlap an integer from 0 to half the size (got size ${size}, overlap ${overlap}).`)
  }
  return parsed.data
}

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\n'
const CJK_SENTENCE_END = new Set(['。', '！', '？'])
const SENTENCE_END = /[.!?…;。！？]["'”’)\]]*$/

export const normalizeWhitespace = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()

/** How good a cut before index `p` is: 3 paragraph, 2 line or sentence, 1 word, 0 none. */
const cutRank = (text: string, p: number): number => {
  const before = text[p - 1]
  if (CJK_SENTENCE_END.has(before ?? '')) return 2
  if (!isSpace(text[p]) || isSpace(before)) return 0
  if (text[p] === '\n') return text[p + 1] === '\n' ? 3 : 2
  return SENTENCE_END.test(text.slice(Math.max(0, p - 4), p)) ? 2 : 1
}

const isLowSurrogate = (char: string | undefined): boolean => /[\udc00-\udfff]/.test(char ?? '')
/** Never split a surrogate pair: a cut moves back to the pair's start, an overlap start forward past it (so the overlap stays within its bound). */
const alignToCodePoint = (text: string, p: number): number => (isLowSurrogate(text[p]) ? p - 1 : p)
const alignForwardToCodePoint = (text: string, p: number): number => (isLowSurrogate(text[p]) ? p + 1 : p)

const findEnd = (text: string, start: number, previousEnd: number, size: number): number => {
  if (text.length - start <= size) return text.length
  const hi = start + size
  const half = start + Math.floor(size / 2)
  const latest = [0, 0, 0, 0]
  for (let p = hi; p > half && latest[3] === 0; p--) {
    const rank = cutRank(text, p)
    if (rank > 0 && latest[rank] === 0) latest[rank] = p
  }
  const best = latest[3] || latest[2] || latest[1]
  if (best) return best
  for (let p = half; p > Math.max(start, previousEnd); p--) if (cutRank(text, p) > 0) return p
  const hard = alignToCodePoint(text, hi)
  return hard > start ? hard : hi
}

const findNextStart = (text: string, start: number, end: number, overlap: number): number => {
  if (overlap > 0) {
    const from = Math.max(end - overlap, start + 1)
    for (let q = from; q < end; q++) {
      if (!isSpace(text[q]) && (isSpace(text[q - 1]) || CJK_SENTENCE_END.has(text[q - 1] ?? ''))) return q
    }
    // A hard cut inside one huge word: overlap by characters instead.
    if (!isSpace(text[end - 1]) && !isSpace(text[end])) return Math.max(alignForwardToCodePoint(text, from), start + 1)
  }
  let next = end
  while (isSpace(text[next])) next++
  return next
}

export interface ChunkSpan {
  /** Offsets into `normalizeWhitespace(text)`. */
  start: number
  end: number
  text: string
}

/** The chunks as spans of the normalized text (what `chunkText` returns, with positions). */
export const chunkSpans = (text: string, options: ChunkOptions = {}): ChunkSpan[] => {
  const { size, overlap } = resolveOptions(options)
  const normalized = normalizeWhitespace(text)
  const spans: ChunkSpan[] = []
  let start = 0
  let previousEnd = 0
  while (start < normalized.length) {
    const end = findEnd(normalized, start, previousEnd, size)
    spans.push({ start, end, text: normalized.slice(start, end) })
    if (end >= normalized.length) break
    start = findNextStart(normalized, start, end, overlap)
    previousEnd = end
  }
  return spans
}

/**
 * Splits text into overlapping chunks; never returns an empty chunk.
 *
 * @example
 * chunkText(longText, { size: 1000, overlap: 200 }) // ['…≤1000 chars…', '…']
 */
export const chunkText = (text: string, options: ChunkOptions = {}): string[] => chunkSpans(text, options).map((span) => span.text)

/** `chunkText` with stable ids `${documentId}:${index}`. */
export const chunkDocument = (documentId: string, text: string, options: ChunkOptions = {}): Chunk[] =>
  chunkText(text, options).map((chunkText, index) => ({ id: chunkIdFor(documentId, index), index, text: chunkText }))
