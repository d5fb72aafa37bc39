/**
 * The storage contract's behavioural tests, run on any `StorageBackend`.
 *
 * Use: in a test file of the default suite,
 *
 *   import { describeBackendConformance } from './conformance/describe-backend-conformance.js'
 *   describeBackendConformance('fs', {
 *     create: async ({ embedder, now }) => {
 *       const dir = await mkdtemp(...)
 *       const backend = createFsBackend({ dataDir: dir, embedder, now })
 *       return { backend, reopen: () => createFsBackend({ dataDir: dir, embedder, now }), destroy: () => rm(dir, …) }
 *     },
 *     lockElsewhere: async (backend, scope) => …,   // optional: hold the scope's lock from another process
 *   })
 *
 * `create` gives a backend on fresh, empty storage (a temp data dir, a fresh
 * database or schema) built with the options given (an embedder, and a clock);
 * `reopen` a second backend on the same storage (what another process or replica
 * sees); `destroy` removes the storage. The suite closes every backend it was
 * given. Keep each test small: the default suite must stay under 6 minutes.
 * Everything is reached through the interface only (no paths), so a backend
 * passes or fails on behaviour.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/index.js'
import type { Embedder } from '../../../../src/core/embeddings/types.js'
import { customScope, sessionScope, sharedScope, type Scope } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'
import { describeConversationConformance } from './conversations.js'
import type { ConformanceKit } from './kit.js'
import { describeScopeMoves } from './scope-moves.js'
import { describeSharedStorage } from './shared-storage.js'
import { describeScopeReports } from './scope-reports.js'
import { describeReindex } from './reindex.js'

export interface ConformanceStorage {
  backend: StorageBackend
  /** A second backend on the same storage (another process's or replica's view). */
  reopen(): Promise<StorageBackend> | StorageBackend
  /** Removes the storage (after every backend on it was closed). */
  destroy(): Promise<void>
}

export interface ConformanceTarget {
  create(options: { embedder: Embedder; now: () => number; activityCoalesceMs?: number }): Promise<ConformanceStorage>
  /** Holds the scope's lock from another process (or replica) until the returned function is called. */
  lockElsewhere?: (storage: ConformanceStorage, scope: Scope) => Promise<() => Promise<void>>
  /** Reads wait for the lock holder's transaction to end (PGlite: one session), so none is tried while it is held. */
  readsWaitForWriters?: boolean
}

const DIMENSION = 16
/** Document ids as the ingest pipeline makes them (uploads are keyed by them). */
const DOC_1 = `doc_${'1'.repeat(24)}`
const DOC_2 = `doc_${'2'.repeat(24)}`
const T0 = Date.parse('2026-03-01T12:00:00Z')

