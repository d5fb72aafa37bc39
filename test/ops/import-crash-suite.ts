/**
 * A SIGKILL in the middle of `bento import` (a real child process on the
 * compiled `dist/`), then recovery by the next command: the scope is either
 * absent or complete, never partial, and no journal or staging is left.
 * `import-crash.test.ts` runs the named steps; `import-crash.stress.test.ts`
 * also kills at every few fs calls of a whole import.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { createConversation } from '../../src/core/conversations.js'
import { customScope, type Scope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { exportScopeArchive } from '../../src/ops/export.js'
import { recoverPendingOperations } from '../../src/ops/recover.js'
import { ageLocks } from './crash-child.js'
import { LONG_TEXT, snapshotTree, useBackendFixtures } from './fixtures.js'

const DIST = path.resolve('dist')

const runImportChild = (dataDir: string, file: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `
    const { createFsBackend } = await import(${JSON.stringify(`${DIST}/core/backend/index.js`)})
    const { createLocalEmbedder } = await import(${JSON.stringify(`${DIST}/core/embeddings/index.js`)})
    const ops = await import(${JSON.stringify(`${DIST}/ops/index.js`)})
    const backend = createFsBackend({ dataDir: ${JSON.stringify(dataDir)}, embedder: createLocalEmbedder({ dimension: 64 }) })
    await ops.applyImport(backend, await ops.planImport(backend, { file: ${JSON.stringify(file)} }))
    await backend.close()
    console.log('finished')`], { env: { ...process.env, BENTO_TEST_FAULTS: '1', ...env }, encoding: 'utf8', timeout: 60_000 })

const contentsOf = async (backend: StorageBackend, scope: Scope) => ({
  chunks: await backend.withStore(scope, async (store) => (await store.exportChunks()).map((c) => `${c.documentId}#${c.chunkIndex}:${createHash('sha256').update(new Uint8Array(c.vector.buffer, c.vector.byteOffset, c.vector.byteLength)).digest('hex')}`)),
  memories: await backend.withStore(scope, async (store) => store.stats().live, { part: 'memory' }),
  uploads: await snapshotTree(backend.layout.uploadsDir(scope)),
  conversations: (await readdir(backend.layout.conversationsDir(scope)).catch(() => [])).sort(),
})

export const defineImportCrashSuite = (options: { points: string[]; opSweepStep?: number }) => describe('import killed mid-way', () => {
  const { freshBackend, backendAt, tempDir } = useBackendFixtures()
  const scope = customScope('user-1')

  const prepare = async () => {
    const source = await freshBackend()
    await source.add(scope, { 'a.md': LONG_TEXT('alpha'), 'b.txt': 'bravo', 'c.txt': 'charlie' })
    await rememberMemories(source.backend, scope, ['I like Python'])
    await createConversation(source.layout, scope)
    const file = path.join(await tempDir('bento-archive-'), 'a.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })
    return { file, expected: await contentsOf(source.backend, scope) }
  }

  const expectAbsentOrComplete = async (root: string, expected: Awaited<ReturnType<typeof contentsOf>>): Promise<'absent' | 'complete'> => {
    const backend = backendAt(root)
    await ageLocks(backend.layout.locksDir)
    const report = await recoverPendingOperations(backend)
    expect(report.pending).toEqual([])
    expect(await readdir(path.join(root, '.bento', 'journal')).catch(() => [])).toEqual([])
    expect(await readdir(path.join(root, '.bento', 'trash')).catch(() => [])).toEqual([])
    if (!(await backend.scopeExists(scope))) return 'absent'
    expect(await contentsOf(backend, scope)).toEqual(expected)
    return 'complete'
  }

  it.each(options.points.map((point) => [point, point === 'import:after-stage' ? 'absent' : 'complete']))('killed at %s leaves the scope %s', async (point, outcome) => {
    const { file, expected } = await prepare()
    const root = await tempDir()
    const child = runImportChild(root, file, { BENTO_CRASH_AT: point })
    expect(child.signal, child.stderr).toBe('SIGKILL')
    expect(await expectAbsentOrComplete(root, expected)).toBe(outcome)
  })

  if (options.opSweepStep !== undefined) {
    it('killed after any number of fs calls leaves the scope absent or complete', async () => {
      const { file, expected } = await prepare()
      const outcomes = new Set<string>()
      for (let ops = 1; ; ops += options.opSweepStep!) {
        const root = await tempDir()
        const child = runImportChild(root, file, { BENTO_CRASH_AFTER_OPS: String(ops) })
        if (child.signal !== 'SIGKILL') {
          expect(child.stdout, child.stderr).toContain('finished')
          break
        }
        outcomes.add(await expectAbsentOrComplete(root, expected))
      }
      expect(outcomes).toEqual(new Set(['absent', 'complete']))
    })
  }
})
