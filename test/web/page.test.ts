/**
 * The web page in a real browser (Debian's Chromium): the flows of issue 19 as a
 * person does them, against a real `createBentoServer` on 127.0.0.1 in session
 * mode with client and admin keys. Each test starts a new browser context (a new
 * person: their own localStorage and sessionStorage); screenshots of every view
 * go to test-output/web/.
 *
 * Expired sessions are made the way idle days make them, without a clock or a
 * sleep: another process (a second, unstarted server on the same data dir) writes
 * session scopes while the server runs, and their activity is backdated on disk.
 * (Written before the start, the server's start-up sweep would remove them.)
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { uploadForm } from '../server/helpers.js'
import { chromiumMissing, launchBrowser, openPage, screenshot, seriousA11yViolations, type WatchedPage } from './browser.js'

const CLIENT_KEY = 'client-key-for-browser-tests'
const ADMIN_KEY = 'admin-key-for-browser-tests'
const MAX_FILE_BYTES = 64 * 1024
const EXPIRED = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'] as const
/** The expired session a returning visitor's browser still holds. */
const RETURNING = 'aaaabbbbccccddddeeeeffff00001111'
const DAY_MS = 24 * 3600_000

if (chromiumMissing) console.warn(chromiumMissing)

const sessionDir = (dataDir: string, id: string) => path.join(dataDir, 'vectors', 'isolated', `session-${id}`)

/** Session scopes with a document each, last active three days ago, written by another process. */
const writeExpiredSessions = async (dataDir: string, ids: readonly string[]): Promise<void> => {
  const other = createBentoServer({ dataDir, isolation: 'session', logger: false })
  for (const id of ids) {
    const response = await other.getApp().request('/api/documents/upload', { method: 'POST', headers: { 'x-session-id': id }, body: uploadForm('old-notes.txt', 'Refunds used to take ninety days.') })
    expect(response.status).toBe(200)
  }
  await other.stop()
  const threeDaysAgo = new Date(Date.now() - 3 * DAY_MS).toISOString()
  for (const id of ids) {
    await writeFile(path.join(sessionDir(dataDir, id), 'activity.json'), JSON.stringify({ createdAt: threeDaysAgo, lastActiveAt: threeDaysAgo }))
  }
}

