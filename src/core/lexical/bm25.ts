/**
 * The in-memory lexical index: Okapi BM25 (k1 1.2, b 0.75, Lucene's idf) over the
 * store's labels. Written here rather than taken from MiniSearch or
 * wink-bm25-text-search (README, Dependencies): the store needs removal by label
 * without the original text, a compact binary file that a cold open reads without
 * a JSON parse of every posting, and label remapping when the store compacts.
 *
 * Removal is lazy: a removed label leaves the length table at once and its postings
 * are skipped by every search (document frequencies are counted over live labels
 * only, so scores are exact) and dropped by the next serialization. Labels are
 * never reused except by `remapLabels`, which builds a fresh index.
 */
import { tokenize, TOKENIZER_ID, type AnalyzerOptions } from './tokenize.js'

export const K1 = 1.2
export const B = 0.75

export interface Analyzer extends Required<AnalyzerOptions> {
  tokenizer: string
}

export interface Posting {
  labels: number[]
  tfs: number[]
}

export interface LexicalIndex {
  readonly analyzer: Analyzer
  /** Live label → number of tokens. */
  readonly lengths: Map<number, number>
  readonly postings: Map<string, Posting>
  totalLength: number
}

export interface LexicalHit {
  label: number
  /** Okapi BM25, 0 to unbounded. */
  bm25: number
  /** bm25 over the best a passage could score for this query (every known query term, saturated): 0 to 1. */
  score: number
  /** Query terms this passage contains. */
  matched: number
}

export const defaultAnalyzer = (options: AnalyzerOptions = {}): Analyzer => ({
  tokenizer: TOKENIZER_ID,
  stopWords: options.stopWords ?? false,
  stemming: options.stemming ?? false,
})

export const createLexicalIndex = (analyzer: Analyzer = defaultAnalyzer()): LexicalIndex => ({
  analyzer,
  lengths: new Map(),
  postings: new Map(),
  totalLength: 0,
})

export const analyze = (index: LexicalIndex, text: string): string[] => tokenize(text, index.analyzer)

/** Adds one passage under a label the index does not hold yet. */
export const addPassage = (index: LexicalIndex, label: number, text: string): void => {
  if (index.lengths.has(label)) throw new Error(`lexical index: label ${label} is already indexed`)
  const tokens = analyze(index, text)
  const counts = new Map<string, number>()
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1)
  for (const [term, tf] of counts) {
    let posting = index.postings.get(term)
    if (posting === undefined) {
      posting = { labels: [], tfs: [] }
      index.postings.set(term, posting)
    }
    posting.labels.push(label)
    posting.tfs.push(tf)
  }
  index.lengths.set(label, tokens.length)
  index.totalLength += tokens.length
  changed.add(index)
}

export const removeLabel = (index: LexicalIndex, label: number): void => {
  const length = index.lengths.get(label)
  if (length === undefined) return
  index.lengths.delete(label)
  index.totalLength -= length
  changed.add(index)
}

/** A fresh index holding only the live labels, renamed by `relabel` (the store's compaction). */
export const remapLabels = (index: LexicalIndex, relabel: ReadonlyMap<number, number>): LexicalIndex => {
  const next = createLexicalIndex(index.analyzer)
  for (const [label, length] of index.lengths) {
    const to = relabel.get(label)
    if (to !== undefined) next.lengths.set(to, length)
  }
  next.totalLength = [...next.lengths.values()].reduce((sum, length) => sum + length, 0)
  for (const [term, posting] of index.postings) {
    const labels: number[] = []
    const tfs: number[] = []
    for (let i = 0; i < posting.labels.length; i++) {
      const to = relabel.get(posting.labels[i]!)
      if (to === undefined || !next.lengths.has(to)) continue
      labels.push(to)
      tfs.push(posting.tfs[i]!)
    }
    if (labels.length > 0) next.postings.set(term, { labels, tfs })
  }
  return next
}

const idfOf = (documents: number, frequency: number): number => Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))

/**
 * Up to `k` labels by BM25, best first (ties by label). Only passages sharing at
 * least one term with the query are returned; `accept` filters before ranking.
 */
