/**
 * Threat: a damaged or crafted hnswlib.index makes hnswlib-node allocate wildly or
 * read out of bounds and kill the process. Every file here must be refused in JS
 * with a CorruptStoreError, and whatever passes must load and search safely.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CorruptStoreError } from '../../../src/core/errors.js'
import { openStore, validateIndexFile } from '../../../src/core/store/index.js'
import { HEADER_BYTES } from '../../../src/core/store/index-header.js'
import { chunk, makeTempDir, randomVector, removeDir, seededRandom } from './support.js'

const DIM = 8
const M = 4
const SIZE_LINKS0 = 2 * M * 4 + 4
const SIZE_PER_ELEMENT = SIZE_LINKS0 + DIM * 4 + 8
const COUNT = 60
let root: string
let original: Buffer

beforeAll(async () => {
  root = await makeTempDir()
  const store = await openStore({ dir: path.join(root, 'base'), dimension: DIM, m: M, efConstruction: 20, initialCapacity: 64, appendLog: false })
  const random = seededRandom(21)
  await store.add(Array.from({ length: COUNT }, (_, i) => chunk(`d${i % 10}`, i, randomVector(random, DIM))))
  await store.deleteDocument('d3')
  await store.close()
  original = await readFile(path.join(root, 'base', 'hnswlib.index'))
})
afterAll(() => removeDir(root))

const copy = () => Buffer.from(original)
const validate = (bytes: Buffer, capacity: number | undefined = 64) => validateIndexFile(bytes, { dimension: DIM, capacity })
const expectCorrupt = (bytes: Buffer, pattern: RegExp, capacity?: number) => {
  expect(() => validate(bytes, capacity)).toThrow(CorruptStoreError)
  expect(() => validate(bytes, capacity)).toThrow(pattern)
}
const setU64 = (bytes: Buffer, offset: number, value: bigint) => bytes.writeBigUInt64LE(value, offset)
/** Offset of the first point with an upper level, and its link block. */
const firstUpperLevelBlock = (bytes: Buffer): { id: number; block: number } => {
  let position = HEADER_BYTES + COUNT * SIZE_PER_ELEMENT
  for (let id = 0; id < COUNT; id++) {
    const size = bytes.readUInt32LE(position)
    if (size > 0) return { id, block: position + 4 }
    position += 4 + size
  }
  throw new Error('no point above level 0')
}

describe('validateIndexFile', () => {
  it('accepts what hnswlib wrote and reports counts, labels and deletions', () => {
    const info = validate(copy())
    expect(info).toMatchObject({ count: COUNT, maxElements: 64, m: M, efConstruction: 20, deletedCount: 6 })
    expect([...info.labels].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i))
    expect(info.maxLevel).toBeGreaterThan(0)
  })

  it('refuses every truncation', () => {
    for (let length = 0; length < original.length; length++) {
      expect(() => validate(original.subarray(0, length)), `length ${length}`).toThrow(CorruptStoreError)
    }
  })

  it('refuses a trailing byte', () => expectCorrupt(Buffer.concat([original, Buffer.from([0])]), /size is/))

  it('refuses a vector of another dimension', () => {
    expect(() => validateIndexFile(copy(), { dimension: DIM + 1, capacity: 64 })).toThrow(/does not match dimension/)
  })

  it('refuses crafted header counts and sizes', () => {
    const cases: Array<[number, bigint, RegExp]> = [
      [16, 1n << 40n, /cur_element_count/],
      [16, BigInt(COUNT + 1), /truncated|size is|link list/],
      [8, 1n << 40n, /max_elements/],
      [8, BigInt(COUNT - 1), /exceeds max_elements|disagrees/],
      [8, 1n << 63n, /out of range/],
      [24, BigInt(SIZE_PER_ELEMENT + 4), /size_data_per_element/],
      [32, 0n, /label_offset/],
      [40, 0n, /offsetData/],
      [0, 8n, /offsetLevel0/],
      [56, BigInt(M + 1), /inconsistent/],
      [64, BigInt(4 * M), /inconsistent/],
      [88, 1n << 50n, /ef_construction/],
    ]
    for (const [offset, value, pattern] of cases) {
      const bytes = copy()
      setU64(bytes, offset, value)
      expectCorrupt(bytes, pattern)
    }
  })

  it('refuses a max_elements that disagrees with the manifest, or is huge for an adopted store', () => {
    expectCorrupt(copy(), /disagrees with the capacity 128/, 128)
    const bytes = copy()
    setU64(bytes, 8, 100_000n)
    expect(() => validateIndexFile(bytes, { dimension: DIM })).toThrow(/disagrees with the capacity/)
  })

  it('refuses a bad maxlevel, enterpoint or mult', () => {
    let bytes = copy()
    bytes.writeInt32LE(1000, 48)
    expectCorrupt(bytes, /maxlevel/)
    bytes = copy()
    bytes.writeInt32LE(bytes.readInt32LE(48) - 1, 48)
    expectCorrupt(bytes, /exceeds maxlevel|not on maxlevel/)
    bytes = copy()
    bytes.writeUInt32LE(COUNT, 52)
    expectCorrupt(bytes, /enterpoint_node/)
    bytes = copy()
    bytes.writeDoubleLE(1e300, 80)
    expectCorrupt(bytes, /mult/)
  })

  it('refuses out-of-range neighbor ids and link counts on level 0', () => {
    let bytes = copy()
    bytes.writeUInt32LE(COUNT + 5, HEADER_BYTES + 4)
    expectCorrupt(bytes, /level-0 neighbor/)
    bytes = copy()
    bytes.writeUInt16LE(2 * M + 1, HEADER_BYTES)
    expectCorrupt(bytes, /exceed maxM0/)
    bytes = copy()
    bytes.writeUInt8(7, HEADER_BYTES + 2)
    expectCorrupt(bytes, /flags/)
  })

  it('refuses bad upper-level link lists', () => {
    const { block } = firstUpperLevelBlock(original)
    let bytes = copy()
    bytes.writeUInt32LE(M + 1, block)
    expectCorrupt(bytes, /exceed maxM/)
    bytes = copy()
    bytes.writeUInt32LE(1, block)
    bytes.writeUInt32LE(0xffff_fff0, block + 4)
    expectCorrupt(bytes, /level-1 neighbor/)
    bytes = copy()
    bytes.writeUInt32LE(bytes.readUInt32LE(block - 4) + 1, block - 4)
    expectCorrupt(bytes, /not a multiple/)
  })

  it('refuses duplicate labels and labels beyond uint32', () => {
    const labelAt = (id: number) => HEADER_BYTES + id * SIZE_PER_ELEMENT + SIZE_LINKS0 + DIM * 4
    let bytes = copy()
    bytes.writeUInt32LE(bytes.readUInt32LE(labelAt(1)), labelAt(0))
    expectCorrupt(bytes, /appears twice/)
    bytes = copy()
    bytes.writeUInt32LE(1, labelAt(0) + 4)
    expectCorrupt(bytes, /exceeds uint32/)
  })

  it('validates a file whose buffer is not 4-byte aligned (a slice of a larger buffer)', () => {
    const padded = Buffer.alloc(original.length + 1)
    original.copy(padded, 1)
    expect(validate(padded.subarray(1))).toMatchObject({ count: COUNT, deletedCount: 6 })
    const corrupt = Buffer.from(padded)
    corrupt.writeUInt32LE(0xffff_fff0, 1 + HEADER_BYTES + 4)
    corrupt.writeUInt32LE(1, 1 + HEADER_BYTES)
    expect(() => validate(corrupt.subarray(1))).toThrow(/level-0 neighbor/)
  })
})

