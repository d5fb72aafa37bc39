/**
 * An offline embedder: feature hashing of words, word pairs and character
 * trigrams. It is lexical, not semantic — "car" and "automobile" share nothing —
 * but it is deterministic, instant, needs no download or key, and ranks passages
 * that share distinctive words with the query first. Good for tests, demos and
 * air-gapped installs; use an API embedder for meaning.
 */
import { DEFAULT_LOCAL_DIMENSION } from '../defaults.js'
import { InvalidOptionsError } from '../errors.js'
import { addHashedFeature } from './feature-hash.js'
import { euclideanNorm } from './norm.js'
import type { Embedder } from './types.js'

export interface LocalEmbedderOptions {
  /** Vector length. Default 384. */
  dimension?: number
}

export const LOCAL_EMBEDDER_VERSION = 'local-hash-v1'

// One number to check: done by hand so loading this module (every CLI command's default) does not load zod.
const isValidDimension = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 16 && (value as number) <= 8192

// Weights are part of the embedder id's promise: changing them needs a new version.
const UNIGRAM_WEIGHT = 1
const STOPWORD_WEIGHT = 0.1
const BIGRAM_WEIGHT = 0.7
const TRIGRAM_WEIGHT = 0.2
const EMPTY_FEATURE = '\u0000empty'

const STOPWORDS = new Set(
  ('a an and are as at be been but by for from had has have he her his i if in into is it its of on or our ' +
    'she so that the their them there these they this those to was we were which who will with you your not no shall')
    .split(' '),
)

const tokenize = (text: string): string[] => text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? []

/** Counts each feature: `w:` word, `b:` word pair, `c:` character trigram. */
const countFeatures = (tokens: string[]): Map<string, number> => {
  const counts = new Map<string, number>()
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1)
  tokens.forEach((token, i) => {
    const stop = STOPWORDS.has(token)
    add(`w:${token}`)
    const next = tokens[i + 1]
    if (next !== undefined && !(stop && STOPWORDS.has(next))) add(`b:${token} ${next}`)
    if (!stop && token.length >= 4) {
      const padded = `^${token}$`
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`)
    }
  })
  return counts
}

const weightOf = (feature: string): number => {
  if (feature.startsWith('w:')) return STOPWORDS.has(feature.slice(2)) ? STOPWORD_WEIGHT : UNIGRAM_WEIGHT
  if (feature.startsWith('b:')) return BIGRAM_WEIGHT
  return TRIGRAM_WEIGHT
}

const embedOne = (text: string, dimension: number): Float32Array => {
  const vector = new Float32Array(dimension)
  const counts = countFeatures(tokenize(text))
  // Sublinear tf: a word said ten times is not ten times as telling.
  for (const [feature, tf] of counts) addHashedFeature(vector, feature, weightOf(feature) * (1 + Math.log(tf)))
  let norm = euclideanNorm(vector)
  // A text without words (or whose features all cancel) still needs a unit vector:
  // the cosine of a zero vector is NaN.
  if (norm === 0) {
    addHashedFeature(vector, EMPTY_FEATURE, 1)
    norm = 1
  }
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm
  return vector
}

/**
 * A deterministic, offline, lexical embedder (id `local-hash-v1:<dimension>`).
 *
 * @example
 * const embedder = createLocalEmbedder({ dimension: 384 })
 * const [vector] = await embedder.embed(['Four score and seven years ago'])
 * // vector: Float32Array(384), L2 norm 1
 */
export const createLocalEmbedder = (options: LocalEmbedderOptions = {}): Embedder => {
  const dimension = options.dimension ?? DEFAULT_LOCAL_DIMENSION
  if (!isValidDimension(dimension)) {
    throw new InvalidOptionsError(`Invalid local embedder options: dimension must be an integer from 16 to 8192 (got ${String(options.dimension)}).`)
  }
  return Object.freeze({
    id: `${LOCAL_EMBEDDER_VERSION}:${dimension}`,
    dimension,
    embed: async (texts: string[]) => texts.map((text) => embedOne(text, dimension)),
  })
}
