/** Shared by the store tests: temp dirs, seeded vectors, chunk factories. */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import type { ChunkInput } from '../../../src/core/store/types.js'

export const makeTempDir = (prefix = 'bento-store-'): Promise<string> => mkdtemp(path.join(os.tmpdir(), prefix))
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true })

/** A fresh temp `root` per test, with `dir` = `<root>/store` (not created), removed after the test. */
export const useStoreDir = (): { root: string; dir: string } => {
  const paths = { root: '', dir: '' }
  beforeEach(async () => {
    paths.root = await makeTempDir()
    paths.dir = path.join(paths.root, 'store')
  })
  afterEach(() => removeDir(paths.root))
  return paths
}

/** Deterministic pseudo-random numbers (tests must be repeatable). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

export const randomVector = (random: () => number, dimension: number): Float32Array => {
  const vector = new Float32Array(dimension)
  for (let i = 0; i < dimension; i++) vector[i] = random() * 2 - 1
  return vector
}

export const chunk = (documentId: string, chunkIndex: number, vector: ArrayLike<number>, extra: Partial<ChunkInput> = {}): ChunkInput => ({
  documentId,
  title: `Title of ${documentId}`,
  text: `text ${documentId}#${chunkIndex}`,
  chunkIndex,
  vector,
  ...extra,
})

/** A unit vector along axis `i`: the nearest neighbour of itself, far from the other axes. */
export const axis = (dimension: number, i: number, scale = 1): number[] => Array.from({ length: dimension }, (_, j) => (j === i ? scale : 0))
