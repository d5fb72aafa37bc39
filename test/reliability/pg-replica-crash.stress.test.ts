/**
 * A replica SIGKILLed in the middle of a write transaction (a real `bento serve`
 * child, killed by the fault switch just before or just after its COMMIT) leaves
 * the previous state or the new one, never a part; the other replica on the same
 * database goes on serving and writing the same scope at once (the dead
 * connection's transaction and its scope lock are gone with it).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope } from '../../src/core/keys.js'
import { usePgDatabase } from '../helpers/pg.js'
import { serveChild, type ServeChild } from './support/serve-child.js'

const db = usePgDatabase()
const ENV = { BENTO_EMBEDDINGS_DIMENSION: '64' }
const USER = 'tenant_a:user_1'
let dataDir: string
let backendSpec: string
let survivor: ServeChild

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-pg-crash-'))
  // Not db.schema(): the schema outlives one test here, and dies with the file's database.
  backendSpec = `${db.url}?schema=crash_${randomBytes(4).toString('hex')}`
  survivor = await serveChild(dataDir, ['--isolation', 'custom', '--backend', backendSpec], ENV)
}, 120_000)

afterAll(async () => {
  await survivor?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

const upload = (server: ServeChild, name: string, text: string) => {
  const form = new FormData()
  form.append('file', new File([text], name))
  return fetch(`${server.url}/api/documents/upload`, { method: 'POST', headers: { 'x-isolation-key': USER }, body: form })
}

const titles = async (server: ServeChild) => {
  const response = await fetch(`${server.url}/api/documents/list`, { headers: { 'x-isolation-key': USER } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { documents: Array<{ title: string }> }).documents.map((doc) => doc.title).sort()
}

/** Starts a replica armed to SIGKILL itself at `step`, sends it an upload, and waits for it to die. */
const crashDuringUpload = async (step: string, name: string, text: string) => {
  const doomed = await serveChild(dataDir, ['--isolation', 'custom', '--backend', backendSpec], { ...ENV, BENTO_TEST_FAULTS: '1', BENTO_CRASH_AT: step })
  await expect(upload(doomed, name, text)).rejects.toThrow()
  await doomed.stop()
  expect(doomed.alive()).toBe(false)
}

/** The scope through the storage contract: its documents' chunks add up to the store's count, each upload has its document. */
const assertWhole = async () => {
  const backend = await createPgBackend({ spec: parseDatabaseSpec(backendSpec), embedder: createLocalEmbedder({ dimension: 64 }), poolSize: 2 })
  try {
    const scope = customScope(USER)
    const { documents, live } = await backend.withStore(scope, async (store) => ({ documents: store.listDocuments(), live: store.stats().live }))
    expect(documents.reduce((sum, doc) => sum + doc.chunks, 0)).toBe(live)
    expect(await backend.holdings(scope)).toMatchObject({ documents: documents.length, uploads: documents.length })
    return documents.map((doc) => doc.title).sort()
  } finally {
    await backend.close()
  }
}

describe('a replica killed mid-transaction (PostgreSQL backend, two replicas)', () => {
  it('killed before its COMMIT: nothing of its upload is left, the other replica writes the scope at once', async () => {
    expect((await upload(survivor, 'before.txt', 'Written before the crash: apples.')).status).toBe(200)
    await crashDuringUpload('pg:before-commit', 'lost.txt', 'Never committed: zebras.')
    expect(await titles(survivor)).toEqual(['before.txt'])
    const search = await fetch(`${survivor.url}/api/documents/search`, { method: 'POST', headers: { 'x-isolation-key': USER, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'zebras', limit: 5 }) })
    expect(JSON.stringify(((await search.json()) as { results: unknown[] }).results)).not.toContain('zebras')
    expect((await upload(survivor, 'after.txt', 'Written after the crash: pears.')).status).toBe(200)
    expect(await titles(survivor)).toEqual(['after.txt', 'before.txt'])
    expect(await assertWhole()).toEqual(['after.txt', 'before.txt'])
  })

  it('killed just after its COMMIT: the whole upload is there for the other replica, which goes on writing', async () => {
    await crashDuringUpload('pg:after-commit', 'kept.txt', 'Committed before the crash: walruses.')
    expect(await titles(survivor)).toContain('kept.txt')
    const search = await fetch(`${survivor.url}/api/documents/search`, { method: 'POST', headers: { 'x-isolation-key': USER, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'walruses', limit: 5 }) })
    expect(JSON.stringify(((await search.json()) as { results: unknown[] }).results)).toContain('walruses')
    expect((await upload(survivor, 'later.txt', 'Later: otters.')).status).toBe(200)
    const whole = await assertWhole()
    expect(whole).toContain('kept.txt')
    expect(whole).toContain('later.txt')
  })
})
