/**
 * Read-only commands and dry runs change nothing on disk, even with an
 * interrupted operation pending: they used to finish it first (a dry run
 * deleted a trash dir). Now `du`, `ls`, `inspect` (and `--verify`),
 * `cleanup --dry-run`, `migrate --dry-run`, `import --dry-run` and their admin routes report it
 * ("an interrupted migrate of X to Y is pending; the next write command
 * finishes it") and leave the tree byte-identical: paths, sizes, contents and
 * mtimes. The next write command finishes it.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope } from '../../src/core/keys.js'
import { applyCleanup, planCleanup } from '../../src/ops/cleanup.js'
import { diskUsage } from '../../src/ops/du.js'
import { exportScopeArchive } from '../../src/ops/export.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { listScopeSummaries } from '../../src/ops/ls.js'
import { applyMigrate, planMigrate } from '../../src/ops/migrate.js'
import { recoverPendingOperations } from '../../src/ops/recover.js'
import { createBentoServer } from '../../src/server/index.js'
import { assertBuilt, makeTempDir, removeDir, runBento } from '../cli/support/bento.js'
import { mapTree } from '../helpers/map-tree.js'
import { ageLocks, runChild } from '../ops/crash-child.js'
import { addTexts, LONG_TEXT, openBackend } from '../ops/fixtures.js'

const FROM = customScope('user-1')
const TO = customScope('user-2')
const OTHER = customScope('user-3')
const MESSAGE = 'an interrupted migrate of user-1 to user-2 is pending; the next write command finishes it'
const ADMIN = 'fma_admin_key_0123456789ab'

/** Every entry with its kind, size, mtime and (for files) content hash. */
const snapshot = (root: string) =>
  mapTree(root, async (full, stats) => {
    const hash = stats.isFile() ? createHash('sha256').update(await readFile(full)).digest('hex') : ''
    return `${stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : 'f'} ${stats.size} ${stats.mtimeMs} ${hash}`
  })

let tmp: string
let dataDir: string
let before: Record<string, string>

// One fixture for the file (each test only reads it, the last finishes the operation).
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  const backend = openBackend(dataDir)
  try {
    const input = path.join(tmp, 'input')
    await addTexts(backend, FROM, input, { 'alpha.md': LONG_TEXT('alpha'), 'bravo.txt': 'bravo notes' })
    await addTexts(backend, OTHER, path.join(input, 'other'), { 'c.txt': 'charlie' })
    await exportScopeArchive(backend, OTHER, { file: path.join(tmp, 'other.bento.tar') })
  } finally {
    await backend.close()
  }
  const child = runChild(dataDir, 'migrate:after-rename-vectors', ['migrate', FROM.key, TO.key, 'move'])
  expect(child.signal, child.stderr).toBe('SIGKILL')
  await ageLocks(path.join(dataDir, '.bento', 'locks'))
  before = await snapshot(dataDir)
  expect(Object.keys(before).some((entry) => entry.startsWith(path.join('.bento', 'journal', 'op-')))).toBe(true)
}, 120_000)
afterAll(() => removeDir(tmp))

