/**
 * What the contract promises about storage shared by several backends (processes
 * or replicas) and about its accounting: writes to one scope from two backends
 * are serialized and all land; holdings, usage and scopeExists follow writes and
 * deletes; quotas are per scope, seen by every backend, and create no scope.
 */
import { expect, it } from 'vitest'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import { customScope, sharedScope } from '../../../../src/core/keys.js'
import type { ConformanceKit } from './kit.js'

const DOC_1 = `doc_${'1'.repeat(24)}`
const DOC_2 = `doc_${'2'.repeat(24)}`
/** Generous: under load a writer may queue behind all the others; the test asserts order, never time. */
const LOCK_WAIT_MS = 60_000

export const describeSharedStorage = (kit: ConformanceKit): void => {
  it('writes to one scope from two backends on the same storage all land, each on the others\' result', async () => {
    const { backend, reopen } = await kit.open()
    const other = await reopen()
    const scope = customScope('user-both')
    const ids = ['a', 'b', 'c', 'd'].map((letter) => `doc_${letter}`)
    // Each write reads the store's size under the lock and adds to it: a lost or interleaved write shows as a repeated or missing size.
    const seen = await Promise.all(ids.map((id, i) =>
      (i % 2 === 0 ? backend : other).withStore(scope, async (store) => {
        const before = store.stats().live
        await store.add(await kit.chunksOf(id, [`${id} one`, `${id} two`]))
        return before
      }, { write: true, lockWaitMs: LOCK_WAIT_MS }),
    ))
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 2, 4, 6])
    const view = (b: StorageBackend, write: boolean) =>
      b.withStore(scope, async (store) => ({ documents: store.listDocuments().map((doc) => doc.id).sort(), live: store.stats().live }), { write, lockWaitMs: LOCK_WAIT_MS })
    const expected = { documents: ids, live: 8 }
    expect(await view(backend, true)).toEqual(expected)
    expect(await view(other, true)).toEqual(expected)
    expect(await view(await reopen(), false)).toEqual(expected)
  })

  it('holdings, usage and scopeExists follow writes and deletes of documents, memory and uploads', async () => {
    const { backend, reopen } = await kit.open()
    const scope = customScope('user-count')
    expect(await backend.scopeExists(scope)).toBe(false)
    expect(await backend.usage(scope)).toMatchObject({ vectorBytes: 0, uploadBytes: 0, totalBytes: 0 })
    const original = Buffer.from('the kept original of the first document')
    await backend.withStore(scope, async (store) => {
      await backend.uploadFiles(scope).write([{ documentId: DOC_1, fileName: 'first.txt', bytes: original }])
      await store.add([...(await kit.chunksOf(DOC_1, ['first one', 'first two'])), ...(await kit.chunksOf(DOC_2, ['second']))])
    }, { write: true })
    await backend.withStore(scope, async (store) => store.add(await kit.chunksOf('mem_1', ['likes tea'])), { write: true, part: 'memory' })

    const other = await reopen()
    expect(await other.scopeExists(scope)).toBe(true)
    expect(await other.holdings(scope)).toEqual({ documents: 2, memories: 1, uploads: 1, conversations: 0 })
    const full = await other.usage(scope)
    expect(full.uploadBytes).toBeGreaterThanOrEqual(original.length)
    expect(full.vectorBytes).toBeGreaterThan(0)
    expect(full.totalBytes).toBe(full.vectorBytes + full.uploadBytes)

    await backend.withStore(scope, async (store) => {
      expect(await store.deleteDocument(DOC_1)).toBe(2)
      expect(await backend.uploadFiles(scope).remove(DOC_1)).toBe(true)
    }, { write: true })
    const third = await reopen()
    expect(await third.holdings(scope)).toEqual({ documents: 1, memories: 1, uploads: 0, conversations: 0 })
    expect((await third.usage(scope)).uploadBytes).toBe(0)
    expect(await third.withStore(scope, () => third.readUpload(scope, DOC_1))).toBeUndefined()

    await backend.withStore(scope, (store) => store.deleteAll(), { write: true })
    await backend.withStore(scope, (store) => store.deleteAll(), { write: true, part: 'memory' })
    expect(await (await reopen()).holdings(scope)).toEqual({ documents: 0, memories: 0, uploads: 0, conversations: 0 })
    // Another scope was never touched by any of it.
    expect(await backend.scopeExists(customScope('user-other'))).toBe(false)
  })

  it('quotas are per scope, replaced and cleared, seen by every backend on the storage, and create no scope', async () => {
    const { backend, reopen } = await kit.open()
    const other = await reopen()
    const user = customScope('tenant_q:user_1')
    expect(await backend.getQuota(user)).toBeUndefined()
    await backend.setQuota(user, { maxBytes: 5_000_000_000, maxDocuments: 5 })
    await backend.setQuota(sharedScope(), { maxDocuments: 1 })
    expect(await other.getQuota(user)).toEqual({ maxBytes: 5_000_000_000, maxDocuments: 5 })
    expect(await other.getQuota(sharedScope())).toEqual({ maxDocuments: 1 })
    expect(await other.getQuota(customScope('tenant_q:user_2'))).toBeUndefined()
    expect(await backend.scopeExists(user)).toBe(false)
    expect(await kit.keys(other)).toEqual([])
    await other.setQuota(user, { maxDocuments: 7 })
    expect(await backend.getQuota(user)).toEqual({ maxDocuments: 7 })
    await backend.setQuota(user, undefined)
    expect(await other.getQuota(user)).toBeUndefined()
    expect(await other.getQuota(sharedScope())).toEqual({ maxDocuments: 1 })
  })
}
