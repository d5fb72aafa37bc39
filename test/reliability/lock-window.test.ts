/**
 * Fault: a read racing a write on the same scope in one process (a server
 * answering a list while an upload commits) was told `busy` — "being changed by
 * another process" — in the instants when the write's lock dir existed but was
 * not yet (or no longer) counted as held here. Found by the hostile-key run
 * (503 on a list of `lpt1.tar.gz` beside its own POST).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { openBackend } from '../ops/fixtures.js'

const tempDir = useTempDirs()
const open: StorageBackend[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()))
})

describe('fault: in-process lock window', () => {
  it('never answers busy to a read racing a write of the same process', async () => {
    const backend = openBackend(await tempDir())
    open.push(backend)
    const scope = customScope('racer')
    let busy = 0
    for (let i = 0; i < 150; i++) {
      const write = backend.withStore(scope, async (store) => store.stats().live, { write: true })
      // Reads started at several instants of the write's lock acquire and release.
      const reads = Array.from({ length: 4 }, (_, j) =>
        new Promise((resolve) => setTimeout(resolve, j)).then(() => backend.withStore(scope, async (store) => store.stats().live)).catch((error: { code?: string }) => {
          if (error.code === 'busy') busy++
          else throw error
        }))
      await Promise.all([write, ...reads])
    }
    expect(busy).toBe(0)
  })
})
