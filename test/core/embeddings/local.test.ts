import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/core/embeddings/local.js'
import { InvalidOptionsError } from '../../../src/core/errors.js'

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0)
const norm = (a: Float32Array) => Math.sqrt(dot(a, a))

describe('local hashing embedder', () => {
  it('names itself by version and dimension', () => {
    expect(createLocalEmbedder().id).toBe('local-hash-v1:384')
    expect(createLocalEmbedder({ dimension: 64 })).toMatchObject({ id: 'local-hash-v1:64', dimension: 64 })
  })

  it('returns one L2-normalized Float32Array of the dimension per text, in order', async () => {
    const embedder = createLocalEmbedder({ dimension: 128 })
    const vectors = await embedder.embed(['Four score and seven years ago', 'We hold these truths', ''])
    expect(vectors).toHaveLength(3)
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array)
      expect(vector).toHaveLength(128)
      expect(norm(vector)).toBeCloseTo(1, 5)
      expect(vector.every(Number.isFinite)).toBe(true)
    }
    expect(dot(vectors[0]!, vectors[1]!)).toBeLessThan(0.5)
  })

  it('is deterministic across instances and independent of batch composition', async () => {
    const [a] = await createLocalEmbedder().embed(['government of the people, by the people'])
    const [, b] = await createLocalEmbedder().embed(['something else', 'government of the people, by the people'])
    expect(Array.from(b!)).toEqual(Array.from(a!))
  })

  it('ignores case, punctuation and Unicode compatibility forms', async () => {
    const embedder = createLocalEmbedder()
    const [a, b] = await embedder.embed(['Liberty, and Justice!', 'liberty and ｊｕｓｔｉｃｅ'])
    expect(dot(a!, b!)).toBeCloseTo(1, 5)
  })

  it('ranks texts sharing distinctive words above texts sharing only stopwords', async () => {
    const embedder = createLocalEmbedder()
    const [query, related, unrelated] = await embedder.embed([
      'the unalienable rights of man',
      'endowed by their Creator with certain unalienable Rights',
      'and of the and to the of the and in the',
    ])
    expect(dot(query!, related!)).toBeGreaterThan(dot(query!, unrelated!) + 0.2)
  })

  it('gives word order a say through word pairs', async () => {
    const embedder = createLocalEmbedder()
    const [a, same, swapped] = await embedder.embed(['dog bites man', 'dog bites man', 'man bites dog'])
    expect(dot(a!, same!)).toBeCloseTo(1, 5)
    expect(dot(a!, swapped!)).toBeLessThan(0.95)
  })

  it.each([0, 8, 1.5, 10_000, Number.NaN])('rejects dimension %s', (dimension) => {
    expect(() => createLocalEmbedder({ dimension })).toThrow(InvalidOptionsError)
  })
})
