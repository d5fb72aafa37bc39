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
 * never reused except by `remapLabels`, which builds a fresh index. Postings are
 * typed-array columns (postings.ts); per-label length norms are computed once per
 * change, not per posting and query.
 */
import { tokenize, TOKENIZER_ID, type AnalyzerOptions } from './tokenize.js'
import { analyzerKey, countTerms, type PassageTerms } from './passage-terms.js'
import { appendPosting, emptyColumns, forEachPosting, packColumns, postingCount, termId, type PostingColumns } from './postings.js'

export const K1 = 1.2
export const B = 0.75

export interface Analyzer extends Required<AnalyzerOptions> {
  tokenizer: string
}

export interface LexicalIndex {
  readonly analyzer: Analyzer
  /** Live label → number of tokens. */
  readonly lengths: Map<number, number>
  /** Read through `postingsOf`, which appends the pending passages' postings first. */
  readonly columns: PostingColumns
  /**
   * Passages added (lengths counted) whose postings are not appended yet: a commit only
   * records them; the next search, encoding or remap appends them. The appends leave the
   * commit (and the scope's lock) for the first read that needs them, and a store that is
   * closed before one (a CLI write) never pays them.
   */
  readonly pending: PendingPassage[]
  totalLength: number
  /** Passages removed whose postings are still held: skipped by every search, dropped by the next encoding. */
  removed: number
}

interface PendingPassage {
  label: number
  terms: readonly string[]
  tfs: readonly number[]
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

export const createLexicalIndex = (analyzer: Analyzer = defaultAnalyzer(), columns: PostingColumns = emptyColumns()): LexicalIndex => ({
  analyzer,
  lengths: new Map(),
  columns,
  pending: [],
  totalLength: 0,
  removed: 0,
})

export const analyze = (index: LexicalIndex, text: string): string[] => tokenize(text, index.analyzer)

const keys = new WeakMap<Analyzer, string>()
const keyOf = (analyzer: Analyzer): string => {
  let key = keys.get(analyzer)
  if (key === undefined) keys.set(analyzer, (key = analyzerKey(analyzer)))
  return key
}

/**
 * Adds one passage under a label the index does not hold yet. `counted` is the text's
 * `analyzePassage` result, made ahead (ingest): used when this index's analyzer made it.
 */
export const addPassage = (index: LexicalIndex, label: number, text: string, counted?: PassageTerms): void => {
  if (index.lengths.has(label)) throw new Error(`lexical index: label ${label} is already indexed`)
  const key = keyOf(index.analyzer)
  const { terms, tfs } = counted?.analyzer === key ? counted : countTerms(analyze(index, text), key)
  let length = 0
  for (let i = 0; i < tfs.length; i++) length += tfs[i]!
  // Copies: the caller's counts (a ChunkInput's) are read at the first search, after this returns.
  index.pending.push({ label, terms: terms.slice(), tfs: tfs.slice() })
  index.lengths.set(label, length)
  index.totalLength += length
  changed(index)
}

/**
 * The index's postings, the pending passages' appended first (in the order added, so
 * every search and encoding is what appending at each add would have given).
 */
export const postingsOf = (index: LexicalIndex): PostingColumns => {
  const { pending, columns } = index
  if (pending.length === 0) return columns
  for (const { label, terms, tfs } of pending) {
    for (let i = 0; i < terms.length; i++) appendPosting(columns, termId(columns, terms[i]!), label, tfs[i]!)
  }
  pending.length = 0
  return columns
}

export const removeLabel = (index: LexicalIndex, label: number): void => {
  const length = index.lengths.get(label)
  if (length === undefined) return
  index.lengths.delete(label)
  index.totalLength -= length
  if (length > 0) index.removed++
  changed(index)
}

/** A fresh index holding only the live labels, renamed by `relabel` (the store's compaction). */
export const remapLabels = (index: LexicalIndex, relabel: ReadonlyMap<number, number>): LexicalIndex => {
  const lengths = new Map<number, number>()
  for (const [label, length] of index.lengths) {
    const to = relabel.get(label)
    if (to !== undefined) lengths.set(to, length)
  }
  const lists: Array<{ term: string; labels: number[]; tfs: number[] }> = []
  const postings = postingsOf(index)
  postings.terms.forEach((term, id) => {
    const pairs: Array<[number, number]> = []
    forEachPosting(postings, id, (label, tf) => {
      const to = relabel.get(label)
      if (to !== undefined && index.lengths.has(label)) pairs.push([to, tf])
    })
    if (pairs.length === 0) return
    pairs.sort((a, b) => a[0] - b[0])
    lists.push({ term, labels: pairs.map(([label]) => label), tfs: pairs.map(([, tf]) => tf) })
  })
  const next = createLexicalIndex(index.analyzer, packColumns(lists))
  for (const [label, length] of lengths) next.lengths.set(label, length)
  next.totalLength = [...lengths.values()].reduce((sum, length) => sum + length, 0)
  return next
}

const idfOf = (documents: number, frequency: number): number => Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))