export const searchLexical = (index: LexicalIndex, query: string, k: number, accept?: (label: number) => boolean): LexicalHit[] => {
  const documents = index.lengths.size
  if (documents === 0 || k < 1) return []
  const average = index.totalLength / documents || 1
  const lengths = denseLengths(index)
  // Labels far sparser than the passages (many deletes, no compaction): arrays by label would be mostly holes.
  if (lengths === undefined) return searchSparse(index, query, k, accept)
  const terms = [...new Set(analyze(index, query))]
  // Scores live in arrays indexed by label: a Map entry per scored passage cost more than the scoring.
  const bm25 = new Float64Array(lengths.length)
  const matched = new Uint16Array(lengths.length)
  const scored: number[] = []
  let best = 0
  for (const term of terms) {
    const posting = index.postings.get(term)
    if (posting === undefined) continue
    const { labels, tfs } = posting
    let frequency = 0
    for (let i = 0; i < labels.length; i++) if (lengths[labels[i]!]! >= 0) frequency++
    if (frequency === 0) continue
    const idf = idfOf(documents, frequency)
    best += idf * (K1 + 1)
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!
      const length = lengths[label]!
      if (length < 0) continue
      const tf = tfs[i]!
      if (matched[label] === 0) scored.push(label)
      bm25[label]! += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / average))
      matched[label]!++
    }
  }
  const kept = accept ? scored.filter(accept) : scored
  const top = kept.length > k ? topLabels(kept, bm25, k) : kept
  top.sort((a, b) => bm25[b]! - bm25[a]! || a - b)
  return top.map((label) => ({ label, bm25: bm25[label]!, score: best > 0 ? Math.min(1, bm25[label]! / best) : 0, matched: matched[label]! }))
}

/** The labels of the k highest scores (ties at the threshold all kept, then cut after sorting). */
const topLabels = (labels: number[], scores: Float64Array, k: number): number[] => {
  const values = new Float64Array(labels.length)
  labels.forEach((label, i) => (values[i] = scores[label]!))
  values.sort()
  const threshold = values[values.length - k]!
  return labels.filter((label) => scores[label]! >= threshold)
}

/** Length per label, −1 for a label not indexed; rebuilt after a change, shared by every search until the next. */
const dense = new WeakMap<LexicalIndex, { size: number; total: number; lengths: Float64Array }>()
const denseLengths = (index: LexicalIndex): Float64Array | undefined => {
  const cached = dense.get(index)
  if (cached && cached.size === index.lengths.size && cached.total === index.totalLength && !changed.has(index)) return cached.lengths
  let max = -1
  for (const label of index.lengths.keys()) if (label > max) max = label
  if (max > 4 * index.lengths.size + 65_536) return undefined
  const lengths = new Float64Array(max + 1).fill(-1)
  for (const [label, length] of index.lengths) lengths[label] = length
  dense.set(index, { size: index.lengths.size, total: index.totalLength, lengths })
  changed.delete(index)
  return lengths
}
const changed = new WeakSet<LexicalIndex>()

const searchSparse = (index: LexicalIndex, query: string, k: number, accept?: (label: number) => boolean): LexicalHit[] => {
  const documents = index.lengths.size
  if (documents === 0 || k < 1) return []
  const average = index.totalLength / documents || 1
  const terms = [...new Set(analyze(index, query))]
  const scores = new Map<number, { bm25: number; matched: number }>()
  let best = 0
  for (const term of terms) {
    const posting = index.postings.get(term)
    if (posting === undefined) continue
    let frequency = 0
    for (const label of posting.labels) if (index.lengths.has(label)) frequency++
    if (frequency === 0) continue
    const idf = idfOf(documents, frequency)
    best += idf * (K1 + 1)
    for (let i = 0; i < posting.labels.length; i++) {
      const label = posting.labels[i]!
      const length = index.lengths.get(label)
      if (length === undefined) continue
      const tf = posting.tfs[i]!
      const gain = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / average))
      const known = scores.get(label)
      if (known) {
        known.bm25 += gain
        known.matched++
      } else scores.set(label, { bm25: gain, matched: 1 })
    }
  }
  const hits: LexicalHit[] = []
  for (const [label, { bm25, matched }] of scores) {
    if (accept && !accept(label)) continue
    hits.push({ label, bm25, score: best > 0 ? Math.min(1, bm25 / best) : 0, matched })
  }
  hits.sort((a, b) => b.bm25 - a.bm25 || a.label - b.label)
  return hits.length > k ? hits.slice(0, k) : hits
}
