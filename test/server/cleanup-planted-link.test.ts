/**
 * Attack: one planted link (a symlinked uploads/isolated/<x>) blocked every
 * cleanup: the admin route and the server's periodic sweep failed for all
 * scopes. That scope is now skipped and reported, the others removed, and
 * nothing outside the data root is touched.
 */
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { sessionScope, type Scope } from '../../src/core/keys.js'
import { createLayout, type Layout } from '../../src/core/layout.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()
const tempDir = useTempDirs()
const ADMIN = 'fma_admin_key_0123456789ab'
const NOW = Date.parse('2026-03-01T12:00:00Z')
const DAY = 24 * 3600_000
const PLANTED = sessionScope('1'.repeat(32))
const CLEAN = sessionScope('2'.repeat(32))

const makeExpired = async (layout: Layout, scope: Scope) => {
  await mkdir(layout.vectorsDir(scope), { recursive: true })
  await mkdir(path.join(layout.uploadsDir(scope), 'doc_1'), { recursive: true })
  await writeFile(path.join(layout.uploadsDir(scope), 'doc_1', 'a.txt'), 'uploaded')
  const at = new Date(NOW - 2 * DAY).toISOString()
  await writeFile(layout.activityFile(scope), JSON.stringify({ createdAt: at, lastActiveAt: at }))
}

/** Two expired sessions, one whose uploads dir is a link to a dir outside the data root. */
const plantedDataDir = async () => {
  const dataDir = await tempDir('bento-server-')
  const outside = await tempDir('bento-outside-')
  await writeFile(path.join(outside, 'sentinel.txt'), 'must survive')
  const layout = createLayout(dataDir)
  await makeExpired(layout, PLANTED)
  await makeExpired(layout, CLEAN)
  await rm(layout.uploadsDir(PLANTED), { recursive: true })
  await symlink(outside, layout.uploadsDir(PLANTED))
  return { dataDir, outside, layout }
}

const isDir = (p: string) => readdir(p).then(() => true, () => false)

describe('one planted link does not block all cleanup', () => {
  it('the admin cleanup route removes the other scopes and reports the linked one as skipped (unsafe_path)', async () => {
    const { dataDir, outside, layout } = await plantedDataDir()
    const server = await makeServer({ dataDir, isolation: 'custom', accessKeys: { admin: [ADMIN] }, now: () => NOW })
    const response = await server.getApp().request('/api/admin/cleanup', jsonRequest('POST', { olderThanMs: DAY }, { 'x-bento-admin-key': ADMIN }))
    expect(response.status).toBe(200)
    const result = (await response.json()) as { removed: Array<{ dir: string }>; skipped: Array<{ dir: string; code?: string; reason: string }> }
    expect(result.removed.map((row) => row.dir)).toEqual([CLEAN.dir])
    expect(result.skipped).toEqual([{ key: PLANTED.key, dir: PLANTED.dir, reason: expect.stringMatching(/^unsafe path: /), code: 'unsafe_path' }])
    expect(await isDir(layout.vectorsDir(CLEAN))).toBe(false)
    expect(await isDir(layout.vectorsDir(PLANTED))).toBe(true)
    expect(await readdir(outside)).toEqual(['sentinel.txt'])
  })

  it("the server's session sweep removes the other sessions and logs one warning without the session id", async () => {
    const { dataDir, outside, layout } = await plantedDataDir()
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    const server = await makeServer({ dataDir, isolation: 'session', logger, now: () => NOW })
    await server.start({ port: 0 })
    expect(await isDir(layout.vectorsDir(CLEAN))).toBe(false)
    expect(await isDir(layout.vectorsDir(PLANTED))).toBe(true)
    expect(await readdir(outside)).toEqual(['sentinel.txt'])
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string; refused?: number }).filter((record) => record.level === 40)
    expect(warnings).toEqual([expect.objectContaining({ refused: 1, msg: expect.stringContaining('a link was planted') })])
    expect(lines.join('\n')).not.toContain(PLANTED.key)
  })
})
