/**
 * Attack 6 (bad input): a table of malformed requests, bad files, bad options
 * and damaged store files, sent to a real `bento serve` and the `bento` CLI.
 * Each gets its documented status or exit code, changes nothing on disk
 * (the data dir is byte-identical, mtimes included, after each row), and the
 * server is still alive at the end. The CLI rows marked `binary` run the real
 * binary (the process boundary: exit status, stderr); the others run the same
 * program in-process (`runCli`), which saves a process start per row.
 */
import { cp, rm, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { createLayout } from '../../src/core/layout.js'
import { addTexts } from '../ops/fixtures.js'
import { createArena, snapshotTree, type Arena } from './support/arena.js'
import { record } from './support/figures.js'
import { sendRaw } from './support/http-attack.js'
import { runCli } from './support/cli-in-process.js'
import { runBin, serveChild, type ServeChild } from './support/serve-child.js'
import { binary, CLI_ROWS, DAMAGED, ENV, hostileFileRows, HTTP_ROWS, USER } from './support/bad-input-rows.js'

describe('bad input: a clear status or exit code, nothing changed, no crash', () => {
  let arena: Arena
  let server: ServeChild
  let files: Record<string, string>
  const httpRows = [...HTTP_ROWS, ...hostileFileRows()]
  const results: Array<{ name: string; expected: string; got: string }> = []

  beforeAll(async () => {
    arena = await createArena('bento-bad-input-')
    const backend = createFsBackend({ dataDir: arena.dataDir, embedder: createLocalEmbedder({ dimension: 64 }), activityCoalesceMs: 0 })
    await addTexts(backend, USER, path.join(arena.base, 'in-user'), { 'alpha.txt': 'alpha document for bad inputs' })
    await addTexts(backend, DAMAGED, path.join(arena.base, 'in-damaged'), { 'alpha.txt': 'alpha one', 'beta.md': '# beta\n\nalpha two' })
    await backend.close()
    const input = path.join(arena.base, 'files')
    await mkdir(input, { recursive: true })
    files = { exe: path.join(input, 'tool.exe'), empty: path.join(input, 'empty.txt'), pdf: path.join(input, 'fake.pdf') }
    await writeFile(files.exe!, 'MZ')
    await writeFile(files.empty!, '')
    await writeFile(files.pdf!, binary)
    // A healthy copy of the damaged scope's store, restored before each damaging CLI row.
    await cp(createLayout(arena.dataDir).vectorsDir(DAMAGED), path.join(arena.base, 'damaged-healthy'), { recursive: true })
    // The HTTP table's last row reads a damaged store.
    await writeFile(path.join(createLayout(arena.dataDir).vectorsDir(DAMAGED), 'hnswlib.index'), Buffer.from(binary))
    server = await serveChild(arena.dataDir, ['--isolation', 'custom'], ENV)
  }, 120_000)

  afterAll(async () => {
    await record('bad-input', { rows: results.length, http: httpRows.length, cli: CLI_ROWS.length, results })
    await server?.stop()
    await arena?.dispose()
  })

  it(`answers each of ${httpRows.length} bad requests with its documented status and changes nothing`, async () => {
    expect(httpRows.length + CLI_ROWS.length).toBeGreaterThanOrEqual(40)
    for (const row of httpRows) {
      const before = await snapshotTree(arena.dataDir)
      const port = Number(new URL(server.url).port)
      let status: number
      let text: string
      if (row.body instanceof Uint8Array) {
        // Raw bytes exactly as given (fetch would re-encode invalid UTF-8).
        const head = `${row.method ?? 'GET'} ${row.route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${row.body.length}\r\nConnection: close\r\n${Object.entries(row.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
        const response = await sendRaw(port, Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(row.body)]), 30_000)
        status = response.status
        text = response.body
      } else {
        const response = await fetch(`${server.url}${row.route}`, { method: row.method ?? 'GET', headers: row.headers ?? {}, ...(row.body === undefined ? {} : { body: row.body }) })
        status = response.status
        text = await response.text()
      }
      results.push({ name: `HTTP: ${row.name}`, expected: `${row.status}${row.code ? ` ${row.code}` : ''}`, got: `${status}` })
      expect.soft(status, `${row.name}: ${text.slice(0, 300)}`).toBe(row.status)
      if (row.code) expect.soft(text, row.name).toContain(`"code":"${row.code}"`)
      expect(text, row.name).not.toMatch(/\n\s+at /)
      expect(await snapshotTree(arena.dataDir), `${row.name} changed the data dir`).toEqual(before)
    }
    expect(server.alive()).toBe(true)
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
  }, 120_000)

  it(`exits each of ${CLI_ROWS.length} bad commands and damaged stores with its documented code and changes nothing`, async () => {
    const layout = createLayout(arena.dataDir)
    for (const row of CLI_ROWS) {
      if (row.damage) {
        // A fresh copy of the damaged scope for each row: restore it from the healthy copy.
        await rm(layout.vectorsDir(DAMAGED), { recursive: true, force: true })
        await cp(path.join(arena.base, 'damaged-healthy'), layout.vectorsDir(DAMAGED), { recursive: true })
        await row.damage(layout.vectorsDir(DAMAGED))
      }
      const before = await snapshotTree(arena.dataDir)
      const run = row.binary ? await runBin(row.args(files, ['--data-dir', arena.dataDir]), ENV) : await runCli(row.args(files, ['--data-dir', arena.dataDir]), ENV)
      results.push({ name: `CLI${row.binary ? ' (binary)' : ''}: ${row.name}`, expected: `exit ${row.code}`, got: `exit ${run.code}` })
      expect.soft(run.code, `${row.name}: ${run.stderr}`).toBe(row.code)
      expect(run.stderr, row.name).toMatch(/^bento: /)
      expect(run.stderr, row.name).not.toMatch(/\n\s+at /)
      expect(await snapshotTree(arena.dataDir), `${row.name} changed the data dir`).toEqual(before)
    }
  }, 180_000)
})
