/** Deterministic prose-like text: words with a Zipf-ish frequency, sentences, paragraphs. */
import { createRng, seedFor } from '../lib/rng.js'

const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at an which have not has but were they ' +
  'store vector index scope session user tenant upload document chunk search query embed cleanup migrate data disk ' +
  'server request response latency memory process lock journal commit rename file directory manifest activity ' +
  'retrieval model answer context window token passage score recall cosine distance neighbour graph layer level ' +
  'operator deploy service cluster node cache page block kernel thread queue batch stream buffer parse format'
).split(' ')

/** `bytes` of ASCII text (exactly), deterministic from `seed` and `name`. */
export const generateText = (seed, name, bytes) => {
  const rng = createRng(seedFor(seed, 'text', name))
  const parts = []
  let length = 0
  let sentence = 0
  while (length < bytes) {
    // Zipf-ish: low indexes (common words) much more often.
    const word = WORDS[Math.floor(WORDS.length * rng.next() ** 2.2)]
    const start = sentence === 0
    let token = start ? word[0].toUpperCase() + word.slice(1) : word
    sentence++
    if (sentence > 6 && rng.next() < 0.15) {
      token += rng.next() < 0.1 ? '.\n\n' : '. '
      sentence = 0
    } else token += ' '
    parts.push(token)
    length += token.length
  }
  return parts.join('').slice(0, bytes)
}

let pool
/** A 1 MiB block of text reused (sliced) for upload file contents: fast to write in bulk. */
export const textPool = () => (pool ??= Buffer.from(generateText(1, 'pool', 1 << 20)))
