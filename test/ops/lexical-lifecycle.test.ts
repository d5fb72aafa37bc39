/**
 * The lexical index through a scope's whole life, in both of its stores: memory is
 * searched in hybrid mode after an export and import and after a merge (the memory
 * store's lexical file is built or carried, never lost), and cleanup removes every
 * lexical file with the scope.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { customScope, sessionScope, type Scope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { searchStore } from '../../src/core/search/index.js'
import { LEXICAL_FILE } from '../../src/core/store/index.js'
import { applyCleanup, planCleanup } from '../../src/ops/cleanup.js'
import { exportScopeArchive } from '../../src/ops/export.js'
import { applyImport, planImport } from '../../src/ops/import.js'
import { applyMigrate, planMigrate } from '../../src/ops/migrate.js'
import { useBackendFixtures } from './fixtures.js'

const { freshBackend, backendAt, tempDir } = useBackendFixtures()

/** Memory recall as chat uses it (hybrid, the default), and the same by words only. */
const recall = async (backend: StorageBackend, scope: Scope, query: string) => ({
  hybrid: await searchStore(backend, scope, query, 5, { part: 'memory' }),
  lexical: await searchStore(backend, scope, query, 5, { part: 'memory', mode: 'lexical' }),
})

const lexicalFilesUnder = async (root: string): Promise<string[]> => {
  const found: string[] = []
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.name === LEXICAL_FILE) found.push(path.relative(root, path.join(entry.parentPath, entry.name)))
  }
  return found.sort()
}

describe('the lexical index of memory and of whole scopes', () => {
  it('memory is searched in hybrid mode after an export and an import into another data dir', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    await rememberMemories(source.backend, scope, ['My badge number is ZX-4411', 'I prefer Rust over Go'])
    const file = path.join(await tempDir('bento-archive-'), 'user-1.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })

    const target = backendAt(await tempDir())
    await applyImport(target, await planImport(target, { file }))
    expect(await lexicalFilesUnder(target.layout.root)).toContain(path.join(path.relative(target.layout.root, target.layout.vectorsDir(scope)), 'memory', LEXICAL_FILE))
    const { hybrid, lexical } = await recall(target, scope, 'badge ZX-4411')
    expect(hybrid).toMatchObject({ mode: 'hybrid', lexicalIndex: true, noMatch: false })
    expect(hybrid.hits[0]!.text).toBe('My badge number is ZX-4411')
    expect(hybrid.hits[0]!.bm25).toBeGreaterThan(0)
    expect(lexical.hits.map((hit) => hit.text)).toEqual(['My badge number is ZX-4411'])
  })

  it('memory merged by migrate into a scope that has its own is searched in hybrid mode, both sides found by their words', async () => {
    const { backend } = await freshBackend()
    const from = customScope('from-user')
    const to = customScope('to-user')
    await rememberMemories(backend, from, ['The staging database lives in Oslo'])
    await rememberMemories(backend, to, ['The production database lives in Lima'])
    const result = await applyMigrate(backend, await planMigrate(backend, { from, to }))
    expect(result.mode).toBe('merge')
    const { hybrid, lexical } = await recall(backend, to, 'database oslo lima')
    expect(hybrid).toMatchObject({ mode: 'hybrid', lexicalIndex: true })
    expect(lexical.hits.map((hit) => hit.text).sort()).toEqual(['The production database lives in Lima', 'The staging database lives in Oslo'])
    expect((await recall(backend, to, 'oslo')).hybrid.hits[0]!.text).toBe('The staging database lives in Oslo')
  })

  it('cleanup removes the lexical files of both stores with the scope, and only that scope\'s', async () => {
    const { backend, root, add } = await freshBackend()
    const expired = sessionScope('cd'.repeat(16))
    const kept = customScope('user-kept')
    await add(expired, { 'notes.txt': 'quarterly invoices' })
    await rememberMemories(backend, expired, ['I like tea'])
    await add(kept, { 'notes.txt': 'kept notes' })
    const keptFile = path.join(path.relative(root, backend.layout.vectorsDir(kept)), LEXICAL_FILE)
    expect(await lexicalFilesUnder(root)).toHaveLength(3)
    const plan = await planCleanup(backend, { olderThanMs: 0, now: Date.now() + 365 * 24 * 3600 * 1000 })
    expect(plan.targets.map((target) => target.key)).toEqual([expired.key])
    await applyCleanup(backend, plan)
    expect(await lexicalFilesUnder(root)).toEqual([keptFile])
  })
})
