/**
 * Conformance of `ScopeReports` (src/core/backend/contract/scope-reports.ts): the
 * summaries du and ls stream and the storage facts inspect checks, the same on every
 * backend. Registered from describe-backend-conformance.ts.
 */
import { describe, expect, it } from 'vitest'
import type { ScopeSummary } from '../../../../src/core/backend/contract/scope-reports.js'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import { customScope, sessionScope, type Scope } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'

/** What this area needs of the suite's kit (conformance/kit.ts hands a superset). */
export interface ScopeReportsKit {
  open(): Promise<{ backend: StorageBackend; reopen(): Promise<StorageBackend> }>
  chunksOf(documentId: string, texts: string[]): Promise<ChunkInput[]>
  /** The injected clock's time when a storage is opened (every write here happens then). */
  t0: number
}

/** Document ids as the ingest pipeline makes them (uploads are keyed by them). */
const documentId = (n: number) => `doc_${String(n).repeat(24)}`

const collect = async (backend: StorageBackend, options: Parameters<StorageBackend['scopeSummaries']>[0] = {}) => {
  const rows: ScopeSummary[] = []
  for await (const row of backend.scopeSummaries(options)) rows.push(row)
  return rows.sort((a, b) => (a.scope.key < b.scope.key ? -1 : 1))
}

export const describeScopeReports = (kit: ScopeReportsKit): void => {
  /** One document of these chunk texts in one write, with its original file when `upload` is given (as `bento add` keeps it). */
  const write = async (backend: StorageBackend, scope: Scope, id: string, texts: string[], upload?: { fileName: string; bytes: Buffer }) =>
    backend.withStore(scope, async (store) => {
      if (upload) await backend.uploadFiles(scope).write([{ documentId: id, fileName: upload.fileName, bytes: upload.bytes }])
      const metadata = upload ? { source: upload.fileName, fileType: 'txt' } : { source: `${id}.txt` }
      await store.add((await kit.chunksOf(id, texts)).map((chunk) => ({ ...chunk, metadata })))
    }, { write: true })

  describe('scope reports', () => {
    const user = customScope('user-rep')
    const session = sessionScope('d'.repeat(32))
    const DOC_A = documentId(1)
    const DOC_B = documentId(2)
    const original = Buffer.from('the original file, kept as it came')

    it('summaries: every scope once, its sizes, files and last activity; documents only when asked, each write counted', async () => {
      const { backend, reopen } = await kit.open()
      await write(backend, user, DOC_A, ['alpha one', 'alpha two'], { fileName: 'a.txt', bytes: original })
      // A second write (fs: appended to the commit log, not the docstore) must be counted too.
      await write(backend, user, DOC_B, ['bravo'])
      await write(backend, session, DOC_A, ['session text'])
      for (const other of [backend, await reopen()]) {
        const rows = await collect(other, { documents: true })
        expect(rows.map((row) => [row.scope.key, row.documents])).toEqual([[session.key, 1], [user.key, 2]])
        const [sessionRow, userRow] = rows
        expect(userRow!.uploadBytes).toBeGreaterThanOrEqual(original.length)
        expect(userRow!.vectorBytes).toBeGreaterThan(sessionRow!.vectorBytes)
        expect(userRow!.files).toBeGreaterThan(0)
        expect(rows.map((row) => row.lastActiveAt?.getTime())).toEqual([kit.t0, kit.t0])
      }
      const plain = await collect(backend)
      expect(plain.map((row) => row.documents)).toEqual([undefined, undefined])
      expect((await collect(backend, { kinds: ['session'] })).map((row) => row.scope.key)).toEqual([session.key])
    })

    it('summaries agree with usage, carry own quotas when asked, and a consumer that stops early ends the stream cleanly', async () => {
      const { backend } = await kit.open()
      for (let i = 0; i < 5; i++) await write(backend, customScope(`early-${i}`), DOC_A, [`text ${i}`])
      const [row] = await collect(backend, { kinds: ['custom'] })
      const usage = await backend.usage(row!.scope)
      expect([row!.vectorBytes, row!.uploadBytes, row!.files]).toEqual([usage.vectorBytes, usage.uploadBytes, usage.files])
      await backend.setQuota(customScope('early-3'), { maxDocuments: 7 })
      const quotas = (await collect(backend, { quotas: true })).map((summary) => [summary.scope.key, summary.quota])
      expect(quotas).toEqual([0, 1, 2, 3, 4].map((i) => [`early-${i}`, i === 3 ? { maxDocuments: 7 } : undefined]))
      let seen = 0
      for await (const _ of backend.scopeSummaries()) if (++seen === 2) break
      expect(seen).toBe(2)
      expect(await collect(backend)).toHaveLength(5)
    })

    it('storage: which stores exist, uploads filed by document, conversations; zeros for a scope never written', async () => {
      const { backend } = await kit.open()
      await write(backend, user, DOC_A, ['alpha'], { fileName: 'a.txt', bytes: original })
      const report = await backend.scopeStorage(user, { verify: true })
      expect(report.stores).toEqual({ documents: true, memory: false })
      expect(report.uploads.entries).toEqual([{ documentId: DOC_A, files: ['a.txt'] }])
      expect(report.uploads.files).toBe(1)
      expect(report.uploads.bytes).toBeGreaterThanOrEqual(original.length)
      expect(report.conversations).toBe(0)
      expect(report.problems).toEqual([])
      expect(report.locations.vectors).not.toBe('')
      const missing = await backend.scopeStorage(customScope('never-written'))
      expect(missing).toMatchObject({ stores: { documents: false, memory: false }, uploads: { files: 0, bytes: 0, entries: [] }, conversations: 0, problems: [] })
      expect(await backend.scopeExists(customScope('never-written'))).toBe(false)
    })
  })
}
