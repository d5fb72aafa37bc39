import { cp, mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../../src/core/backend/index.js'
import type { StorageBackend } from '../../../src/core/backend/types.js'
import { createLocalEmbedder } from '../../../src/core/embeddings/index.js'
import { setFaultInjector } from '../../../src/core/faults.js'
import { beginIntent, endIntent, releaseIntent } from '../../../src/core/journal.js'
import { customScope, sessionScope, sharedScope } from '../../../src/core/keys.js'
import { measureTree } from '../../../src/core/scan.js'
import { recyclerCounts } from '../../../src/core/store/index-recycler.js'
import { useTempDirs } from '../../helpers/temp-dir.js'

const tempDir = useTempDirs()
const open: StorageBackend[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()))
})

const make = (dataDir: string, dimension = 64, readFreshnessMs?: number) => {
  const backend = createFsBackend({ dataDir, embedder: createLocalEmbedder({ dimension }), activityCoalesceMs: 0, readFreshnessMs })
  open.push(backend)
  return backend
}

const addText = async (backend: StorageBackend, scope: ReturnType<typeof customScope>, documentId: string, text: string) => {
  const [vector] = await backend.embedder.embed([text])
  await backend.withStore(scope, (store) => store.add([{ documentId, title: documentId, text, chunkIndex: 0, vector: vector! }]), { write: true })
}

