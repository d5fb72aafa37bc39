#!/usr/bin/env node
/**
 * The lexical index's own costs at the `hybrid` suite's size, without a store
 * around them: tokenizing, encoding, decoding and searching 10k passages of the
 * suite's Zipf-like prose. Medians of the CPU time of repeats, in one process (less disturbed by other
 * processes than wall time).
 *
 *   node bench/profile-lexical.js [passages]
 */
import { requireDist } from './lib/library.js'
import { proseText, drawWord } from './suites/hybrid-text.js'
import { createRng, seedFor } from './lib/rng.js'

const count = Number(process.argv[2] ?? 10_000)
const seed = 20251125
const lexical = await requireDist('core/lexical/index.js', ['addPassage', 'encodeLexicalIndex', 'decodeLexicalIndex', 'createLexicalIndex', 'searchLexical', 'tokenize', 'encodeAndPackLexicalIndex'])

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]
const time = (fn, repeats = 9) => {
  const samples = []
  for (let r = 0; r < repeats; r++) {
    const t0 = process.cpuUsage()
    fn()
    const { user, system } = process.cpuUsage(t0)
    samples.push((user + system) / 1000)
  }
  return median(samples)
}

const texts = Array.from({ length: count }, (_, i) => proseText(seed, `hybrid-${i}`, 400))
let index
const build = time(() => {
  index = lexical.createLexicalIndex()
  texts.forEach((text, i) => lexical.addPassage(index, i, text))
}, 3)
const tokenize100 = time(() => texts.slice(0, 100).forEach((text) => lexical.tokenize(text)))
let bytes
const encode = time(() => (bytes = lexical.encodeLexicalIndex(index)))
// What a store's commit does: the same pass also fills the packed columns it keeps.
const encodeAndPack = time(() => lexical.encodeAndPackLexicalIndex(index))
let decoded
const decode = time(() => (decoded = lexical.decodeLexicalIndex(bytes, 'profile')))
const rng = createRng(seedFor(seed, 'hybrid-queries'))
const queries = Array.from({ length: 40 }, () => Array.from({ length: 3 }, () => drawWord(rng)).join(' '))
lexical.searchLexical(decoded, queries[0], 100)
const search = time(() => queries.forEach((query) => lexical.searchLexical(decoded, query, 100))) / queries.length
// A store that added its passages in this process searches postings appended since the last decode.
lexical.searchLexical(index, queries[0], 100)
const searchAdded = time(() => queries.forEach((query) => lexical.searchLexical(index, query, 100))) / queries.length
const matched = queries.map((query) => lexical.searchLexical(decoded, query, 1e9).length)
console.log(JSON.stringify({
  passages: count, fileBytes: bytes.length, buildMs: build, tokenize100Ms: tokenize100, encodeMs: encode, encodeAndPackMs: encodeAndPack, decodeMs: decode,
  searchMsPerQuery: search, searchAppendedMsPerQuery: searchAdded, medianPassagesMatched: median(matched),
}, null, 1))
