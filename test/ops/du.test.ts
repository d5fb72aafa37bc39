import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import type { Layout } from '../../src/core/layout.js'
import { customScope, sessionScope } from '../../src/core/keys.js'
import type { Scope } from '../../src/core/keys.js'
import { diskUsage } from '../../src/ops/du.js'
import { expectBoundedTopScan, plantUploadScopes, useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

const put = async (layout: Layout, scope: Scope, tree: 'vectors' | 'uploads', rel: string, bytes: number) => {
  const file = path.join(layout.scopeDir(tree, scope), rel)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, Buffer.alloc(bytes, 1))
}

const findBytes = (dir: string): number =>
  !existsSync(dir) ? 0 :
  execFileSync('find', [dir, '!', '-type', 'd', '-printf', '%s\n'], { encoding: 'utf8' }).split('\n').filter(Boolean).reduce((sum, n) => sum + Number(n), 0)

describe('diskUsage', () => {
  it('matches GNU find per scope and in total, largest first, and never follows links', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const sentinel = path.join(outside, 'sentinel.bin')
    await writeFile(sentinel, Buffer.alloc(1_000_000, 9))
    const layout = createLayout(root)
    const small = customScope('tenant_a:user_1')
    const big = customScope('tenant_a:user_2')
    const other = customScope('tenant_b:user_1')
    const session = sessionScope('ab'.repeat(16))
    await put(layout, small, 'vectors', 'hnswlib.index', 100)
    await put(layout, small, 'uploads', 'doc_1/a.txt', 50)
    await put(layout, big, 'vectors', 'docstore.json', 5000)
    await put(layout, big, 'uploads', 'doc_2/b.pdf', 7000)
    await put(layout, big, 'uploads', 'doc_3/nested/c.md', 3)
    await put(layout, other, 'uploads', 'doc_4/d.txt', 10)
    await put(layout, session, 'vectors', 'conversations/sess_x.json', 64)
    await symlink(sentinel, path.join(layout.uploadsDir(other), 'link-to-outside'))
    await symlink(outside, path.join(layout.isolatedDir('vectors'), 'evil'))

    const skipped: string[] = []
    const result = await diskUsage(backendAt(root), { onSkip: (skip) => skipped.push(path.basename(skip.path)) })
    const totals = result.scopes.map((row) => row.totalBytes)
    expect(totals).toEqual([...totals].sort((a, b) => b - a))
    expect(result.scopes[0]!.key).toBe('tenant_a:user_2')
    for (const row of result.scopes) {
      const scope = [small, big, other, session].find((s) => s.key === row.key)!
      expect(row.vectorBytes).toBe(findBytes(layout.vectorsDir(scope)))
      expect(row.uploadBytes).toBe(findBytes(layout.uploadsDir(scope)))
      expect(row.totalBytes).toBe(row.vectorBytes + row.uploadBytes)
    }
    expect(result.totalBytes).toBe(findBytes(layout.treeDir('vectors')) - findBytes(path.join(layout.isolatedDir('vectors'), 'evil')) + findBytes(layout.treeDir('uploads')))
    expect(result.totalBytes).toBeLessThan(1_000_000) // the sentinel behind the link was never counted
    expect(result.scopeCount).toBe(4)
    expect(skipped.sort()).toEqual(['evil', 'link-to-outside'])
    expect((await readFile(sentinel)).length).toBe(1_000_000)
  })

  it('sorts by name and age, keeps only the top N (totals still cover everything) and groups by tenant', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    const sizes: Record<string, number> = { 'acme:alice': 300, 'acme:bob': 100, 'zeta:carol': 500, solo: 50, 'acme:dave': 200 }
    for (const [key, bytes] of Object.entries(sizes)) await put(layout, customScope(key), 'uploads', 'doc/file.txt', bytes)
    const backend = backendAt(root)
    const full = await diskUsage(backend)
    expect(full.scopes.map((row) => row.totalBytes)).toEqual([500, 300, 200, 100, 50])
    const top = await diskUsage(backend, { top: 2 })
    expect(top.scopes).toEqual(full.scopes.slice(0, 2))
    expect(top.totalBytes).toBe(1150)
    expect(top.scopeCount).toBe(5)
    const byName = await diskUsage(backend, { sort: 'name', top: 3 })
    expect(byName.scopes.map((row) => row.dir)).toEqual(['acme~calice', 'acme~cbob', 'acme~cdave'])
    const grouped = await diskUsage(backend, { groupBy: 'tenant' })
    expect(grouped.groups).toEqual([
      { tenant: 'acme', scopes: 3, vectorBytes: 0, uploadBytes: 600, totalBytes: 600, files: 3 },
      { tenant: 'zeta', scopes: 1, vectorBytes: 0, uploadBytes: 500, totalBytes: 500, files: 1 },
      { tenant: 'solo', scopes: 1, vectorBytes: 0, uploadBytes: 50, totalBytes: 50, files: 1 },
    ])
    const byAge = await diskUsage(backend, { sort: 'age' })
    const ages = byAge.scopes.map((row) => row.lastActiveAt!)
    expect(ages).toEqual([...ages].sort())
  })

  it('reads lastActiveAt from the activity file the walk found, equal to backend.lastActiveAt in every case', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    const write = async (key: string, text: string, mtime?: Date) => {
      const file = layout.activityFile(customScope(key))
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, text)
      if (mtime) await utimes(file, mtime, mtime)
    }
    // Content and mtime disagree (written by a tool, or copied by a migrate): the content wins, as in cleanup.
    await write('old', JSON.stringify({ createdAt: '2020-01-01T00:00:00.000Z', lastActiveAt: '2020-02-03T04:05:06.789Z' }))
    await write('future-mtime', JSON.stringify({ lastActiveAt: '2021-05-06T07:08:09.000Z' }), new Date('2030-01-01T00:00:00Z'))
    // Unreadable content or no file: the newest mtime of the scope's dirs and top-level entries.
    const fallback = new Date('2022-03-04T05:06:07.000Z')
    await write('garbage', '{not json', fallback)
    await utimes(layout.vectorsDir(customScope('garbage')), fallback, fallback)
    await put(layout, customScope('no-file'), 'uploads', 'doc/file.txt', 10)
    await utimes(path.join(layout.uploadsDir(customScope('no-file')), 'doc'), fallback, fallback)
    await utimes(layout.uploadsDir(customScope('no-file')), fallback, fallback)
    // A planted link in place of the file is never read through.
    const outside = path.join(await tempDir(), 'activity.json')
    await writeFile(outside, JSON.stringify({ lastActiveAt: '2099-01-01T00:00:00.000Z' }))
    await mkdir(layout.vectorsDir(customScope('linked')), { recursive: true })
    await symlink(outside, layout.activityFile(customScope('linked')))

    const backend = backendAt(root)
    const rows = new Map((await diskUsage(backend)).scopes.map((row) => [row.key, row.lastActiveAt]))
    expect(rows.get('old')).toBe('2020-02-03T04:05:06.789Z')
    expect(rows.get('future-mtime')).toBe('2021-05-06T07:08:09.000Z')
    expect(rows.get('garbage')).toBe(fallback.toISOString())
    expect(rows.get('no-file')).toBe(fallback.toISOString())
    expect(rows.get('linked')).not.toBe('2099-01-01T00:00:00.000Z')
    for (const key of ['old', 'future-mtime', 'garbage', 'no-file', 'linked']) {
      expect(rows.get(key)).toBe((await backend.lastActiveAt(customScope(key)))?.toISOString() ?? null)
    }
  })

  it('streams 600 scopes with a bounded top list', async () => {
    const root = await tempDir()
    await plantUploadScopes(createLayout(root), 600)
    const started = Date.now()
    await expectBoundedTopScan(backendAt(root), 600)
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('rejects nonsense options before scanning', async () => {
    const backend = backendAt(await tempDir())
    await expect(diskUsage(backend, { top: 0 })).rejects.toMatchObject({ code: 'invalid_options' })
    await expect(diskUsage(backend, { sort: 'weight' as never })).rejects.toMatchObject({ code: 'invalid_options' })
  })
})