/** The number of live passages holding term `id`: its posting count unless passages were removed since the last encoding. */
const frequencyOf = (index: LexicalIndex, postings: PostingColumns, id: number, live: (label: number) => boolean): number => {
  if (index.removed === 0) return postingCount(postings, id)
  let frequency = 0
  forEachPosting(postings, id, (label) => {
    if (live(label)) frequency++
  })
  return frequency
}

/**
 * Up to `k` labels by BM25, best first (ties by label). Only passages sharing at
 * least one term with the query are returned; `accept` filters before ranking.
 */
export const searchLexical = (index: LexicalIndex, query: string, k: number, accept?: (label: number) => boolean): LexicalHit[] => {
  const documents = index.lengths.size
  if (documents === 0 || k < 1) return []
  const scratch = scratchOf(index)
  // Labels far sparser than the passages (many deletes, no compaction): arrays by label would be mostly holes.
  if (scratch === undefined) return searchSparse(index, query, k, accept)
  const { norms, scores, matched } = scratch
  const postings = postingsOf(index)
  const live = (label: number) => norms[label]! >= 0
  const touched: number[] = []
  let best = 0
  for (const term of new Set(analyze(index, query))) {
    const id = postings.ids.get(term)
    if (id === undefined) continue
    const frequency = frequencyOf(index, postings, id, live)
    if (frequency === 0) continue
    const weight = idfOf(documents, frequency) * (K1 + 1)
    best += weight
    // Scores live in arrays indexed by label, reset after the query: a Map entry per scored passage cost more than the scoring.
    const score = (label: number, tf: number): void => {
      const norm = norms[label]!
      if (!(norm >= 0)) return
      if (matched[label] === 0) touched.push(label)
      matched[label]!++
      scores[label]! += (weight * tf) / (tf + norm)
    }
    // The two kinds of columns in loops of their own, each calling `score` from one call site (inlined): through
    // forEachPosting's shared callback the packed scan measured a fifth slower.
    if (id < postings.packedTerms) {
      const { labels, tfs } = postings
      for (let i = postings.offsets[id]!, end = postings.offsets[id + 1]!; i < end; i++) score(labels[i]!, tfs[i]!)
    }
    const added = postings.addedLabels[id]
    if (added === undefined) continue
    const tfs = postings.addedTfs[id]!
    for (let i = 0; i < added.length; i++) score(added[i]!, tfs[i]!)
  }
  try {
    const kept = accept ? touched.filter(accept) : touched
    const top = topK(kept, (label) => scores[label]!, k)
    return top.map((label) => ({ label, bm25: scores[label]!, score: best > 0 ? Math.min(1, scores[label]! / best) : 0, matched: matched[label]! }))
  } finally {
    for (const label of touched) {
      scores[label] = 0
      matched[label] = 0
    }
  }
}

