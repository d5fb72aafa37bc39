/**
 * Opening validates the index from the file in 1 MiB chunks (never the whole
 * file in memory). The chunked read must see exactly what a whole-buffer read
 * sees, including damage past the first chunk and a file cut short mid-read.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CorruptStoreError } from '../../../src/core/errors.js'
import { withFileReaderSync } from '../../../src/core/fs.js'
import { HEADER_BYTES, fileSource, validateIndex, validateIndexFile } from '../../../src/core/store/index-header.js'
import { openStore } from '../../../src/core/store/index.js'
import { chunk, makeTempDir, randomVector, removeDir, seededRandom } from './support.js'

// 4 KiB vectors: 400 points span two chunks of level-0 records.
const DIM = 1024
const M = 8
const SIZE_PER_ELEMENT = 2 * M * 4 + 4 + DIM * 4 + 8
const COUNT = 400
let root: string
let indexFile: string

beforeAll(async () => {
  root = await makeTempDir()
  const dir = path.join(root, 'store')
  const store = await openStore({ dir, dimension: DIM, m: M, efConstruction: 32, initialCapacity: 512, appendLog: false })
  const random = seededRandom(5)
  await store.add(Array.from({ length: COUNT }, (_, i) => chunk(`d${i % 20}`, i, randomVector(random, DIM))))
  await store.deleteDocument('d7')
  await store.close()
  indexFile = path.join(dir, 'hnswlib.index')
})
afterAll(() => removeDir(root))

const expected = { dimension: DIM, capacity: 512 }
const validateFromFile = (file: string) => withFileReaderSync(file, (stats, readAt) => validateIndex(fileSource(stats.size, readAt), expected))

describe('validating an index from its file in chunks', () => {
  it('finds what a whole-buffer validation finds', async () => {
    expect(COUNT * SIZE_PER_ELEMENT).toBeGreaterThan(1 << 20)
    const whole = validateIndexFile(await readFile(indexFile), expected)
    expect(validateFromFile(indexFile)).toEqual(whole)
    expect(whole.deletedCount).toBe(COUNT / 20)
  })

  it('refuses a crafted neighbor id in a record past the first chunk', async () => {
    const bytes = Buffer.from(await readFile(indexFile))
    const point = COUNT - 3
    const record = HEADER_BYTES + point * SIZE_PER_ELEMENT
    bytes.writeUInt32LE(Math.max(1, bytes.readUInt32LE(record) & 0xffff), record)
    bytes.writeUInt32LE(10_000_000, record + 4)
    const damaged = path.join(root, 'damaged.index')
    await writeFile(damaged, bytes)
    expect(() => validateFromFile(damaged)).toThrow(CorruptStoreError)
    expect(() => validateFromFile(damaged)).toThrow(new RegExp(`point ${point}: level-0 neighbor 10000000`))
  })

  it('refuses a file that ends before its size said (cut while being read)', () => {
    const size = COUNT * SIZE_PER_ELEMENT
    const cutShort = () =>
      withFileReaderSync(indexFile, (stats, readAt) =>
        validateIndex(fileSource(stats.size, (buffer, length, position) => (position > size / 2 ? 0 : readAt(buffer, length, position))), expected))
    expect(cutShort).toThrow(CorruptStoreError)
    expect(cutShort).toThrow(/changed while it was being read/)
  })
})