export const describeBackendConformance = (name: string, target: ConformanceTarget): void => {
  describe(`StorageBackend conformance: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })
    const embedder = createLocalEmbedder({ dimension: DIMENSION })
    let clock = T0

    const open = async (options: { activityCoalesceMs?: number } = {}) => {
      clock = T0
      const storage = await target.create({ embedder, now: () => clock, ...options })
      cleanups.push(() => storage.destroy())
      cleanups.push(() => storage.backend.close())
      const reopen = async () => {
        const other = await storage.reopen()
        cleanups.push(() => other.close())
        return other
      }
      return { storage, backend: storage.backend, reopen }
    }

    const chunksOf = async (documentId: string, texts: string[]): Promise<ChunkInput[]> => {
      const vectors = await embedder.embed(texts)
      return texts.map((text, chunkIndex) => ({ documentId, title: `${documentId}.txt`, text, chunkIndex, vector: vectors[chunkIndex]!, metadata: { source: `${documentId}.txt` } }))
    }

    const write = (backend: StorageBackend, scope: Scope, documentId: string, texts: string[]) =>
      backend.withStore(scope, async (store) => store.add(await chunksOf(documentId, texts)), { write: true })

    const keys = async (backend: StorageBackend, kinds?: Array<'shared' | 'session' | 'custom'>) => {
      const found: string[] = []
      for await (const scope of backend.listScopes(kinds ? { kinds } : {})) found.push(`${scope.kind}:${scope.key}`)
      return found.sort()
    }

    // Each area's conformance tests live in their own file beside this one, registered here.
    const kit: ConformanceKit = { target, embedder, dimension: DIMENSION, t0: T0, setClock: (ms) => (clock = ms), open, chunksOf, write, keys }
    describeSharedStorage(kit)
    describeScopeMoves(kit)

    it('a write is read back, by this backend and by another on the same storage', async () => {
      const { backend, reopen } = await open()
      const user = customScope('user-1')
      await write(backend, user, 'doc_a', ['alpha one', 'alpha two'])
      const read = (b: StorageBackend) => b.withStore(user, async (store) => store.listDocuments().map((doc) => [doc.id, doc.chunks]))
      expect(await read(backend)).toEqual([['doc_a', 2]])
      expect(await read(await reopen())).toEqual([['doc_a', 2]])
      const hits = await backend.withStore(user, async (store) => store.search((await embedder.embed(['alpha two']))[0]!, 1))
      expect(hits[0]).toMatchObject({ documentId: 'doc_a', chunkIndex: 1 })
    })

    it('scopes are listed by kind, exist once written, and stay apart', async () => {
      const { backend } = await open()
      const session = sessionScope('a'.repeat(32))
      expect(await backend.scopeExists(customScope('nobody'))).toBe(false)
      await write(backend, sharedScope(), 'doc_s', ['shared text'])
      await write(backend, customScope('tenant_a:user_1'), 'doc_u', ['user text'])
      await write(backend, session, 'doc_x', ['session text'])
      expect(await keys(backend)).toEqual(['custom:tenant_a:user_1', `session:${'a'.repeat(32)}`, 'shared:shared'])
      expect(await keys(backend, ['session'])).toEqual([`session:${'a'.repeat(32)}`])
      expect(await backend.scopeExists(session)).toBe(true)
      const docs = await backend.withStore(customScope('tenant_a:user_1'), async (store) => store.listDocuments().map((doc) => doc.id))
      expect(docs).toEqual(['doc_u'])
      expect(await backend.holdings(customScope('nobody'))).toEqual({ documents: 0, memories: 0, uploads: 0, conversations: 0 })
    })

    it('import creates a whole scope (uploads, conversations, memory) that export, holdings, readUpload and usage see; a second import is refused', async () => {
      const { backend } = await open()
      const scope = customScope('user-imp')
      const exported = (items: ChunkInput[], metadata: Record<string, unknown>) =>
        items.map((chunk) => ({ documentId: chunk.documentId, title: chunk.title, text: chunk.text, chunkIndex: chunk.chunkIndex, metadata, vector: Float32Array.from(chunk.vector) }))
      const chunks = exported(await chunksOf(DOC_1, ['imported text']), { source: 'a.txt', fileType: 'txt' })
      const memory = exported(await chunksOf('mem_1', ['likes tea']), {})
      const store = (items: typeof chunks) => ({ embedderId: embedder.id, dimension: DIMENSION, space: 'cosine' as const, efSearch: undefined, chunks: items })
      const conversation = { id: `sess_${'c'.repeat(32)}`, userId: scope.key, createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString(), messages: [] }
      const source = (bytes: Buffer) => ({
        createdAt: new Date(T0),
        documents: store(chunks),
        memory: store(memory),
        conversations: [conversation],
        uploads: (async function* () {
          yield { documentId: DOC_1, name: 'a.txt', size: bytes.length, content: (async function* () { yield bytes })() }
        })(),
      })
      await backend.importScope(scope, source(Buffer.from('original bytes')))
      expect(await backend.holdings(scope)).toEqual({ documents: 1, memories: 1, uploads: 1, conversations: 1 })
      const upload = await backend.withStore(scope, () => backend.readUpload(scope, DOC_1))
      expect([upload?.fileName, Buffer.from(upload!.bytes!).toString()]).toEqual(['a.txt', 'original bytes'])
      expect(await backend.readUpload(scope, DOC_2)).toBeUndefined()
      const snapshot = await backend.exportScope(scope, async (snap) => ({
        documents: snap.documents.chunks.map((chunk) => [chunk.documentId, chunk.text, [...chunk.vector]]),
        memory: snap.memory.chunks.map((chunk) => chunk.text),
        uploads: await Promise.all(snap.uploads.map(async (item) => [item.documentId, item.name, (await item.read()).toString()])),
        conversations: snap.conversations.map((item) => item.id),
      }))
      expect(snapshot).toEqual({
        documents: [[DOC_1, 'imported text', [...chunks[0]!.vector]]],
        memory: ['likes tea'],
        uploads: [[DOC_1, 'a.txt', 'original bytes']],
        conversations: [`sess_${'c'.repeat(32)}`],
      })
      const usage = await backend.usage(scope)
      expect(usage.uploadBytes).toBeGreaterThanOrEqual('original bytes'.length)
      expect(usage.totalBytes).toBe(usage.vectorBytes + usage.uploadBytes)
      await expect(backend.importScope(scope, source(Buffer.from('again')))).rejects.toMatchObject({ code: 'conflict' })
    })

    it('activity: a write records it at the injected time, touch is coalesced by the window the backend declares', async () => {
      const { backend, reopen } = await open({ activityCoalesceMs: 60_000 })
      expect(backend.activityWindowMs).toBe(60_000)
      const scope = customScope('user-act')
      await write(backend, scope, 'doc_a', ['activity'])
      expect((await backend.lastActiveAt(scope))?.getTime()).toBe(T0)
      clock = T0 + 90_000
      backend.touch(scope)
      await backend.close() // flushes pending touches
      const other = await reopen()
      expect((await other.lastActiveAt(scope))?.getTime()).toBe(T0 + 90_000)
      expect((await other.createdAt(scope))?.getTime()).toBe(T0)
    })

    it('an in-flight call marks the scope in use here, not locked elsewhere; nothing is pending on fresh storage', async () => {
      const { backend } = await open()
      const scope = customScope('user-use')
      await write(backend, scope, 'doc_a', ['in use'])
      expect(backend.isInUse(scope)).toBe(false)
      await backend.withStore(scope, async () => {
        expect(backend.isInUse(scope)).toBe(true)
      })
      expect(await backend.isLockedElsewhere(scope)).toBe(false)
      expect(await backend.pendingOperations()).toEqual([])
      await expect(backend.assertScopeSafe(scope)).resolves.toBeUndefined()
      await expect(backend.assertScopeSafe(customScope('never-written'))).resolves.toBeUndefined()
    })

    it('a retired session id stays retired for every backend on the storage', async () => {
      const { backend, reopen } = await open()
      const session = sessionScope('b'.repeat(32))
      expect(await backend.isSessionRetired(session)).toBe(false)
      await backend.retireSession(session)
      await backend.retireSession(customScope('user-9')) // a no-op for other kinds
      expect(await backend.isSessionRetired(session)).toBe(true)
      expect(await (await reopen()).isSessionRetired(session)).toBe(true)
      expect(await backend.isSessionRetired(customScope('user-9'))).toBe(false)
    })

    it('a scope locked elsewhere: reads answer busy or the last committed state, writes wait then fail locked, isLockedElsewhere says so', async (context) => {
      if (!target.lockElsewhere) return context.skip()
      const { storage, backend } = await open()
      const scope = customScope('user-locked')
      await write(backend, scope, 'doc_a', ['locked'])
      await backend.evict(scope)
      const release = await target.lockElsewhere(storage, scope)
      try {
        expect(await backend.isLockedElsewhere(scope)).toBe(true)
        // A read never sees the holder's write half done: the files backend answers busy, a database the last committed state.
        if (!target.readsWaitForWriters) {
          const read = await backend.withStore(scope, async (store) => store.listDocuments().map((doc) => doc.id)).catch((error: { code?: string }) => error.code)
          expect(['busy', ['doc_a']]).toContainEqual(read)
        }
        const blocked = backend.withStore(scope, async (store) => store.add(await chunksOf('doc_b', ['blocked'])), { write: true, lockWaitMs: 100 })
        await expect(blocked).rejects.toMatchObject({ code: 'locked' })
      } finally {
        await release()
      }
      expect(await backend.isLockedElsewhere(scope)).toBe(false)
    })

    describeConversationConformance({
      open: async () => {
        const { storage, backend, reopen } = await open()
        const { lockElsewhere } = target
        return { backend, reopen, lockElsewhere: lockElsewhere && ((scope: Scope) => lockElsewhere(storage, scope)) }
      },
    })

    describeScopeReports(kit)
    describeReindex(kit)
  })
}
