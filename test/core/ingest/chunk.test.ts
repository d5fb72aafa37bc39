import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chunkDocument, chunkSpans, chunkText, normalizeWhitespace } from '../../../src/core/ingest/chunk.js'
import type { ChunkOptions } from '../../../src/core/ingest/types.js'
import { InvalidOptionsError } from '../../../src/core/errors.js'

const sentences = (count: number, word: string) =>
  Array.from({ length: count }, (_, i) => `${word} ${i} is a sentence about things number ${i}.`).join(' ')

/** Start offsets of each chunk, checked against the normalized text. */
const offsetsOf = (text: string, options: ChunkOptions): number[] => {
  const normalized = normalizeWhitespace(text)
  return chunkSpans(text, options).map((span) => {
    expect(normalized.slice(span.start, span.end)).toBe(span.text)
    return span.start
  })
}

describe('chunkText', () => {
  it('returns no chunk for empty or blank text, and one chunk for short text', () => {
    expect(chunkText('')).toEqual([])
    expect(chunkText(' \n\n\t ')).toEqual([])
    expect(chunkText('  Four score  and\r\nseven years ago.  ')).toEqual(['Four score and\nseven years ago.'])
  })

  it('cuts at paragraph breaks when a paragraph break is in reach', () => {
    const paragraphs = Array.from({ length: 8 }, (_, i) => sentences(3, `para${i}`))
    const chunks = chunkText(paragraphs.join('\n\n'), { size: 500, overlap: 0 })
    expect(chunks.length).toBeGreaterThan(2)
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(500)
      expect(paragraphs.some((paragraph) => chunk.endsWith(paragraph))).toBe(true)
    }
  })

  it('cuts a long paragraph at sentence ends', () => {
    const chunks = chunkText(sentences(40, 'word'), { size: 300, overlap: 0 })
    expect(chunks.length).toBeGreaterThan(5)
    for (const chunk of chunks) expect(chunk).toMatch(/^word \d+ .*\.$/)
  })

  it('cuts a long sentence at spaces, never inside a word', () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}x`)
    const chunks = chunkText(words.join(' '), { size: 100, overlap: 0 })
    for (const chunk of chunks) for (const word of chunk.split(' ')) expect(words).toContain(word)
    expect(chunks.join(' ')).toBe(words.join(' '))
  })

  it('hard-cuts a single huge word and still overlaps it', () => {
    const chunks = chunkText('x'.repeat(2500), { size: 1000, overlap: 200 })
    expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 900])
  })

  it('never splits a surrogate pair', () => {
    const chunks = chunkText('😀'.repeat(300), { size: 101, overlap: 0 })
    expect(chunks.join('')).toBe('😀'.repeat(300))
    for (const chunk of chunks) expect(chunk).toBe('😀'.repeat(chunk.length / 2))
  })

  it('carries up to `overlap` characters of the previous chunk, starting at a word', () => {
    const text = sentences(60, 'item')
    const chunks = chunkText(text, { size: 400, overlap: 120 })
    const normalized = normalizeWhitespace(text)
    const offsets = offsetsOf(text, { size: 400, overlap: 120 })
    for (let i = 1; i < chunks.length; i++) {
      const previousEnd = offsets[i - 1]! + chunks[i - 1]!.length
      const shared = previousEnd - offsets[i]!
      expect(shared).toBeGreaterThan(0)
      expect(shared).toBeLessThanOrEqual(120)
      expect(normalized[offsets[i]! - 1]).toBe(' ')
    }
  })

  it('keeps any phrase shorter than the overlap whole in some chunk', () => {
    const text = sentences(80, 'token')
    const chunks = chunkText(text, { size: 300, overlap: 100 })
    for (let i = 0; i < 80; i += 7) {
      const phrase = `things number ${i}.`
      expect(chunks.some((chunk) => chunk.includes(phrase)), phrase).toBe(true)
    }
  })

  it('holds its invariants on arbitrary text (size, order, coverage, determinism)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'é', ' ', ' ', '\n', '.', '!', '😀', '。', '\t')
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 3000 }).map((chars) => chars.join('')), fc.integer({ min: 1, max: 400 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (text, size, ratio) => {
        const overlap = Math.floor(size * ratio)
        const chunks = chunkText(text, { size, overlap })
        const normalized = normalizeWhitespace(text)
        expect(chunkText(text, { size, overlap })).toEqual(chunks)
        if (normalized === '') {
          expect(chunks).toEqual([])
          return
        }
        const offsets = offsetsOf(text, { size, overlap })
        expect(offsets[0]).toBe(0)
        expect(offsets.at(-1)! + chunks.at(-1)!.length).toBe(normalized.length)
        for (const [i, chunk] of chunks.entries()) {
          expect(chunk.length).toBeGreaterThan(0)
          expect(chunk.length).toBeLessThanOrEqual(size)
          expect(chunk.trim()).not.toBe('')
          if (i > 0) {
            const previousEnd = offsets[i - 1]! + chunks[i - 1]!.length
            expect(offsets[i]).toBeGreaterThan(offsets[i - 1]!)
            expect(previousEnd - offsets[i]!).toBeLessThanOrEqual(overlap)
            // Nothing but whitespace may fall between two chunks.
            expect(normalized.slice(previousEnd, offsets[i]).trim()).toBe('')
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never splits a surrogate pair when a hard-cut overlap starts inside one (regression: "a😀a", size 3, overlap 1)', () => {
    const spans = chunkSpans('a\u{1f600}a', { size: 3, overlap: 1 })
    for (const span of spans) expect(span.text).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/)
    for (let i = 1; i < spans.length; i++) expect(spans[i - 1]!.end - spans[i]!.start).toBeLessThanOrEqual(1)
  })

  it('numbers chunks with stable ids', () => {
    const chunks = chunkDocument('doc_0123456789abcdef01234567', sentences(30, 'x'), { size: 200, overlap: 50 })
    expect(chunks.map((chunk) => chunk.id)).toEqual(chunks.map((_, i) => `doc_0123456789abcdef01234567:${i}`))
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, i) => i))
  })

  it('shrinks the default overlap for a small size but rejects an explicit one that does not fit', () => {
    expect(chunkText(sentences(10, 'y'), { size: 100 }).length).toBeGreaterThan(1)
    for (const options of [{ size: 0 }, { size: 100, overlap: 51 }, { size: 10.5 }, { overlap: -1 }]) {
      expect(() => chunkText('text', options)).toThrow(InvalidOptionsError)
    }
  })
})
