import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { BentoError, BusyError, type ErrorCode } from '../../src/core/errors.js'
import { customScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { withScopeLock } from '../../src/core/lock.js'
import { HTTP_STATUSES } from '../../src/server/index.js'
import { errorResponse } from '../../src/server/errors.js'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

const appThrowing = (error: unknown) => {
  const app = new Hono()
  app.onError((err, c) => errorResponse(c, err))
  app.get('/', () => {
    throw error
  })
  return app
}

describe('error mapping', () => {
  it.each(Object.entries(HTTP_STATUSES) as Array<[ErrorCode, number]>)('%s → %i, as JSON with the code kept', async (code, status) => {
    const response = await appThrowing(new BentoError(code, `message for ${code}`)).request('/')
    expect(response.status).toBe(status)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe(code)
    expect(Object.keys(body)).toEqual(['error'])
  })

  it('adds Retry-After to busy answers', async () => {
    const response = await appThrowing(new BusyError('migrating', 3)).request('/')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('3')
  })

  it('never sends the message of an unexpected error', async () => {
    const response = await appThrowing(new TypeError('secret internals at /srv/data/vectors/isolated/user-1')).request('/')
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('secret')
  })

  it('answers 503 + Retry-After when another operation holds the scope lock', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const layout = createLayout(server.config.dataDir)
    await withScopeLock(layout, customScope('user-1'), async () => {
      const response = await server.getApp().request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': 'user-1' }, body: uploadForm('a.txt', 'locked out') })
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await response.json()).toMatchObject({ error: { code: 'locked' } })
    })
  })
})