/** The best `k` labels by score (ties: lower label first), best first: a bounded min-heap, not a sort of every scored passage. */
export const topK = (labels: readonly number[], scoreOf: (label: number) => number, k: number): number[] => {
  const worse = (a: number, b: number) => scoreOf(a) < scoreOf(b) || (scoreOf(a) === scoreOf(b) && a > b)
  if (labels.length <= k) return [...labels].sort((a, b) => scoreOf(b) - scoreOf(a) || a - b)
  const heap: number[] = []
  const down = (at: number) => {
    for (;;) {
      const left = 2 * at + 1
      if (left >= heap.length) return
      const right = left + 1
      const child = right < heap.length && worse(heap[right]!, heap[left]!) ? right : left
      if (!worse(heap[child]!, heap[at]!)) return
      ;[heap[at], heap[child]] = [heap[child]!, heap[at]!]
      at = child
    }
  }
  for (const label of labels) {
    if (heap.length < k) {
      heap.push(label)
      for (let at = heap.length - 1; at > 0; ) {
        const parent = (at - 1) >> 1
        if (!worse(heap[at]!, heap[parent]!)) break
        ;[heap[at], heap[parent]] = [heap[parent]!, heap[at]!]
        at = parent
      }
    } else if (worse(heap[0]!, label)) {
      heap[0] = label
      down(0)
    }
  }
  return heap.sort((a, b) => scoreOf(b) - scoreOf(a) || a - b)
}

interface Scratch {
  version: number
  /** Per label: K1 × (1 − B + B × length / average length), −1 for a label not indexed. */
  norms: Float64Array
  /** Zero between searches; a search resets what it touched. */
  scores: Float64Array
  matched: Uint16Array
}

const versions = new WeakMap<LexicalIndex, number>()
const changed = (index: LexicalIndex): void => {
  versions.set(index, (versions.get(index) ?? 0) + 1)
}
const scratches = new WeakMap<LexicalIndex, Scratch>()

/** Per-label arrays, rebuilt after a change and shared by every search until the next; undefined when labels are too sparse. */
const scratchOf = (index: LexicalIndex): Scratch | undefined => {
  const version = versions.get(index) ?? 0
  const cached = scratches.get(index)
  if (cached?.version === version) return cached
  let max = -1
  for (const label of index.lengths.keys()) if (label > max) max = label
  if (max > 4 * index.lengths.size + 65_536) return undefined
  const size = max + 1
  const sameSize = cached !== undefined && cached.norms.length === size
  const norms = sameSize ? cached.norms : new Float64Array(size)
  norms.fill(-1)
  const average = index.totalLength / index.lengths.size || 1
  for (const [label, length] of index.lengths) norms[label] = K1 * (1 - B + (B * length) / average)
  const scratch = { version, norms, scores: sameSize ? cached.scores : new Float64Array(size), matched: sameSize ? cached.matched : new Uint16Array(size) }
  scratches.set(index, scratch)
  return scratch
}

const searchSparse = (index: LexicalIndex, query: string, k: number, accept?: (label: number) => boolean): LexicalHit[] => {
  const documents = index.lengths.size
  const average = index.totalLength / documents || 1
  const live = (label: number) => index.lengths.has(label)
  const postings = postingsOf(index)
  const scores = new Map<number, { bm25: number; matched: number }>()
  let best = 0
  for (const term of new Set(analyze(index, query))) {
    const id = postings.ids.get(term)
    if (id === undefined) continue
    const frequency = frequencyOf(index, postings, id, live)
    if (frequency === 0) continue
    const weight = idfOf(documents, frequency) * (K1 + 1)
    best += weight
    forEachPosting(postings, id, (label, tf) => {
      const length = index.lengths.get(label)
      if (length === undefined) return
      const gain = (weight * tf) / (tf + K1 * (1 - B + (B * length) / average))
      const known = scores.get(label)
      if (known) {
        known.bm25 += gain
        known.matched++
      } else scores.set(label, { bm25: gain, matched: 1 })
    })
  }
  const kept = [...scores.keys()].filter((label) => !accept || accept(label))
  return topK(kept, (label) => scores.get(label)!.bm25, k).map((label) => {
    const { bm25, matched } = scores.get(label)!
    return { label, bm25, score: best > 0 ? Math.min(1, bm25 / best) : 0, matched }
  })
}
