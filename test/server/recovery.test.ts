/**
 * A migrate SIGKILLed mid-way (a real child process on dist/, as the ops crash
 * tests do) leaves a journal intent that makes its scopes answer 503. Starting a
 * server finishes it first, so the scope answers 200 with the migrated data.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope } from '../../src/core/keys.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { ageLocks, runChild } from '../ops/crash-child.js'
import { addTexts, LONG_TEXT, openBackend } from '../ops/fixtures.js'
import { useServers } from './helpers.js'

const tempDir = useTempDirs()
const makeServer = useServers()

describe('server start', () => {
  it('finishes a migrate a crashed process left journaled before it listens', async () => {
    const dataDir = await tempDir()
    const from = customScope('user-1')
    const to = customScope('user-2')
    const backend = openBackend(dataDir)
    try {
      await addTexts(backend, from, await tempDir('bento-input-'), { 'alpha.md': LONG_TEXT('alpha'), 'bravo.txt': 'bravo notes' })
    } finally {
      await backend.close()
    }
    const child = runChild(dataDir, 'migrate:after-rename-vectors', ['migrate', from.key, to.key, 'move'])
    expect(child.signal, child.stderr).toBe('SIGKILL')
    expect(await readdir(path.join(dataDir, '.bento', 'journal'))).toHaveLength(1)
    await ageLocks(path.join(dataDir, '.bento', 'locks'))

    const server = await makeServer({ dataDir, isolation: 'custom', embedder: createLocalEmbedder({ dimension: 64 }) })
    const { url } = await server.start({ port: 0 })
    const list = await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': to.key } })
    expect(list.status).toBe(200)
    const { documents } = (await list.json()) as { documents: Array<{ title: string }> }
    expect(documents.map((doc) => doc.title).sort()).toEqual(['alpha.md', 'bravo.txt'])
    const search = await fetch(`${url}/api/documents/search`, {
      method: 'POST',
      headers: { 'x-isolation-key': to.key, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'alpha subsystem vectors', limit: 1 }),
    })
    expect(search.status).toBe(200)
    expect(((await search.json()) as { results: Array<{ title: string }> }).results[0]?.title).toBe('alpha.md')
    const source = await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': from.key } })
    expect([source.status, await source.json()]).toEqual([200, expect.objectContaining({ documents: [] })])
    expect(await readdir(path.join(dataDir, '.bento', 'journal'))).toEqual([])
  })

  it('logs an intent it cannot replay, or a journal it cannot read, and serves anyway', async () => {
    const logged = async (dataDir: string) => {
      const lines: Array<{ level: number; msg: string }> = []
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) })
      const server = await makeServer({ dataDir, logger })
      const { url } = await server.start({ port: 0 })
      expect((await fetch(`${url}/api/health`)).status).toBe(200)
      return { url, lines }
    }

    // An intent naming a directory no key could produce: never replayed, reported as pending.
    const tampered = await tempDir()
    await mkdir(path.join(tampered, '.bento', 'journal'), { recursive: true })
    const intent = { id: 'op-test-0123456789ab', op: 'migrate-rename', scopes: [{ kind: 'custom', key: '..', dir: '..' }], phase: 'start', pid: 1, host: 'elsewhere', createdAt: new Date(0).toISOString(), data: {} }
    await writeFile(path.join(tampered, '.bento', 'journal', `${intent.id}.json`), JSON.stringify(intent))
    const pending = await logged(tampered)
    expect((await fetch(`${pending.url}/api/documents/list`)).status).toBe(200)
    expect(pending.lines).toContainEqual(expect.objectContaining({ level: 40, id: intent.id, msg: expect.stringMatching(/not finished/) }))

    // A journal that is not a directory: recovery fails as a whole, the server still starts.
    const broken = await tempDir()
    await mkdir(path.join(broken, '.bento'), { recursive: true })
    await writeFile(path.join(broken, '.bento', 'journal'), 'not a directory')
    const failed = await logged(broken)
    expect(failed.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'startup recovery failed; serving anyway' }))
  })
})