describe('read-only commands and dry runs with an interrupted migrate pending', () => {
  it('the ops report it and change nothing', async () => {
    const backend = openBackend(dataDir, createLocalEmbedder({ dimension: 64 }))
    try {
      const note = { op: 'migrate-rename', scopes: [FROM.key, TO.key], running: false, message: MESSAGE }
      expect((await diskUsage(backend)).pending).toEqual([expect.objectContaining(note)])
      expect((await listScopeSummaries(backend)).pending).toEqual([expect.objectContaining(note)])
      for (const scope of [FROM, TO]) {
        const report = await inspectScope(backend, scope, { verify: true })
        if (report.exists) expect(report.problems).toContain(`journal: ${MESSAGE} (${report.pending![0]!.id})`)
      }
      const plan = await planCleanup(backend, { olderThanMs: 0, kinds: ['session', 'custom'], dryRun: true })
      expect((await applyCleanup(backend, plan, { dryRun: true })).pending).toEqual([expect.objectContaining(note)])
      await expect(planMigrate(backend, { from: FROM, to: OTHER, dryRun: true })).rejects.toMatchObject({ code: 'busy', message: `A${MESSAGE.slice(1)}.` })
      const other = await planMigrate(backend, { from: OTHER, to: customScope('user-4'), dryRun: true })
      expect(await applyMigrate(backend, other, { dryRun: true })).toMatchObject({ dryRun: true, documents: 1 })
    } finally {
      await backend.close()
    }
    expect(await snapshot(dataDir)).toEqual(before)
  })

  it('the CLI reports it on stderr and changes nothing', async () => {
    const data = ['--data-dir', dataDir]
    const env = { BENTO_EMBEDDINGS_DIMENSION: '64' }
    const runs: Array<[string[], boolean]> = [
      [['du'], true], [['ls', '--json'], true], [['inspect', FROM.key, '--verify', '--json'], true],
      [['inspect', OTHER.key, '--verify'], false], [['cleanup', '--older-than', '0s', '--include-users', '--dry-run'], true],
    ]
    for (const [args, notes] of runs) {
      const run = await runBento([...args, ...data], { env })
      // inspect reports only what touches its scope.
      expect(run.stderr.includes(`bento: note: ${MESSAGE}.`), `${args.join(' ')}: ${run.stderr}`).toBe(notes)
      expect(await snapshot(dataDir), args.join(' ')).toEqual(before)
    }
    const migrate = await runBento(['migrate', FROM.key, '--to', OTHER.key, '--dry-run', ...data], { env })
    expect([migrate.code, migrate.stderr]).toEqual([4, `bento: A${MESSAGE.slice(1)}.\n`])
    const archive = path.join(tmp, 'other.bento.tar')
    const importInto = await runBento(['import', archive, '--as', TO.key, '--dry-run', ...data], { env })
    expect([importInto.code, importInto.stderr]).toEqual([4, `bento: A${MESSAGE.slice(1)}.\n`])
    const importElsewhere = await runBento(['import', archive, '--as', 'user-9', '--dry-run', ...data], { env })
    expect(importElsewhere.code, importElsewhere.stderr).toBe(0)
    expect(await snapshot(dataDir)).toEqual(before)
  })

  it('the admin routes report it and change nothing', async () => {
    const server = createBentoServer({ dataDir, logger: false, isolation: 'custom', accessKeys: { admin: [ADMIN] }, embedder: createLocalEmbedder({ dimension: 64 }) })
    try {
      const app = server.getApp()
      const headers = { 'x-bento-admin-key': ADMIN, 'content-type': 'application/json' }
      const du = await app.request('/api/admin/scopes', { headers })
      expect(((await du.json()) as { pending: Array<{ message: string }> }).pending.map((row) => row.message)).toEqual([MESSAGE])
      expect((await app.request(`/api/admin/scopes/${FROM.key}`, { headers })).status).toBe(200)
      const cleanup = await app.request('/api/admin/cleanup', { method: 'POST', headers, body: JSON.stringify({ olderThanMs: 1, kinds: ['custom'], dryRun: true }) })
      expect(((await cleanup.json()) as { pending: Array<{ message: string }> }).pending.map((row) => row.message)).toEqual([MESSAGE])
      const migrate = await app.request('/api/admin/migrate', { method: 'POST', headers, body: JSON.stringify({ from: FROM.key, to: OTHER.key, dryRun: true }) })
      expect(migrate.status).toBe(503)
    } finally {
      await server.stop()
    }
    expect(await snapshot(dataDir)).toEqual(before)
  })

  it('the next write command finishes it', async () => {
    const backend = openBackend(dataDir, createLocalEmbedder({ dimension: 64 }))
    try {
      expect((await recoverPendingOperations(backend)).completed).toEqual([expect.objectContaining({ op: 'migrate-rename' })])
      expect((await diskUsage(backend)).pending).toBeUndefined()
    } finally {
      await backend.close()
    }
  })
})
