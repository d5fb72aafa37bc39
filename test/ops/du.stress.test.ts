import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { expectBoundedTopScan, plantUploadScopes, useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

describe('diskUsage at scale', () => {
  it('streams 5,000 scopes with a bounded top list', async () => {
    const root = await tempDir()
    await plantUploadScopes(createLayout(root), 5000)
    const heapBefore = process.memoryUsage().heapUsed
    const started = Date.now()
    await expectBoundedTopScan(backendAt(root), 5000)
    // Bounded: a top-5 scan of 5k scopes keeps no per-scope rows (generous bound for GC noise).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024)
    expect(Date.now() - started).toBeLessThan(120_000)
  })
})
