import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { createLayout } from '../../src/core/layout.js'
import { diskUsage } from '../../src/ops/du.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { openBackend } from './fixtures.js'

const tempDir = useTempDirs()
const open: StorageBackend[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()))
})

const backendAt = (root: string) => {
  const backend = openBackend(root)
  open.push(backend)
  return backend
}

describe('diskUsage at scale', () => {
  it('streams 5,000 scopes with a bounded top list', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    await mkdir(layout.isolatedDir('uploads'), { recursive: true })
    const count = 5000
    // Sync calls: no promise queueing on libuv's 4 threads while building the fixture.
    for (let i = 0; i < count; i++) {
      const dir = path.join(layout.isolatedDir('uploads'), `user-${i}`)
      mkdirSync(dir)
      writeFileSync(path.join(dir, 'f'), Buffer.alloc(i % 97))
    }
    const heapBefore = process.memoryUsage().heapUsed
    const progress: number[] = []
    const started = Date.now()
    const result = await diskUsage(backendAt(root), { top: 5, onProgress: (p) => progress.push(p.done) })
    expect(result.scopeCount).toBe(count)
    expect(result.scopes).toHaveLength(5)
    expect(result.scopes.every((row) => row.totalBytes === 96)).toBe(true)
    expect(result.totalBytes).toBe(Array.from({ length: count }, (_, i) => i % 97).reduce((a, b) => a + b, 0))
    expect(progress.at(-1)).toBe(count)
    // Bounded: a top-5 scan of 5k scopes keeps no per-scope rows (generous bound for GC noise).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024)
    expect(Date.now() - started).toBeLessThan(120_000)
  })

})
