/**
 * Operations on scopes whose latest writes are still in the commit log
 * (bento-log.bin, not yet folded into the base files): inspect --verify, du,
 * migrate (rename and merge) and export/import must see the log's documents —
 * reading only the base files would lose them.
 */
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { customScope, type Scope } from '../../src/core/keys.js'
import { deleteDocument } from '../../src/ops/documents.js'
import { diskUsage } from '../../src/ops/du.js'
import { exportScopeArchive } from '../../src/ops/export.js'
import { applyImport, planImport } from '../../src/ops/import.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { applyMigrate, planMigrate } from '../../src/ops/migrate.js'
import { chunkTexts, documentIds, LONG_TEXT, useBackendFixtures } from './fixtures.js'

const { freshBackend, tempDir } = useBackendFixtures()

/** A scope whose base files hold the first file and whose log holds the second and a deletion. */
const withLog = async (fixture: Awaited<ReturnType<typeof freshBackend>>, scope: Scope) => {
  const first = await fixture.add(scope, { 'base.md': LONG_TEXT('base', 4) })
  const later = await fixture.add(scope, { 'logged.md': LONG_TEXT('logged', 4), 'doomed.md': 'a document deleted before any compaction' })
  await deleteDocument(fixture.backend, scope, later['doomed.md']!)
  const dir = fixture.layout.vectorsDir(scope)
  expect(await readdir(dir)).toContain('bento-log.bin')
  expect(await fixture.backend.withStore(scope, async (store) => store.logStats().records)).toBe(2)
  return { ids: [first['base.md']!, later['logged.md']!].sort(), dir }
}

const expectLoggedDocuments = async (backend: StorageBackend, scope: Scope, ids: string[]) => {
  expect(await documentIds(backend, scope)).toEqual(ids)
  expect((await chunkTexts(backend, scope)).some((text) => text.includes('logged paragraph'))).toBe(true)
}

describe('a scope with writes in its commit log', () => {
  it('passes inspect --verify, and du counts the log file', async () => {
    const fixture = await freshBackend()
    const scope = customScope('user-1')
    const { dir } = await withLog(fixture, scope)
    const report = await inspectScope(fixture.backend, scope, { verify: true, sessionTtlMs: 3600_000 })
    expect(report).toMatchObject({ problems: [] })
    const usage = await diskUsage(fixture.backend)
    const files = await readdir(dir, { withFileTypes: true })
    let bytes = 0
    for (const entry of files) if (entry.isFile()) bytes += (await stat(path.join(dir, entry.name))).size
    expect(usage.scopes[0]!.vectorBytes).toBeGreaterThanOrEqual(bytes)
    expect(bytes).toBeGreaterThan((await stat(path.join(dir, 'bento-log.bin'))).size)
  })

  it('moves whole on a rename-migrate and merges whole into a scope that has a log too', async () => {
    const fixture = await freshBackend()
    const from = customScope('user-1')
    const { ids } = await withLog(fixture, from)
    await applyMigrate(fixture.backend, await planMigrate(fixture.backend, { from, to: customScope('user-2') }))
    await expectLoggedDocuments(fixture.backend, customScope('user-2'), ids)

    const target = customScope('user-3')
    const { ids: targetIds } = await withLog(fixture, target)
    const merged = await applyMigrate(fixture.backend, await planMigrate(fixture.backend, { from: customScope('user-2'), to: target }))
    expect(merged.mode).toBe('merge')
    expect((await documentIds(fixture.backend, target)).length).toBe(new Set([...ids, ...targetIds]).size)
    expect((await chunkTexts(fixture.backend, target)).filter((text) => text.includes('logged paragraph')).length).toBeGreaterThan(0)
    expect(await inspectScope(fixture.backend, target, { verify: true, sessionTtlMs: 3600_000 })).toMatchObject({ problems: [] })
  })

  it('exports every logged document, and imports it elsewhere', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    const { ids } = await withLog(source, scope)
    const file = path.join(await tempDir('bento-archive-'), 'user.bento.tar')
    expect(await exportScopeArchive(source.backend, scope, { file })).toMatchObject({ documents: 2 })
    const target = await freshBackend()
    await applyImport(target.backend, await planImport(target.backend, { file, as: customScope('imported') }))
    await expectLoggedDocuments(target.backend, customScope('imported'), ids)
  })
})
