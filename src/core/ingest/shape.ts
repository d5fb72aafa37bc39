/**
 * Structural caps checked before a parser builds anything: linear scans that
 * count elements and nesting, so a small file that would expand into millions
 * of objects, or recurse past the stack, is refused with a clear error instead.
 * Threat: issue 12 items 1, 2 and 7 (a 121 KB DOCX of 13 M `<w:p/>`, JSON
 * nested 3,000–100,000 levels, HTML of 300,000 nested `<div>`).
 * Tests: test/core/ingest/hostile-files.test.ts.
 */
import { Parser } from 'htmlparser2'
import { TooLargeError, UnreadableFileError } from '../errors.js'
import { describeFile } from './file-type.js'

const tooDeep = (fileName: string, what: string, limit: number) =>
  new UnreadableFileError(`Cannot read ${describeFile(fileName)}: its ${what} is nested deeper than ${limit} levels (the ${what} depth budget).`)

const tooMany = (fileName: string, what: string, limit: number) =>
  new TooLargeError(`${describeFile(fileName)} has more than ${limit} ${what} (the ${what} budget).`)

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Counts JSON nesting and values (strings, containers, comma-separated items) without parsing. */
export const assertJsonShape = (fileName: string, text: string, limits: { maxJsonDepth: number; maxJsonNodes: number }): void => {
  let depth = 0
  let nodes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      nodes++
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i)
        if (s === BACKSLASH) i++
        else if (s === QUOTE) break
      }
    } else if (c === 0x7b || c === 0x5b) {
      nodes++
      if (++depth > limits.maxJsonDepth) throw tooDeep(fileName, 'JSON', limits.maxJsonDepth)
    } else if (c === 0x7d || c === 0x5d) depth--
    else if (c === 0x2c) nodes++
    else continue
    if (nodes > limits.maxJsonNodes) throw tooMany(fileName, 'JSON values', limits.maxJsonNodes)
  }
}

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f

/**
 * Counts XML elements and nesting in one part (bytes, any ASCII-compatible encoding).
 * `counted` elements were seen in earlier parts of the same file; returns the new total.
 */
export const countXmlElements = (fileName: string, bytes: Uint8Array, limits: { maxXmlDepth: number; maxElements: number }, counted = 0): number => {
  let depth = 0
  let elements = counted
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LT) continue
    const next = bytes[i + 1]
    if (next === SLASH) {
      depth--
      continue
    }
    if (next === 0x3f || next === 0x21) continue // <? … ?> and <! … >: no element
    elements++
    if (elements > limits.maxElements) throw tooMany(fileName, 'XML elements', limits.maxElements)
    if (++depth > limits.maxXmlDepth) throw tooDeep(fileName, 'XML', limits.maxXmlDepth)
    // To the tag's end, skipping quoted attribute values (they may hold `>`).
    let quote = 0
    for (i++; i < bytes.length; i++) {
      const b = bytes[i]!
      if (quote !== 0) {
        if (b === quote) quote = 0
      } else if (b === QUOTE || b === 0x27) quote = b
      else if (b === GT) break
    }
    if (bytes[i - 1] === SLASH) depth--
  }
  return elements
}

/** HTML nesting as a browser would build it (htmlparser2 knows void elements and implied end tags). */
export const assertHtmlDepth = (fileName: string, html: string, maxHtmlDepth: number): void => {
  let depth = 0
  let failure: Error | undefined
  const parser = new Parser({
    onopentag() {
      if (++depth > maxHtmlDepth && failure === undefined) {
        failure = tooDeep(fileName, 'HTML', maxHtmlDepth)
        parser.pause()
      }
    },
    onclosetag() {
      depth--
    },
  })
  parser.write(html)
  if (failure) throw failure
  parser.end()
}
