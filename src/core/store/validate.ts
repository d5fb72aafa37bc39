/** Input checks for add and search: wrong shapes are the caller's error, never hnswlib's. */
import { InvalidInputError } from '../errors.js'
import type { ChunkInput } from './types.js'

const MAX_DIMENSION = 65_536

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const assertVector = (vector: unknown, dimension: number | undefined, what: string): number => {
  const length = (vector as ArrayLike<number> | null)?.length
  if (typeof vector !== 'object' || vector === null || typeof length !== 'number' || !Number.isInteger(length)) {
    throw new InvalidInputError(`${what}: the vector must be an array of numbers.`)
  }
  if (dimension !== undefined && length !== dimension) {
    throw new InvalidInputError(`${what}: the vector has ${length} dimensions, the store expects ${dimension}.`, { expected: dimension, actual: length })
  }
  if (length < 1 || length > MAX_DIMENSION) throw new InvalidInputError(`${what}: a vector needs 1 to ${MAX_DIMENSION} dimensions, got ${length}.`)
  for (let i = 0; i < length; i++) {
    const value = (vector as ArrayLike<unknown>)[i]
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(`${what}: vector component ${i} is not a finite number.`)
  }
  return length
}

/** Counted terms go into the lexical file as they are: a repeated term or a newline in one would make it undecodable. */
const assertTerms = (counted: unknown, what: string): void => {
  const { analyzer, terms, tfs } = (isPlainObject(counted) ? counted : {}) as Record<string, unknown>
  if (typeof analyzer !== 'string' || !Array.isArray(terms) || !Array.isArray(tfs) || terms.length !== tfs.length) {
    throw new InvalidInputError(`${what}: terms must be {analyzer, terms, tfs} as analyzePassage returns.`)
  }
  if (new Set(terms).size !== terms.length) throw new InvalidInputError(`${what}: terms repeats a term.`)
  terms.forEach((term: unknown, i) => {
    if (typeof term !== 'string' || term === '' || term.includes('\n')) throw new InvalidInputError(`${what}: term ${i} must be a non-empty string without a newline.`)
    const tf = tfs[i] as unknown
    if (typeof tf !== 'number' || !Number.isInteger(tf) || tf < 1 || tf > 0xffff_ffff) throw new InvalidInputError(`${what}: term ${i}'s frequency must be a positive integer.`)
  })
}

/** Returns the dimension every chunk has (the store's, or the first chunk's for a new store). */
export const assertChunks = (chunks: unknown, dimension: number | undefined): number | undefined => {
  if (!Array.isArray(chunks)) throw new InvalidInputError('add: expected an array of chunks.')
  let expected = dimension
  chunks.forEach((chunk: Partial<ChunkInput> | null, i) => {
    const what = `add: chunk ${i}`
    if (!isPlainObject(chunk)) throw new InvalidInputError(`${what} is not an object.`)
    if (typeof chunk.documentId !== 'string' || chunk.documentId === '') throw new InvalidInputError(`${what}: documentId must be a non-empty string.`)
    if (typeof chunk.title !== 'string') throw new InvalidInputError(`${what}: title must be a string.`)
    if (typeof chunk.text !== 'string') throw new InvalidInputError(`${what}: text must be a string.`)
    if (typeof chunk.chunkIndex !== 'number' || !Number.isInteger(chunk.chunkIndex) || chunk.chunkIndex < 0) {
      throw new InvalidInputError(`${what}: chunkIndex must be a non-negative integer.`)
    }
    if (chunk.metadata !== undefined && !isPlainObject(chunk.metadata)) throw new InvalidInputError(`${what}: metadata must be an object.`)
    if (chunk.terms !== undefined) assertTerms(chunk.terms, what)
    expected = assertVector(chunk.vector, expected, what)
  })
  return expected
}

/** Returns k as a whole number (0 means no results). */
export const assertSearchInput = (vector: unknown, k: unknown, dimension: number | undefined): number => {
  if (typeof k !== 'number' || Number.isNaN(k) || k < 0) throw new InvalidInputError(`search: k must be a non-negative number, got ${String(k)}.`)
  assertVector(vector, dimension, 'search')
  return Math.floor(Math.min(k, Number.MAX_SAFE_INTEGER))
}
