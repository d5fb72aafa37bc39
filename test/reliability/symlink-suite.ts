/**
 * Attack 2: symlinks. A scope dir that is a link to outside, a file link in
 * uploads, a link inside a store, and — the race — a scope or document dir
 * swapped for a link between listing and deleting, at each fs call of the
 * operation. cleanup, migrate, du and inspect must never read, change or delete
 * through one: the link oracle sees every fs call, the sentinel (a real Bento
 * scope outside the data dir) must stay byte-identical, and no result may
 * mention its content.
 */
import { cp, mkdir, rename, symlink, truncate, writeFile } from 'node:fs/promises'
import { renameSync, symlinkSync, lstatSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { isBentoError } from '../../src/core/errors.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope, sessionScope, type Scope } from '../../src/core/keys.js'
import { createLayout, type Layout } from '../../src/core/layout.js'
import { applyCleanup, applyMigrate, diskUsage, inspectScope, planCleanup, planMigrate } from '../../src/ops/index.js'
import { addTexts } from '../ops/fixtures.js'
import { createArena, snapshotTree, type Arena } from './support/arena.js'
import { record } from './support/figures.js'
import { watchLinks } from './support/link-oracle.js'

const embedder = createLocalEmbedder({ dimension: 32 })
const VICTIM = sessionScope('5'.repeat(32))
const DEST = customScope('dest-user')
const FULL = customScope('full-user')
const TWIN = customScope('twin')
const OLD = new Date(Date.now() - 48 * 3600_000)

export type Operation = 'cleanup' | 'migrate-rename' | 'migrate-merge' | 'du' | 'inspect'
export const OPERATIONS: Operation[] = ['cleanup', 'migrate-rename', 'migrate-merge', 'du', 'inspect']
type SwapTarget = 'vectors' | 'uploads' | 'document'
const SWAP_TARGETS: SwapTarget[] = ['vectors', 'uploads', 'document']

const runOperation = async (backend: StorageBackend, operation: Operation): Promise<unknown> => {
  switch (operation) {
    case 'cleanup':
      return applyCleanup(backend, await planCleanup(backend, { olderThanMs: 3600_000, kinds: ['session', 'custom'] }))
    case 'migrate-rename':
      return applyMigrate(backend, await planMigrate(backend, { from: VICTIM, to: DEST }))
    case 'migrate-merge':
      return applyMigrate(backend, await planMigrate(backend, { from: VICTIM, to: FULL }))
    case 'du':
      return diskUsage(backend)
    case 'inspect':
      return inspectScope(backend, VICTIM, { verify: true })
  }
}

export interface SymlinkSuiteOptions {
  name: string
  /** Sweep every n-th fs call of each operation (1 = every call). */
  stride: number
  /** Per-operation timeout of the swap sweep; the project's default when absent. */
  sweepTimeoutMs?: number
}

export const defineSymlinkSuite = (options: SymlinkSuiteOptions): void => {
  let arena: Arena
  let template: string
  let twin: { vectors: string; uploads: string; document: string }
  let sentinelBefore: Record<string, string>
  let cases = 0
  let racedReads = 0
  let leakedResults = 0
  const readSamples = new Set<string>()
  const callCounts: Record<string, number> = {}
  let caseNo = 0

  beforeAll(async () => {
    arena = await createArena('bento-links-')
    // The sentinel: a real scope (store, docstore, upload) outside the data dir, plus a big sparse file.
    const twinData = path.join(arena.sentinel, 'twin-data')
    const twinBackend = createFsBackend({ dataDir: twinData, embedder, activityCoalesceMs: 0 })
    const twinIds = await addTexts(twinBackend, TWIN, path.join(arena.base, 'twin-in'), { 'sentinel.txt': 'SENTINEL-DOC outside the data dir' })
    await twinBackend.close()
    const twinLayout = createLayout(twinData)
    twin = { vectors: twinLayout.vectorsDir(TWIN), uploads: twinLayout.uploadsDir(TWIN), document: path.join(twinLayout.uploadsDir(TWIN), twinIds['sentinel.txt']!) }
    await writeFile(path.join(twin.document, 'big.bin'), '')
    await truncate(path.join(twin.document, 'big.bin'), 7_777_777)

    // The template every case copies: a stale session with two documents, an existing full target.
    template = path.join(arena.base, 'template')
    const backend = createFsBackend({ dataDir: template, embedder, activityCoalesceMs: 0 })
    await addTexts(backend, VICTIM, path.join(arena.base, 'victim-in'), { 'a.txt': 'alpha victim text', 'b.md': '# bravo\n\nvictim notes' })
    await addTexts(backend, FULL, path.join(arena.base, 'full-in'), { 'c.txt': 'charlie already here' })
    await backend.close()
    const layout = createLayout(template)
    const at = OLD.toISOString()
    for (const scope of [VICTIM, FULL]) await writeFile(layout.activityFile(scope), JSON.stringify({ createdAt: at, lastActiveAt: at }))
    sentinelBefore = await snapshotTree(arena.sentinel)
  })

  afterAll(async () => {
    await record(options.name, { cases, callCounts, racedReads, leakedResults, readSamples: [...readSamples].slice(0, 20) })
    await arena?.dispose()
  })

  const freshDataDir = async (): Promise<{ dataDir: string; layout: Layout; backend: StorageBackend }> => {
    const dataDir = path.join(arena.dataDir, `case-${caseNo++}`)
    await cp(template, dataDir, { recursive: true, verbatimSymlinks: true })
    return { dataDir, layout: createLayout(dataDir), backend: createFsBackend({ dataDir, embedder, activityCoalesceMs: 0 }) }
  }

  const documentDir = (layout: Layout, scope: Scope): string => {
    const uploads = layout.uploadsDir(scope)
    return path.join(uploads, readdirSync(uploads).sort()[0]!)
  }

  /** Runs the operation, then checks the three proofs. Returns how many fs calls it made. */
  const attack = async (operation: Operation, plant: (layout: Layout) => Promise<void>, swap?: { at: number; target: SwapTarget }): Promise<number> => {
    const { dataDir, layout, backend } = await freshDataDir()
    await plant(layout)
    let swapped = false
    const oracle = watchLinks(dataDir, swap && ((_op, _target, n) => {
      if (n !== swap.at || swapped) return
      const dir = swap.target === 'document' ? documentDir(layout, VICTIM) : layout.scopeDir(swap.target, VICTIM)
      if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) return
      renameSync(dir, `${dir}-aside`)
      symlinkSync(twin[swap.target], dir)
      swapped = true
    }))
    let outcome: unknown
    try {
      outcome = await runOperation(backend, operation)
    } catch (error) {
      // Ops let a raw errno error through; the CLI and the server wrap it as io_error at their boundary.
      const errno = error as NodeJS.ErrnoException
      expect(isBentoError(error) || (typeof errno.code === 'string' && typeof errno.syscall === 'string'), `${operation} threw: ${String(error)}`).toBe(true)
      outcome = { error: (error as Error).message }
    } finally {
      oracle.stop()
      await backend.close().catch(() => {})
    }
    cases++
    const what = `${operation}${swap ? ` with ${swap.target} swapped at fs call ${swap.at}` : ''}`
    expect(oracle.violations, what).toEqual([])
    // A link planted before the operation is never even read through; one swapped in mid-operation
    // can be read through (metadata) in the instant between a check and a path-based call (see RELIABILITY.md).
    if (swap === undefined) expect(oracle.reads, what).toEqual([])
    else if (oracle.reads.length > 0) {
      racedReads++
      readSamples.add(oracle.reads[0]!.replace(/session-5+/g, '<victim>').replace(/doc_[0-9a-f]{24}/g, '<doc>'))
    }
    const leaked = /SENTINEL|7777777/.test(JSON.stringify(outcome))
    if (swap === undefined) expect(leaked, what).toBe(false)
    else if (leaked) leakedResults++
    expect(await snapshotTree(arena.sentinel), what).toEqual(sentinelBefore)
    return oracle.calls
  }

  describe('attack: symlinks planted in the data dir', () => {
    const plants: Record<string, (layout: Layout) => Promise<void>> = {
      'a scope dir that is a link to outside': async (layout) => {
        for (const tree of ['vectors', 'uploads'] as const) {
          const dir = layout.scopeDir(tree, VICTIM)
          await rename(dir, `${dir}-aside`)
          await symlink(twin[tree], dir)
        }
      },
      'a file link in uploads': async (layout) => {
        await symlink(path.join(twin.document, 'sentinel.txt'), path.join(documentDir(layout, VICTIM), 'linked.txt'))
      },
      'a dir link in uploads': async (layout) => {
        await symlink(twin.document, path.join(layout.uploadsDir(VICTIM), 'doc_000000000000000000000000'))
      },
      'a link as the store manifest and docstore': async (layout) => {
        for (const file of ['docstore.json', 'bento.json']) {
          const target = path.join(layout.vectorsDir(VICTIM), file)
          await rename(target, `${target}-aside`)
          await symlink(path.join(twin.vectors, file), target)
        }
      },
      'a link as the activity file': async (layout) => {
        await rename(layout.activityFile(VICTIM), `${layout.activityFile(VICTIM)}-aside`)
        await mkdir(path.join(arena.base, 'fake-activity'), { recursive: true })
        await symlink(path.join(twin.vectors, 'activity.json'), layout.activityFile(VICTIM))
      },
    }
    for (const [plant, setup] of Object.entries(plants)) {
      it.each(OPERATIONS)(`${plant}: %s never follows it`, async (operation) => {
        await attack(operation, setup)
      })
    }
  })

  describe('attack: a dir swapped for a link between listing and acting', () => {
    it.each(OPERATIONS)('%s, at every fs call, never reads or deletes through the swapped link', async (operation) => {
      const total = await attack(operation, async () => {})
      callCounts[operation] = total
      expect(total).toBeGreaterThan(5)
      for (const target of SWAP_TARGETS) {
        for (let at = 1; at <= total; at += options.stride) await attack(operation, async () => {}, { at, target })
      }
    }, options.sweepTimeoutMs)
  })
}