describe('createFsBackend', () => {
  it('creates a scope on the first write only, and persists it for the next process', async () => {
    const root = await tempDir()
    const backend = make(root)
    const scope = customScope('user-1')
    expect(await backend.withStore(scope, async (store) => store.stats().live)).toBe(0)
    expect(await backend.scopeExists(scope)).toBe(false) // a read creates nothing
    await addText(backend, scope, 'doc_1', 'hello world')
    expect(await backend.scopeExists(scope)).toBe(true)
    expect(await backend.lastActiveAt(scope)).toBeInstanceOf(Date)
    await backend.close()
    const again = make(root)
    expect(await again.withStore(scope, async (store) => store.listDocuments().map((d) => d.id))).toEqual(['doc_1'])
    const activity = JSON.parse(await readFile(again.layout.activityFile(scope), 'utf8')) as Record<string, string>
    expect(Object.keys(activity).sort()).toEqual(['createdAt', 'lastActiveAt'])
  })

  it('refuses a symlinked scope and never writes through it', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const backend = make(root)
    await mkdir(backend.layout.isolatedDir('vectors'), { recursive: true })
    await symlink(outside, path.join(backend.layout.isolatedDir('vectors'), 'evil'))
    const evil = customScope('evil')
    await expect(backend.withStore(evil, async () => 'read')).rejects.toMatchObject({ code: 'unsafe_path' })
    await expect(addText(backend, evil, 'doc_1', 'x')).rejects.toMatchObject({ code: 'unsafe_path' })
    expect(await readdir(outside)).toEqual([])
    const skipped: string[] = []
    const listed: string[] = []
    for await (const scope of backend.listScopes({ onSkip: (skip) => skipped.push(skip.reason) })) listed.push(scope.key)
    expect(listed).toEqual([])
    expect(skipped).toEqual(['symlink'])
  })

  it('answers busy to reads of a scope locked elsewhere, and locked to writes after waiting', async () => {
    const backend = make(await tempDir())
    const scope = customScope('user-1')
    await mkdir(`${backend.layout.lockTarget(scope)}.lock`, { recursive: true })
    await expect(backend.withStore(scope, async () => 'read')).rejects.toMatchObject({ code: 'busy' })
    const started = Date.now()
    await expect(backend.withStore(scope, async () => 'write', { write: true, lockWaitMs: 300 })).rejects.toMatchObject({ code: 'locked' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(100) // it retried rather than failing at once
  })

  it('answers busy while a journaled operation involves the scope', async () => {
    const backend = make(await tempDir())
    const scope = customScope('user-1')
    const intent = await beginIntent(backend.layout, { op: 'cleanup', scopes: [scope], phase: 'start', data: {} })
    await expect(backend.withStore(scope, async () => 'read')).rejects.toMatchObject({ code: 'busy' })
    expect(await backend.withStore(scope, async () => 'holder', { lockHeld: true })).toBe('holder')
    expect(await backend.withStore(customScope('other'), async () => 'other')).toBe('other')
    releaseIntent(intent)
    await endIntent(backend.layout, intent)
    expect(await backend.withStore(scope, async () => 'read')).toBe('read')
  })

  it('keeps the embedder: a store built with another dimension refuses adds and searches', async () => {
    const root = await tempDir()
    const scope = customScope('user-1')
    const first = make(root, 64)
    await addText(first, scope, 'doc_1', 'hello world')
    await first.close()
    const second = make(root, 32)
    await expect(addText(second, scope, 'doc_2', 'other')).rejects.toMatchObject({ code: 'embedder_mismatch' })
    const [vector] = await second.embedder.embed(['hello'])
    await expect(second.withStore(scope, (store) => store.search(vector!, 1))).rejects.toMatchObject({ code: 'embedder_mismatch' })
  })

  it('sees changes made by another process (a stale open store is reloaded)', async () => {
    const root = await tempDir()
    const scope = sharedScope()
    const server = make(root)
    const cli = make(root)
    await addText(server, scope, 'doc_1', 'first')
    expect(await server.withStore(scope, async (store) => store.stats().live)).toBe(1)
    await addText(cli, scope, 'doc_2', 'second')
    expect(await server.withStore(scope, async (store) => store.listDocuments().map((d) => d.id).sort())).toEqual(['doc_1', 'doc_2'])
  })

  it('tracks in-use scopes, keeps memory in its own store, and measures usage like measureTree', async () => {
    const backend = make(await tempDir())
    const scope = sessionScope('f'.repeat(32))
    await addText(backend, scope, 'doc_1', 'hello world')
    await backend.withStore(scope, async (store) => {
      expect(backend.isInUse(scope)).toBe(true)
      expect(store.stats().live).toBe(0)
    }, { part: 'memory' })
    expect(backend.isInUse(scope)).toBe(false)
    await mkdir(path.join(backend.layout.uploadsDir(scope), 'doc_1'), { recursive: true })
    await writeFile(path.join(backend.layout.uploadsDir(scope), 'doc_1', 'a.txt'), 'abc')
    const usage = await backend.usage(scope)
    const vectors = await measureTree(backend.layout.vectorsDir(scope))
    expect(usage).toMatchObject({ vectorBytes: vectors.bytes, uploadBytes: 3, totalBytes: vectors.bytes + 3, files: vectors.files + 1 })
    const listed: string[] = []
    for await (const s of backend.listScopes({ kinds: ['session'] })) listed.push(s.dir)
    expect(listed).toEqual([scope.dir])
  })
})

describe('createFsBackend read path', () => {
  /** fs facade calls made by `run` (proper-lockfile's own stat of a lock dir is not among them). */
  const countCalls = async (run: () => Promise<unknown>): Promise<string[]> => {
    const calls: string[] = []
    setFaultInjector((op, target) => {
      calls.push(`${op} ${path.basename(target)}`)
      return undefined
    })
    try {
      await run()
    } finally {
      setFaultInjector(undefined)
    }
    return calls
  }

  it('serves a warm read from memory with no fs call within readFreshnessMs; with 0 it checks every read', async () => {
    const root = await tempDir()
    const scope = customScope('user-1')
    const warm = make(root, 64, 60_000)
    await addText(warm, scope, 'doc_1', 'hello world')
    const read = (backend: StorageBackend) => backend.withStore(scope, async (store) => store.stats().live)
    expect(await read(warm)).toBe(1)
    expect(await warm.scopeExists(scope)).toBe(true)
    expect(await countCalls(async () => {
      for (let i = 0; i < 20; i++) {
        expect(await read(warm)).toBe(1)
        expect(await warm.scopeExists(scope)).toBe(true)
      }
    })).toEqual([])

    const strict = make(root, 64, 0)
    expect(await read(strict)).toBe(1)
    const calls = await countCalls(() => read(strict))
    expect(calls).toEqual(expect.arrayContaining(['lstat journal', 'lstat bento.json', 'lstat commit.journal']))
    expect(calls.length).toBeLessThanOrEqual(4)
  })

  it('refuses a warm scope whose dir was swapped for a symlink, once readFreshnessMs has passed', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const backend = make(root, 64, 40)
    const scope = customScope('user-1')
    await addText(backend, scope, 'doc_1', 'hello world')
    expect(await backend.withStore(scope, async (store) => store.stats().live)).toBe(1)
    const dir = backend.layout.vectorsDir(scope)
    await cp(dir, path.join(outside, 'copy'), { recursive: true })
    await rename(dir, `${dir}-aside`)
    await symlink(path.join(outside, 'copy'), dir)
    await new Promise((resolve) => setTimeout(resolve, 60))
    await expect(backend.withStore(scope, async (store) => store.stats().live)).rejects.toMatchObject({ code: 'unsafe_path' })
  })

  it('answers busy once readFreshnessMs has passed after another process locks or journals the scope', async () => {
    const root = await tempDir()
    const backend = make(root, 64, 40)
    const [locked, journaled] = [customScope('locked-user'), customScope('journaled-user')]
    for (const scope of [locked, journaled]) await addText(backend, scope, 'doc_1', 'hello world')
    for (const scope of [locked, journaled]) expect(await backend.withStore(scope, async () => 'read')).toBe('read')
    // What another process's migrate leaves: its lock dir, and its intent file.
    await mkdir(`${backend.layout.lockTarget(locked)}.lock`, { recursive: true })
    const intent = { id: 'op-abc-0123456789ab', op: 'migrate', scopes: [{ kind: journaled.kind, key: journaled.key, dir: journaled.dir }], phase: 'start', pid: 1, host: 'elsewhere', createdAt: new Date().toISOString(), data: {} }
    await mkdir(backend.layout.journalDir, { recursive: true })
    await writeFile(path.join(backend.layout.journalDir, `${intent.id}.json`), JSON.stringify(intent))
    await new Promise((resolve) => setTimeout(resolve, 60))
    await expect(backend.withStore(locked, async () => 'read')).rejects.toMatchObject({ code: 'busy' })
    await expect(backend.withStore(journaled, async () => 'read')).rejects.toMatchObject({ code: 'busy' })
  })

  it('keeps the native index objects of 3× cap scopes within the pool cap, dropping none when a burst of stores closes (cap 12 > the default free list)', async () => {
    const root = await tempDir()
    const cap = 12
    // A dimension no other test uses: this shape's free list starts empty.
    // exactSearchMaxPoints 0: these one-chunk stores load hnswlib as large ones do.
    const backend = createFsBackend({ dataDir: root, embedder: createLocalEmbedder({ dimension: 48 }), activityCoalesceMs: 0, maxOpenStores: cap, exactSearchMaxPoints: 0 })
    open.push(backend)
    const keys = Array.from({ length: 3 * cap }, (_, i) => `user-${i}`)
    await addText(backend, customScope(keys[0]!), 'doc_1', 'the store commits its index')
    for (const key of keys.slice(1)) await cp(backend.layout.vectorsDir(customScope(keys[0]!)), backend.layout.vectorsDir(customScope(key)), { recursive: true })
    const before = recyclerCounts()
    const [query] = await backend.embedder.embed(['index'])
    let next = 0
    const worker = async () => {
      for (let i = next++; i < 2 * keys.length; i = next++) {
        const hits = await backend.withStore(customScope(keys[i % keys.length]!), (store) => store.search(query!, 1))
        expect(hits.map((hit) => hit.documentId)).toEqual(['doc_1'])
      }
    }
    await Promise.all(Array.from({ length: cap }, worker))
    await backend.close() // closes all `cap` stores at once: more than the default free list of 8
    const after = recyclerCounts()
    expect(after.dropped - before.dropped).toBe(0)
    // Open stores, plus evictions still closing for each concurrent open.
    expect(after.created - before.created).toBeLessThanOrEqual(2 * cap)
    expect(after.reused - before.reused).toBeGreaterThan(0)
  })
})