describe('openStore on non-finite vectors', () => {
  // Vector components are not validated on open (3.84M floats at 10k × 384): a NaN cannot make
  // hnswlib read out of bounds, it only spoils the distances that involve that point.
  it('loads a store whose vectors hold NaN and Infinity without crashing; search still answers', async () => {
    const { cp, writeFile } = await import('node:fs/promises')
    const dir = path.join(root, 'nan')
    await cp(path.join(root, 'base'), dir, { recursive: true })
    const bytes = copy()
    for (let id = 0; id < COUNT; id += 3) {
      bytes.writeFloatLE(Number.NaN, HEADER_BYTES + id * SIZE_PER_ELEMENT + SIZE_LINKS0)
      bytes.writeFloatLE(Number.POSITIVE_INFINITY, HEADER_BYTES + id * SIZE_PER_ELEMENT + SIZE_LINKS0 + 4)
    }
    await writeFile(path.join(dir, 'hnswlib.index'), bytes)
    expect(validate(bytes)).toMatchObject({ count: COUNT })
    const store = await openStore({ dir, dimension: DIM, appendLog: false })
    try {
      expect(store.stats().live).toBe(COUNT - 6)
      const random = seededRandom(5)
      for (let q = 0; q < 20; q++) {
        const hits = await store.search(randomVector(random, DIM), 10)
        expect(hits.length).toBeLessThanOrEqual(10)
        for (const hit of hits) expect(typeof hit.documentId).toBe('string')
      }
      expect(store.listDocuments().length).toBeGreaterThan(0)
      await store.add([chunk('after-nan', 0, randomVector(random, DIM))])
      expect((await store.search(randomVector(random, DIM), 100)).some((hit) => hit.documentId === 'after-nan')).toBe(true)
    } finally {
      await store.close()
    }
  })
})

describe('openStore on flipped bits (fuzz)', () => {
  it('either refuses with a typed error or loads a store that searches, lists, exports and adds safely', async () => {
    const random = seededRandom(99)
    const files = ['hnswlib.index', 'docstore.json', 'bento.json', 'args.json', 'bento-lexical.bin']
    const originals = new Map<string, Buffer>()
    for (const file of files) originals.set(file, await readFile(path.join(root, 'base', file)))
    let refused = 0
    let loaded = 0
    for (let round = 0; round < 120; round++) {
      const dir = path.join(root, `flip-${round}`)
      const { mkdir, writeFile } = await import('node:fs/promises')
      await mkdir(dir)
      const target = files[round % 5 === 4 ? 1 + (round % 4) : 0]!
      for (const [file, bytes] of originals) {
        const out = Buffer.from(bytes)
        if (file === target) {
          const bit = Math.floor(random() * out.length * 8)
          out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7))
        }
        await writeFile(path.join(dir, file), out)
      }
      try {
        const store = await openStore({ dir, dimension: DIM, appendLog: false })
        loaded++
        expect(store.stats().live).toBe(COUNT - 6)
        await store.search(randomVector(random, DIM), 10)
        store.listDocuments()
        await store.exportChunks()
        if (round % 4 === 0) await store.add([chunk('new', 0, randomVector(random, DIM))])
        await store.close()
      } catch (error) {
        expect(error, String(error)).toHaveProperty('code')
        expect(['corrupt_store', 'refused']).toContain((error as { code: string }).code)
        refused++
      }
      await removeDir(dir)
    }
    expect(refused).toBeGreaterThan(0)
    expect(loaded).toBeGreaterThan(0)
  })
})
