import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { STALE_MS } from '../../src/core/lock.js'
import { jsonRequest, listTree, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const ADMIN = 'fma_admin_key_0123456789ab'
const admin = { 'x-bento-admin-key': ADMIN }

describe('admin routes (same operations as the CLI)', () => {
  it('inspect of a scope another process is writing answers 503 busy with Retry-After, not an unhealthy report', async () => {
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN] } })
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': 'user-123', ...admin }, body: uploadForm('a.txt', 'alpha text') })
    const layout = createLayout(server.config.dataDir)
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import lockfile from 'proper-lockfile'; import fs from 'node:fs';
      fs.mkdirSync(${JSON.stringify(layout.locksDir)}, { recursive: true });
      await lockfile.lock(${JSON.stringify(layout.lockTarget(customScope('user-123')))}, { realpath: false, stale: ${STALE_MS} });
      console.log('locked'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
      const response = await app.request('/api/admin/scopes/user-123', { headers: admin })
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('1')
      expect(await response.json()).toEqual({ error: { code: 'busy', message: 'Scope "user-123" is being changed by another process; inspect it again when that finishes.' } })
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('lists scopes with sizes, inspects one, migrates it and cleans up', async () => {
    let clock = Date.now()
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN] }, now: () => clock })
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': 'user-123', ...admin }, body: uploadForm('a.txt', 'alpha text for migration') })
    await app.request('/v1/sessions', { method: 'POST', headers: { 'x-isolation-key': 'user-123', ...admin } })

    const du = (await (await app.request('/api/admin/scopes', { headers: admin })).json()) as { scopes: Array<{ key: string; totalBytes: number }>; scopeCount: number }
    expect(du.scopeCount).toBe(1)
    expect(du.scopes[0]).toMatchObject({ key: 'user-123' })
    expect(du.scopes[0]!.totalBytes).toBeGreaterThan(0)

    const inspect = (await (await app.request('/api/admin/scopes/user-123', { headers: admin })).json()) as { exists: boolean; documents: unknown[]; conversations: number }
    expect(inspect).toMatchObject({ exists: true, conversations: 1 })
    expect(inspect.documents).toHaveLength(1)
    expect((await app.request(`/api/admin/scopes/${encodeURIComponent('../etc')}`, { headers: admin })).status).toBe(400)

    const dry = await app.request('/api/admin/migrate', jsonRequest('POST', { from: 'user-123', to: 'user-456', dryRun: true }, admin))
    expect(dry.status).toBe(200)
    expect(await dry.json()).toMatchObject({ dryRun: true, documents: 1 })
    const moved = await app.request('/api/admin/migrate', jsonRequest('POST', { from: 'user-123', to: 'user-456' }, admin))
    expect(moved.status).toBe(200)
    const list = (await (await app.request('/api/documents/list', { headers: { 'x-isolation-key': 'user-456', ...admin } })).json()) as { documents: unknown[] }
    expect(list.documents).toHaveLength(1)
    expect(((await (await app.request('/api/documents/list', { headers: { 'x-isolation-key': 'user-123', ...admin } })).json()) as { documents: unknown[] }).documents).toEqual([])

    const plan = await app.request('/api/admin/cleanup', jsonRequest('POST', { olderThanMs: 1, kinds: ['custom'], dryRun: true }, admin))
    // Used a moment ago: within the activity window (60 s) no age makes it idle, and the answer says why.
    expect(await plan.json()).toMatchObject({ dryRun: true, removed: [], activityWindowMs: 60_000 })
    clock += 60_000 + 2
    const cleaned = (await (await app.request('/api/admin/cleanup', jsonRequest('POST', { olderThanMs: 1, kinds: ['custom'] }, admin))).json()) as { removed: Array<{ key: string }> }
    expect(cleaned.removed.map((r) => r.key)).toEqual(['user-456'])
    expect(await listTree(createLayout(server.config.dataDir).vectorsDir(customScope('user-456')))).toEqual([])
  })

  it('migrates conversations so that /v1/sessions reports the new key as user_id (rename, then merge)', async () => {
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN] } })
    const app = server.getApp()
    const as = (key: string) => ({ 'x-isolation-key': key, ...admin })
    const created = await app.request('/v1/sessions', { method: 'POST', headers: as('user-a') })
    const { id, user_id: before } = (await created.json()) as { id: string; user_id: string }
    expect(before).toBe('user-a')
    const userIds = async (key: string) => {
      const one = (await (await app.request(`/v1/sessions/${id}`, { headers: as(key) })).json()) as { user_id: string }
      const all = (await (await app.request('/v1/sessions', { headers: as(key) })).json()) as { sessions: Array<{ id: string; user_id: string }> }
      return [one.user_id, ...all.sessions.map((session) => session.user_id)]
    }

    const renamed = await app.request('/api/admin/migrate', jsonRequest('POST', { from: 'user-a', to: 'user-b' }, admin))
    expect(await renamed.json()).toMatchObject({ mode: 'rename', conversations: 1 })
    expect(await userIds('user-b')).toEqual(['user-b', 'user-b'])

    await app.request('/api/documents/upload', { method: 'POST', headers: as('user-c'), body: uploadForm('c.txt', 'the target is not empty') })
    const merged = await app.request('/api/admin/migrate', jsonRequest('POST', { from: 'user-b', to: 'user-c' }, admin))
    expect(await merged.json()).toMatchObject({ mode: 'merge', conversations: 1 })
    expect(await userIds('user-c')).toEqual(['user-c', 'user-c'])
  })

  it('resolves a bare 32-hex session id (as x-session-id shows it) to the session, as the CLI does', async () => {
    const server = await makeServer({ isolation: 'session', accessKeys: { admin: [ADMIN] } })
    const app = server.getApp()
    const upload = await app.request('/api/documents/upload', { method: 'POST', headers: admin, body: uploadForm('s.txt', 'session data to inspect') })
    const id = upload.headers.get('x-session-id')!
    const inspect = (await (await app.request(`/api/admin/scopes/${id}`, { headers: admin })).json()) as { exists: boolean; kind: string; documents: unknown[] }
    expect(inspect).toMatchObject({ exists: true, kind: 'session' })
    expect(inspect.documents).toHaveLength(1)
    const moved = await app.request('/api/admin/migrate', jsonRequest('POST', { from: id, to: 'user-kept' }, admin))
    expect(await moved.json()).toMatchObject({ documents: 1 })
  })

  it('validates admin bodies (400)', async () => {
    const server = await makeServer({ accessKeys: { admin: [ADMIN] } })
    const app = server.getApp()
    expect((await app.request('/api/admin/migrate', jsonRequest('POST', { from: 'a' }, admin))).status).toBe(400)
    expect((await app.request('/api/admin/cleanup', jsonRequest('POST', { olderThanMs: -1 }, admin))).status).toBe(400)
  })
})