describe('createFsBackend compaction', () => {
  const bulk = async (backend: StorageBackend, count: number) =>
    (await backend.embedder.embed(Array.from({ length: count }, (_, i) => `passage number ${i} about topic ${i % 17}`))).map((vector, i) => ({
      documentId: `doc_bulk${i}`, title: `bulk ${i}`, text: `passage number ${i}`, chunkIndex: 0, vector,
    }))

  it('compact(scope) folds the commit log and drops deleted chunks, and reports both', async () => {
    const root = await tempDir()
    const backend = make(root)
    const scope = customScope('user-1')
    await addText(backend, scope, 'doc_1', 'first')
    await addText(backend, scope, 'doc_2', 'second')
    await backend.withStore(scope, (store) => store.deleteDocument('doc_1'), { write: true })
    const [documents] = await backend.compact(scope)
    expect(documents).toMatchObject({ part: 'documents', before: { live: 1, deleted: 1, logRecords: 2 }, after: { live: 1, deleted: 0, logRecords: 0, logBytes: 0 } })
    expect(await readdir(backend.layout.vectorsDir(scope))).not.toContain('bento-log.bin')
    expect(await backend.compact(customScope('nobody'))).toEqual([])
  })

  it('a write that makes the log due compacts it in the background, under the lock, and close() waits for it', async () => {
    const root = await tempDir()
    const backend = make(root, 16)
    const scope = customScope('user-1')
    await addText(backend, scope, 'doc_1', 'first')
    const chunks = await bulk(backend, 300)
    const due = await backend.withStore(scope, async (store) => {
      await store.add(chunks)
      return store.logStats().due
    }, { write: true })
    expect(due).toBe(true)
    await backend.close()
    const next = make(root, 16)
    expect(await next.withStore(scope, async (store) => [store.logStats().records, store.stats().live])).toEqual([0, 301])
  })

  it('a write right after one that made the log due waits for the background compaction instead of failing "locked"', async () => {
    const root = await tempDir()
    const backend = make(root, 16)
    const scope = customScope('user-1')
    await addText(backend, scope, 'doc_1', 'first')
    const chunks = await bulk(backend, 300)
    await backend.withStore(scope, (store) => store.add(chunks), { write: true })
    // No lock wait at all: only this process's own compaction could hold the lock.
    const [vector] = await backend.embedder.embed(['second'])
    const add = () => backend.withStore(scope, (store) => store.add([{ documentId: 'doc_2', title: 'doc_2', text: 'second', chunkIndex: 0, vector: vector! }]), { write: true, lockWaitMs: 0 })
    await expect(add()).resolves.toBeUndefined()
    expect(await backend.withStore(scope, async (store) => [store.logStats().added, store.stats().live])).toEqual([1, 302])
  })
})

