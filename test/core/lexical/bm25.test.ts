import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isBentoError } from '../../../src/core/errors.js'
import { addPassage, analyzePassage, createLexicalIndex, defaultAnalyzer, decodeLexicalIndex, encodeAndPackLexicalIndex, encodeLexicalIndex, forEachPosting, postingsOf, remapLabels, removeLabel, searchLexical, type LexicalIndex } from '../../../src/core/lexical/index.js'

const indexOf = (texts: string[]): LexicalIndex => {
  const index = createLexicalIndex()
  texts.forEach((text, label) => addPassage(index, label, text))
  return index
}
const labels = (index: LexicalIndex, query: string, k = 10) => searchLexical(index, query, k).map((hit) => hit.label)

describe('BM25 ranking', () => {
  it('ranks the same with terms counted ahead as with the texts', () => {
    const texts = ['the cat sat on the mat', 'the dog sat', 'a refund policy for cats', 'Москва 東京都']
    const counted = createLexicalIndex()
    texts.forEach((text, label) => addPassage(counted, label, '', analyzePassage(text, defaultAnalyzer())))
    const plain = indexOf(texts)
    for (const query of ['the sat', 'refund cats', '東京', 'москва']) expect(searchLexical(counted, query, 10)).toEqual(searchLexical(plain, query, 10))
    expect(encodeLexicalIndex(counted)).toEqual(encodeLexicalIndex(plain))
  })

  it('appends an add\'s postings at the next read, in the order added, from its own copy of the counts', () => {
    const texts = ['refund policy', 'the refund came late', 'policy of the day', 'late again']
    const deferred = createLexicalIndex()
    const counts = texts.map((text) => analyzePassage(text, defaultAnalyzer()))
    counts.forEach((terms, label) => addPassage(deferred, label, '', terms))
    expect(deferred.pending).toHaveLength(4)
    // A caller reusing its arrays after the add must not change what the index holds.
    counts[1]!.terms[0] = 'changed'
    counts[1]!.tfs[0] = 9
    const eager = indexOf(texts)
    postingsOf(eager)
    expect(searchLexical(deferred, 'refund late', 10)).toEqual(searchLexical(eager, 'refund late', 10))
    expect(deferred.pending).toHaveLength(0)
    addPassage(deferred, 4, 'refund once more')
    addPassage(eager, 4, 'refund once more')
    removeLabel(deferred, 1)
    removeLabel(eager, 1)
    expect(encodeLexicalIndex(deferred)).toEqual(encodeLexicalIndex(eager))
    expect(remapLabels(deferred, new Map([[0, 0], [2, 1], [3, 2], [4, 3]]))).toEqual(remapLabels(eager, new Map([[0, 0], [2, 1], [3, 2], [4, 3]])))
  })

  it('ranks the passage with the rarer query term first and ignores passages sharing nothing', () => {
    const index = indexOf(['the cat sat on the mat', 'the dog sat', 'a refund policy for cats', 'nothing here'])
    expect(labels(index, 'refund sat')).toEqual([2, 1, 0])
    expect(labels(index, 'qqqzzzkkk')).toEqual([])
  })

  it('matches the Okapi formula (k1 1.2, b 0.75, Lucene idf) on a hand-checked case', () => {
    const index = indexOf(['apple banana', 'apple apple cherry date', 'cherry'])
    const [hit] = searchLexical(index, 'banana', 1)
    // N 3, df 1: idf ln(1 + 2.5/1.5); tf 1, length 2, average 7/3.
    const idf = Math.log(1 + 2.5 / 1.5)
    const expected = (idf * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 2) / (7 / 3)))
    expect(hit!.bm25).toBeCloseTo(expected, 12)
    expect(hit!.score).toBeCloseTo(expected / (idf * 2.2), 12)
    expect(hit!.score).toBeGreaterThan(0)
    expect(hit!.score).toBeLessThan(1)
  })

  it('scores a removed passage nowhere and counts document frequency over live passages only', () => {
    const index = indexOf(['alpha beta', 'alpha gamma', 'delta'])
    const before = searchLexical(index, 'alpha', 5)[0]!.bm25
    removeLabel(index, 0)
    expect(labels(index, 'alpha beta')).toEqual([1])
    const fresh = indexOf(['alpha gamma', 'delta'])
    expect(searchLexical(index, 'alpha', 1)[0]!.bm25).toBeCloseTo(searchLexical(fresh, 'alpha', 1)[0]!.bm25, 12)
    expect(searchLexical(index, 'alpha', 1)[0]!.bm25).not.toBeCloseTo(before, 6)
  })

  it('scores the same when labels are sparse (many deletes, no compaction) as when they are dense', () => {
    const texts = ['alpha beta', 'beta gamma gamma', 'alpha alpha delta']
    const sparse = createLexicalIndex()
    texts.forEach((text, i) => addPassage(sparse, i * 10_000_000, text))
    const denseIndex = indexOf(texts)
    const strip = (hits: ReturnType<typeof searchLexical>) => hits.map(({ label, ...rest }) => ({ label: label / 10_000_000, ...rest }))
    for (const query of ['alpha', 'gamma beta', 'delta alpha beta']) {
      const expected = searchLexical(denseIndex, query, 2)
      expect(strip(searchLexical(sparse, query, 2)).map((hit) => hit.label)).toEqual(expected.map((hit) => hit.label))
      strip(searchLexical(sparse, query, 2)).forEach((hit, i) => expect(hit.bm25).toBeCloseTo(expected[i]!.bm25, 12))
    }
  })

  it('keeps the best k of many scored passages exactly as a full sort would, ties by label, after adds and removes', () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']
    const texts = Array.from({ length: 600 }, (_, i) => words.filter((_, w) => (i * (w + 3)) % (w + 2) === 0).join(' ') + ` filler${i % 7}`)
    const index = indexOf(texts)
    for (let label = 0; label < 600; label += 11) removeLabel(index, label)
    addPassage(index, 600, 'alpha alpha beta')
    for (const query of ['alpha', 'beta gamma', 'delta epsilon alpha', 'filler3 alpha']) {
      const all = searchLexical(index, query, 10_000)
      const bestFirst = [...all].sort((a, b) => b.bm25 - a.bm25 || a.label - b.label)
      expect(all).toEqual(bestFirst)
      for (const k of [1, 7, 100]) expect(searchLexical(index, query, k)).toEqual(all.slice(0, k))
      expect(searchLexical(index, query, 5, (label) => label % 2 === 0)).toEqual(all.filter((hit) => hit.label % 2 === 0).slice(0, 5))
    }
  })

  it('relabels on compaction without losing a posting', () => {
    const index = indexOf(['one two', 'two three', 'three four'])
    removeLabel(index, 1)
    const remapped = remapLabels(index, new Map([[0, 0], [2, 1]]))
    expect(labels(remapped, 'three')).toEqual([1])
    expect(labels(remapped, 'two')).toEqual([0])
    expect(remapped.totalLength).toBe(4)
  })
})

