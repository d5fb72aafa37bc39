/**
 * A file deployment moved into PostgreSQL and back through the real binary:
 * `bento export` (fs) → `bento import --backend postgres://…` → `bento search` and
 * `bento export` there → `bento import` into a new data dir. Every document,
 * vector (bit for bit), upload, memory and conversation survives.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import type { ScopeSnapshot, StorageBackend } from '../../src/core/backend/types.js'
import { appendMessages, createConversation } from '../../src/core/conversations.js'
import { customScope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { usePgDatabase } from '../helpers/pg.js'
import { assertBuilt, makeTempDir, removeDir, runBento } from './support/bento.js'

const db = usePgDatabase()
let tmp: string
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir('bento-pg-trip-')
})
afterAll(() => removeDir(tmp))

const scope = customScope('tenant_a:user_1')

/** Everything a scope holds, with upload bytes read, in a comparable form. */
const contentsOf = async (backend: StorageBackend) =>
  backend.exportScope(scope, async (snapshot: ScopeSnapshot) => ({
    documents: snapshot.documents.chunks.map((chunk) => ({ ...chunk, vector: Array.from(chunk.vector) })),
    embedder: [snapshot.documents.embedderId, snapshot.documents.dimension, snapshot.documents.space],
    memory: snapshot.memory.chunks.map((chunk) => ({ ...chunk, vector: Array.from(chunk.vector) })),
    uploads: await Promise.all(snapshot.uploads.map(async (upload) => [upload.documentId, upload.name, upload.size, (await upload.read()).toString('base64')])),
    conversations: snapshot.conversations,
  }))

describe('fs → postgres → fs', () => {
  it('preserves every document, vector, upload, memory and conversation; search works on postgres in between', async () => {
    const source = path.join(tmp, 'source')
    await fsp.mkdir(path.join(tmp, 'files'))
    await fsp.writeFile(path.join(tmp, 'files', 'refunds.md'), '# Refunds\n\nRefunds are paid within 14 days of a return. Error ERR_4411 means the provider timed out.')
    await fsp.writeFile(path.join(tmp, 'files', 'склад.txt'), 'Наш склад в Москве работает по выходным.')
    const added = await runBento(['add', scope.key, path.join(tmp, 'files'), '--data-dir', source])
    expect(added.code, added.stderr).toBe(0)
    const fsBackend = createFsBackend({ dataDir: source })
    try {
      await rememberMemories(fsBackend, scope, ['prefers answers in French'])
      const conversation = await createConversation(fsBackend.layout, scope)
      await appendMessages(fsBackend.layout, scope, conversation.id, [{ role: 'user', content: 'When are refunds paid?' }, { role: 'assistant', content: 'Within 14 days.' }])
    } finally {
      await fsBackend.close()
    }

    const backend = `${db.url}?schema=${db.schema()}`
    const first = path.join(tmp, 'first.bento.tar')
    expect((await runBento(['export', scope.key, '-o', first, '--data-dir', source])).code).toBe(0)
    const intoPg = await runBento(['import', first, '--yes', '--backend', backend])
    expect(intoPg.code, intoPg.stderr).toBe(0)
    const search = await runBento(['search', scope.key, 'ERR_4411', '--json'], { env: { BENTO_DATABASE_URL: backend } })
    expect(search.code, search.stderr).toBe(0)
    expect(JSON.parse(search.stdout)).toMatchObject({ mode: 'hybrid', results: [{ title: 'Refunds' }] })
    const again = await runBento(['import', first, '--yes', '--backend', backend])
    expect(again.code).toBe(3)
    expect(again.stderr).toMatch(/already holds data/)

    const second = path.join(tmp, 'second.bento.tar')
    const fromPg = await runBento(['export', scope.key, '-o', second, '--backend', backend])
    expect(fromPg.code, fromPg.stderr).toBe(0)
    const copy = path.join(tmp, 'copy')
    const back = await runBento(['import', second, '--yes', '--data-dir', copy])
    expect(back.code, back.stderr).toBe(0)

    const [before, after] = [createFsBackend({ dataDir: source }), createFsBackend({ dataDir: copy })]
    try {
      const [a, b] = [await contentsOf(before), await contentsOf(after)]
      expect(a.documents.length).toBeGreaterThan(1)
      expect(a.memory).toHaveLength(1)
      expect(a.uploads).toHaveLength(2)
      expect(a.conversations[0]?.messages).toHaveLength(2)
      expect(b).toEqual(a)
    } finally {
      await before.close()
      await after.close()
    }
  })
})
