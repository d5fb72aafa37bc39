/**
 * Conformance of `ScopeMoves` (moving, merging and removing whole scopes) on any
 * backend, through the interface only.
 */
import { expect, it } from 'vitest'
import { customScope, sessionScope } from '../../../../src/core/keys.js'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import type { Scope } from '../../../../src/core/keys.js'
import type { ConformanceKit } from './kit.js'

const DOC_1 = `doc_${'1'.repeat(24)}`
const DOC_2 = `doc_${'2'.repeat(24)}`

export const describeScopeMoves = (kit: ConformanceKit): void => {
  const stored = (backend: StorageBackend, scope: Scope) =>
    backend.withStore(scope, async (store) => (await store.exportChunks()).map((chunk) => [chunk.documentId, chunk.text, [...chunk.vector]]).sort())

  it('moveScope moves a scope into an empty one (copy keeps the source); another backend on the storage sees it', async () => {
    const { backend, reopen } = await kit.open()
    const [from, to, copy] = [customScope('user-1'), customScope('user-2'), customScope('user-3')]
    await kit.write(backend, from, DOC_1, ['alpha one', 'alpha two'])
    const before = await stored(backend, from)
    await backend.withScopesLocked([from, copy], () => backend.moveScope(from, copy, { copy: true }))
    await backend.withScopesLocked([from, to], () => backend.moveScope(from, to, { copy: false }))
    const other = await reopen()
    expect(await other.scopeExists(from)).toBe(false)
    expect(await stored(other, to)).toEqual(before)
    expect(await stored(other, copy)).toEqual(before)
    expect(await backend.storeStats(to, 'documents')).toMatchObject({ live: 2, embedderId: kit.embedder.id })
    expect(await backend.storeStats(to, 'memory')).toBeUndefined()
  })

  it('mergeScope adds stored vectors, never overwrites a clash, and counts an identical document as present', async () => {
    const { backend } = await kit.open()
    const [from, to] = [customScope('user-1'), customScope('user-2')]
    await kit.write(backend, from, DOC_1, ['source text'])
    await kit.write(backend, from, DOC_2, ['same text'])
    await kit.write(backend, to, DOC_1, ['target text'])
    await kit.write(backend, to, DOC_2, ['same text'])
    const counts = await backend.withScopesLocked([from, to], () => backend.mergeScope(from, to, { copy: false }))
    expect(counts).toMatchObject({ documents: 1, vectors: 1, alreadyPresent: 1 })
    expect(counts.renamed).toHaveLength(1)
    expect(await backend.scopeExists(from)).toBe(false)
    const texts = (await stored(backend, to)).map(([id, text]) => `${id}:${text}`)
    expect(texts).toEqual(expect.arrayContaining([`${DOC_1}:target text`, `${counts.renamed[0]!.to}:source text`, `${DOC_2}:same text`]))
    expect(texts).toHaveLength(3)
  })

  it('removeScopes removes, retires sessions, and reports what it left (refused by recheck, already removed)', async () => {
    const { backend } = await kit.open()
    const [gone, kept] = [sessionScope('e'.repeat(32)), customScope('user-kept')]
    await kit.write(backend, gone, DOC_1, ['expired'])
    await kit.write(backend, kept, DOC_1, ['kept'])
    const report = await backend.removeScopes([gone, kept, customScope('never-written')], {
      retireSessions: true,
      recheck: async (scope) => (scope.dir === kept.dir ? { reason: 'active again since planning' } : undefined),
    })
    expect(report.removed.map((scope) => scope.dir)).toEqual([gone.dir])
    expect(report.skipped.map(({ scope, reason }) => [scope.dir, reason]).sort()).toEqual([['never-written', 'already removed'], [kept.dir, 'active again since planning']].sort())
    expect(await backend.scopeExists(gone)).toBe(false)
    expect(await backend.isSessionRetired(gone)).toBe(true)
    expect(await backend.scopeExists(kept)).toBe(true)
    expect(await backend.finishPendingOperations()).toEqual({ completed: [], pending: [] })
  })
}