describe.skipIf(chromiumMissing !== undefined)('the web page in Chromium', () => {
  let browser: Browser
  let server: BentoServer
  let dataDir: string
  let url: string
  /** The first user's page, kept across tests as a person keeps a tab open. */
  let first: WatchedPage
  let firstSession: string

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-web-'))
    server = createBentoServer({
      dataDir,
      isolation: 'session',
      logger: false,
      sessionTtlMs: DAY_MS,
      accessKeys: { client: [CLIENT_KEY], admin: [ADMIN_KEY] },
      uploadLimits: { maxFileBytes: MAX_FILE_BYTES },
    })
    ;({ url } = await server.start({ port: 0 }))
    await writeExpiredSessions(dataDir, [...EXPIRED, RETURNING])
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const signIn = async (page: Page): Promise<void> => {
    await page.goto(`${url}/`)
    await page.getByLabel('Access key').fill(CLIENT_KEY)
    await page.getByRole('button', { name: 'Use key' }).click()
  }

  const view = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click()

  it('a session user uploads two files, searches, opens a source, and chats in retrieval-only mode with sources', async () => {
    first = await openPage(browser)
    const { page, problems } = first
    await signIn(page)
    await page.getByLabel('Choose files').setInputFiles([
      { name: 'refunds.md', mimeType: 'text/markdown', buffer: Buffer.from('# Refund policy\n\nRefunds are accepted within 30 days of purchase, with the receipt.') },
      { name: 'shipping.txt', mimeType: 'text/plain', buffer: Buffer.from('Shipping takes five business days. Express shipping costs extra.') },
    ])
    await page.locator('.upload[data-state="done"]').nth(1).waitFor()
    expect(await page.locator('.upload-outcome').allTextContents()).toEqual(['Added: 1 passage.', 'Added: 1 passage.'])
    await page.getByRole('row', { name: /shipping\.txt/ }).waitFor()
    expect(await page.locator('table.documents tbody th').allTextContents()).toEqual(expect.arrayContaining(['Refund policy', 'shipping.txt']))
    firstSession = (await page.evaluate(() => localStorage.getItem('session-id'))) ?? ''
    expect(firstSession).toMatch(/^[0-9a-f]{32}$/)
    expect(existsSync(sessionDir(dataDir, firstSession))).toBe(true)
    await screenshot(page, 'documents')
    const a11y = await seriousA11yViolations(page)

    await view(page, 'Search')
    await page.getByRole('searchbox', { name: 'Search your documents' }).fill('refund days')
    await page.keyboard.press('Enter')
    await page.locator('.result').first().waitFor()
    expect(await page.locator('.result h3').first().textContent()).toBe('Refund policy')
    expect(await page.locator('.result').first().locator('mark').allTextContents()).toEqual(expect.arrayContaining(['Refund', 'days']))
    expect(await page.locator('.result .score').first().textContent()).toMatch(/^score [01]\.\d{3}$/)
    a11y.push(...await seriousA11yViolations(page))
    await page.getByRole('button', { name: /Open source of passage 1/ }).click()
    const dialog = page.getByRole('dialog', { name: 'Refund policy' })
    await dialog.waitFor()
    expect(await dialog.locator('blockquote').textContent()).toContain('accepted within 30 days')
    await screenshot(page, 'search-source')
    a11y.push(...await seriousA11yViolations(page))
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })

    await view(page, 'Chat')
    await page.getByText('No language model is configured').waitFor()
    await page.getByLabel('Your message').fill('How many days do refunds take?')
    await page.getByRole('button', { name: 'Send' }).click()
    await page.locator('.turn-assistant .model').waitFor()
    expect(await page.locator('.turn-assistant .model').textContent()).toBe('retrieval only')
    expect(await page.locator('.turn-assistant .content').textContent()).toContain('Refunds are accepted within 30 days')
    expect(await page.locator('.sources button').allTextContents()).toContain('Refund policy')
    await page.getByRole('button', { name: /Started .* · 2 messages/ }).waitFor()
    await page.locator('.sources').getByRole('button', { name: 'Refund policy' }).click()
    await page.getByRole('dialog', { name: 'Refund policy' }).locator('mark').first().waitFor()
    await page.keyboard.press('Escape')
    await screenshot(page, 'chat')
    a11y.push(...await seriousA11yViolations(page))

    expect(a11y).toEqual([])
    expect(problems).toEqual([])
  })

  it('a second browser context (another person) sees none of it', async () => {
    const { page, problems, context } = await openPage(browser)
    await signIn(page)
    await page.getByText('No documents yet').waitFor()
    const session = await page.evaluate(() => localStorage.getItem('session-id'))
    expect(session).toMatch(/^[0-9a-f]{32}$/)
    expect(session).not.toBe(firstSession)
    await view(page, 'Search')
    await page.getByRole('searchbox', { name: 'Search your documents' }).fill('refund days')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('Nothing found for “refund days”.').waitFor()
    await view(page, 'Chat')
    await page.locator('.conversations').getByText('None yet.').waitFor()
    expect(problems).toEqual([])
    await context.close()
  })

  it('says so when the session it kept has expired, and starts an empty one', async () => {
    const { page, problems, context } = await openPage(browser)
    await context.addInitScript((id) => localStorage.setItem('session-id', id), RETURNING)
    await signIn(page)
    // The server says so (x-session-expired: true), and the page says it in those words.
    await page.getByText('Your previous session expired; this is a new, empty session.').waitFor()
    await page.getByText('No documents yet').waitFor()
    const session = await page.evaluate(() => localStorage.getItem('session-id'))
    expect(session).not.toBe(RETURNING)
    await screenshot(page, 'session-expired')
    expect(problems).toEqual([])
    await context.close()
  })

  it('shows a clear message for an unsupported file and a too-large one, and adds neither', async () => {
    const { page, problems } = first
    await view(page, 'Documents')
    await page.getByLabel('Choose files').setInputFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
      { name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(MAX_FILE_BYTES + 1, 'a') },
    ])
    const failed = page.locator('.upload[data-state="failed"] .upload-outcome')
    await failed.nth(1).waitFor()
    const messages = await failed.allTextContents()
    expect(messages.find((text) => text.includes('photo.png'))).toMatch(/^Unsupported file/)
    expect(messages).toContain('Too large: 64 KB. This server accepts files up to 64 KB.')
    expect(await page.locator('table.documents tbody tr').count()).toBe(2)
    await screenshot(page, 'upload-errors')
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(problems).toEqual([])
  })

  it('an operator is refused with a wrong admin key, then lists scopes, inspects one, and previews and runs a cleanup of expired sessions', async () => {
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/#operator`)
    await page.getByLabel('Admin key').fill('not-the-admin-key-at-all')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('That admin key is not valid. Check it and try again.').waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('bento-admin-key'))).toBeNull()
    await screenshot(page, 'operator-wrong-key')

    await page.getByLabel('Admin key').fill(ADMIN_KEY)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const scopes = page.locator('table.usage').filter({ has: page.locator('caption', { hasText: 'Scopes' }) })
    await scopes.waitFor()
    const keys = await scopes.locator('tbody th').allTextContents()
    expect(keys).toEqual(expect.arrayContaining([firstSession, ...EXPIRED]))
    expect(await scopes.locator('.fill').count()).toBe(keys.length)
    expect(await page.evaluate(() => sessionStorage.getItem('bento-admin-key'))).toBe(ADMIN_KEY)
    await page.getByLabel('Group by tenant').check()
    await page.locator('table.usage caption', { hasText: 'By tenant' }).waitFor()
    await screenshot(page, 'operator-scopes')
    const a11y = await seriousA11yViolations(page)

    await page.getByRole('button', { name: `Inspect ${firstSession}` }).click()
    await page.getByText('Healthy: the index, the document store and the manifest agree.').waitFor()
    expect(await page.locator('.facts').textContent()).toContain('Documents2')

    await page.getByLabel('Remove scopes inactive for longer than').fill('2 days')
    await page.getByRole('button', { name: 'Preview the cleanup' }).click()
    await page.getByText('“2 days” is not a duration.').waitFor()
    await page.getByLabel('Remove scopes inactive for longer than').fill('24h')
    await page.getByRole('button', { name: 'Preview the cleanup' }).click()
    const plan = page.locator('.plan')
    await plan.waitFor()
    const planned = await plan.locator('li code').allTextContents()
    // The returning visitor's expired session may already be retired by the server; the others are in the plan.
    expect(planned).toEqual(expect.arrayContaining([...EXPIRED]))
    expect(planned).not.toContain(firstSession)
    // The preview changed nothing.
    for (const id of EXPIRED) expect(existsSync(sessionDir(dataDir, id))).toBe(true)
    await screenshot(page, 'operator-cleanup-plan')
    a11y.push(...await seriousA11yViolations(page))
    await page.getByRole('button', { name: `Remove ${planned.length} scopes` }).click()
    await page.getByText(new RegExp(`^Removed ${planned.length} scopes and freed`)).waitFor()
    for (const id of EXPIRED) expect(existsSync(sessionDir(dataDir, id))).toBe(false)
    expect(existsSync(sessionDir(dataDir, firstSession))).toBe(true)
    await screenshot(page, 'operator-cleanup-done')

    expect(a11y).toEqual([])
    expect(problems).toEqual([])
    await context.close()
  })

  it('fits a phone screen and works with the keyboard, focus visible', async () => {
    const { page, problems } = first
    await page.setViewportSize({ width: 390, height: 800 })
    await view(page, 'Documents')
    await page.getByRole('row', { name: /shipping\.txt/ }).waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'phone-documents')

    await page.reload()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Search')
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!)
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) }
    })
    expect(outline.style).not.toBe('none')
    expect(outline.width).toBeGreaterThanOrEqual(2)
    await page.keyboard.press('Enter')
    await page.getByRole('searchbox').waitFor()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('search')
    await page.keyboard.type('shipping')
    await page.keyboard.press('Enter')
    await page.locator('.result').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'phone-search')
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(problems).toEqual([])
  })
})
