/**
 * Migrate on the operator's page, as the CLI does it: the plan first, then an
 * explicit confirmation; nothing moves on the preview.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { uploadForm } from '../server/helpers.js'
import { chromiumMissing, launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser.js'

const ADMIN_KEY = 'admin-key-for-browser-tests'

describe.skipIf(chromiumMissing !== undefined)('migrate on the operator page', () => {
  let browser: Browser
  let server: BentoServer
  let dataDir: string
  let url: string

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-web-migrate-'))
    server = createBentoServer({ dataDir, logger: false, accessKeys: { admin: [ADMIN_KEY] } })
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', headers: { 'x-bento-admin-key': ADMIN_KEY }, body: uploadForm('handbook.md', '# Handbook\n\nWelcome aboard.') })
    expect(response.status).toBe(200)
    ;({ url } = await server.start({ port: 0 }))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('previews moving the shared scope to a user, changes nothing until confirmed, then moves it', async () => {
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/#operator`)
    await page.getByLabel('Admin key').fill(ADMIN_KEY)
    await page.getByLabel('Admin key').press('Enter')
    await page.getByRole('button', { name: 'Inspect shared' }).waitFor()

    await page.getByRole('button', { name: 'Preview the migration' }).click()
    await page.getByText('Name both scopes: the one to move from and the key to move it to.').waitFor()
    await page.getByLabel(/^From/).fill('shared')
    await page.getByLabel(/^To/).fill('bad key!')
    await page.getByRole('button', { name: 'Preview the migration' }).click()
    await page.getByText(/^The migration could not be planned: /).waitFor()

    await page.getByLabel(/^To/).fill('user-123')
    await page.getByRole('button', { name: 'Preview the migration' }).click()
    await page.getByText('The plan: move shared to user-123 (a rename: the target is empty)').waitFor()
    expect(await page.locator('.plan p').textContent()).toMatch(/^1 document, 1 vector, 1 upload, 0 conversations/)
    expect(existsSync(path.join(dataDir, 'vectors', 'isolated', 'user-123'))).toBe(false)
    await screenshot(page, 'operator-migrate-plan')
    expect(await seriousA11yViolations(page)).toEqual([])

    await page.getByRole('button', { name: 'Move to user-123' }).click()
    await page.getByText(/^Moved 1 document, .* from shared to user-123\.$/).waitFor()
    await page.getByRole('button', { name: 'Inspect user-123' }).waitFor()
    expect(existsSync(path.join(dataDir, 'vectors', 'isolated', 'user-123', 'docstore.json'))).toBe(true)
    expect(problems).toEqual([])
    await context.close()
  })
})