describe('the lexical index file', () => {
  it('round-trips, without the postings of removed passages', () => {
    const index = indexOf(['Москва столица', '東京都', 'refund policy refund', 'gone word'])
    removeLabel(index, 3)
    const decoded = decodeLexicalIndex(encodeLexicalIndex(index), 'test')
    expect([...decoded.lengths]).toEqual([...index.lengths])
    expect(decoded.totalLength).toBe(index.totalLength)
    expect(postingsOf(decoded).ids.has('gone')).toBe(false)
    for (const query of ['москва', '東京', 'refund']) expect(searchLexical(decoded, query, 5)).toEqual(searchLexical(index, query, 5))
  })

  it('packs, in the same pass as encoding, exactly the index a decode of those bytes gives', () => {
    const index = indexOf(['Москва столица', '東京都', 'refund policy refund', 'gone word', 'policy of refunds'])
    removeLabel(index, 3)
    addPassage(index, 9, 'a late refund')
    const { bytes, packed } = encodeAndPackLexicalIndex(index)
    expect(bytes).toEqual(encodeLexicalIndex(index))
    const decoded = decodeLexicalIndex(bytes, 'test')
    expect(packed).toEqual(decoded)
    expect(packed.columns.addedLabels).toEqual([])
    for (const query of ['москва', 'refund policy', 'gone', 'late']) expect(searchLexical(packed, query, 5)).toEqual(searchLexical(index, query, 5))
    addPassage(packed, 10, 'refund again')
    expect(searchLexical(packed, 'refund', 5).map((hit) => hit.label)).toContain(10)
  })

  it('refuses a flipped byte, a truncated file and trailing bytes as corrupt, never crashing', () => {
    const data = encodeLexicalIndex(indexOf(['alpha beta', 'gamma']))
    for (let at = 0; at < data.length; at++) {
      const damaged = Buffer.from(data)
      damaged[at] = damaged[at]! ^ 0x41
      expect(() => decodeLexicalIndex(damaged, 'x')).toThrow(expect.objectContaining({ code: expect.stringMatching(/corrupt_store|refused/) }))
    }
    expect(() => decodeLexicalIndex(data.subarray(0, data.length - 5), 'x')).toThrow(expect.objectContaining({ code: 'corrupt_store' }))
    expect(() => decodeLexicalIndex(Buffer.concat([data, Buffer.from([0])]), 'x')).toThrow(expect.objectContaining({ code: 'corrupt_store' }))
  })

  it('refuses a header whose counts the file cannot hold before allocating anything (a crafted 4-billion-postings header)', () => {
    const data = encodeLexicalIndex(indexOf(['alpha beta', 'gamma']))
    const headerLength = data.readUInt32LE(8)
    const header = JSON.parse(data.subarray(12, 12 + headerLength).toString('utf8')) as Record<string, unknown>
    const crafted = JSON.stringify({ ...header, postings: 4_000_000_000 })
    const rest = data.subarray(12 + headerLength, data.length - 4)
    const body = Buffer.concat([data.subarray(0, 8), Buffer.alloc(4), Buffer.from(crafted), rest])
    body.writeUInt32LE(Buffer.byteLength(crafted), 8)
    const file = Buffer.concat([body, Buffer.alloc(4)])
    file.writeUInt32LE(crc32(body), body.length)
    expect(() => decodeLexicalIndex(file, 'x')).toThrow(expect.objectContaining({ code: 'corrupt_store', message: expect.stringContaining('header counts exceed the file') }))
  })

  it('checks every field itself, not only the checksum: a crafted file with a valid checksum is refused or consistent', () => {
    const data = encodeLexicalIndex(indexOf(['alpha beta beta', 'gamma alpha', 'delta']))
    for (let at = 4; at < data.length - 4; at++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const crafted = Buffer.from(data)
        crafted[at] = crafted[at]! ^ mask
        crafted.writeUInt32LE(crc32(crafted.subarray(0, crafted.length - 4)), crafted.length - 4)
        let decoded: LexicalIndex | undefined
        try {
          decoded = decodeLexicalIndex(crafted, 'x')
        } catch (error) {
          expect(isBentoError(error), String(error)).toBe(true)
          continue
        }
        const sum = [...decoded.lengths.values()].reduce((a, b) => a + b, 0)
        expect(sum).toBe(decoded.totalLength)
        postingsOf(decoded).terms.forEach((_, id) => forEachPosting(postingsOf(decoded!), id, (label) => expect(decoded!.lengths.has(label)).toBe(true)))
      }
    }
  })
})
