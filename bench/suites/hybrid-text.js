/** The `hybrid` suite's generated prose (also bench/profile-lexical.js). */
import { createRng, seedFor } from '../lib/rng.js'

// Text with a natural-language-like vocabulary: 20,000 pseudo-words drawn Zipf-like (rank ~ u^3),
// so common words fill every passage and rare ones a few, as in prose. (The other suites' 80-word
// generator would make every posting list cover most passages: no real corpus looks like that.)
const VOCABULARY = 20_000
const wordAt = (rank) => {
  let word = ''
  let n = rank + 1
  while (n > 0) {
    word += String.fromCharCode(97 + (n % 26))
    n = Math.floor(n / 26)
  }
  return `${word}${rank % 7 === 0 ? 'ing' : rank % 5 === 0 ? 'ed' : ''}`
}
export const drawWord = (rng) => wordAt(Math.floor(VOCABULARY * rng.next() ** 3))
export const proseText = (seed, name, bytes) => {
  const rng = createRng(seedFor(seed, 'prose', name))
  const words = []
  let length = 0
  while (length < bytes) {
    const word = drawWord(rng)
    words.push(word)
    length += word.length + 1
  }
  return words.join(' ').slice(0, bytes)
}