describe('quotas (getQuota / setQuota)', () => {
  it('keeps a quota per scope outside the scope, across processes, and clears it', async () => {
    const root = await tempDir()
    const backend = make(root)
    const user = customScope('tenant_a:user_1')
    expect(await backend.getQuota(user)).toBeUndefined()
    await backend.setQuota(user, { maxBytes: 1000, maxDocuments: 5 })
    await backend.setQuota(sharedScope(), { maxDocuments: 1 })
    // Operator state, not scope data: setting a quota creates no scope.
    expect(await backend.scopeExists(user)).toBe(false)
    expect(await make(root).getQuota(user)).toEqual({ maxBytes: 1000, maxDocuments: 5 })
    expect(await backend.getQuota(customScope('tenant_a:user_2'))).toBeUndefined()
    expect(await backend.getQuota(sharedScope())).toEqual({ maxDocuments: 1 })
    await backend.setQuota(user, undefined)
    expect(await backend.getQuota(user)).toBeUndefined()
    await backend.setQuota(user, undefined) // clearing twice is fine
  })

  it('reports a damaged quota file as corrupt rather than lifting the limit', async () => {
    const root = await tempDir()
    const backend = make(root)
    const user = customScope('user-1')
    await backend.setQuota(user, { maxDocuments: 2 })
    const dir = path.join(root, '.bento', 'quotas')
    const [file] = await readdir(dir)
    await writeFile(path.join(dir, file!), '{"maxDocuments": -1}')
    await expect(backend.getQuota(user)).rejects.toMatchObject({ code: 'corrupt_store' })
    await writeFile(path.join(dir, file!), 'not json')
    await expect(backend.getQuota(user)).rejects.toMatchObject({ code: 'corrupt_store' })
  })
})
