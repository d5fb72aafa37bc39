/**
 * The document list on the web page: a page at a time, deleting in place after
 * a confirmation, with `isolation: 'none'` (the shared scope, no identity to give).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { uploadForm } from '../server/helpers.js'
import { chromiumMissing, launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser.js'

const DOCUMENTS = 23
const name = (index: number) => `note-${String(index).padStart(2, '0')}.txt`

describe.skipIf(chromiumMissing !== undefined)('the document list on the web page', () => {
  let browser: Browser
  let server: BentoServer
  let dataDir: string
  let url: string

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-web-docs-'))
    server = createBentoServer({ dataDir, logger: false })
    for (let index = 0; index < DOCUMENTS; index += 1) {
      const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm(name(index), `Note number ${index} about the quarterly report.`) })
      expect(response.status).toBe(200)
    }
    ;({ url } = await server.start({ port: 0 }))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('pages through the documents and deletes one only after the confirmation', async () => {
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/`)
    await page.getByText('Shared documents: everyone using this server sees and changes the same documents.').waitFor()
    const titles = page.locator('table.documents tbody th')
    await titles.first().waitFor()
    const firstPage = await titles.allTextContents()
    expect(firstPage).toHaveLength(20)
    await page.getByRole('button', { name: 'Next page' }).click()
    await page.waitForFunction(() => document.querySelectorAll('table.documents tbody tr').length === 3)
    const secondPage = await titles.allTextContents()
    expect([...firstPage, ...secondPage].sort()).toEqual(Array.from({ length: DOCUMENTS }, (_, index) => name(index)))
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true)
    await screenshot(page, 'documents-page-2')

    const victim = secondPage[0]!
    await page.getByRole('button', { name: `Delete ${victim}` }).click()
    // First the question, in place; "Keep" changes nothing.
    await page.getByRole('group', { name: `Delete ${victim}?` }).waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Keep' }).click()
    expect(await titles.allTextContents()).toContain(victim)
    await page.getByRole('button', { name: `Delete ${victim}` }).click()
    await page.getByRole('group', { name: `Delete ${victim}?` }).getByRole('button', { name: `Delete ${victim}` }).click()
    await page.getByText(`Deleted ${victim}.`).waitFor()
    await page.waitForFunction((gone) => ![...document.querySelectorAll('table.documents tbody th')].some((cell) => cell.textContent === gone), victim)
    const listed = await (await server.getApp().request('/api/documents/list')).json() as { documents: Array<{ title: string }> }
    expect(listed.documents.map((document) => document.title)).not.toContain(victim)
    expect(listed.documents).toHaveLength(DOCUMENTS - 1)

    await page.getByRole('button', { name: 'Previous page' }).click()
    await page.waitForFunction(() => document.querySelectorAll('table.documents tbody tr').length === 20)
    expect(problems).toEqual([])
    await context.close()
  })

  it('downloads the original file under its own name', async () => {
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/`)
    await page.getByRole('button', { name: `Download ${name(5)}` }).waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${name(5)}` }).click()])
    expect(download.suggestedFilename()).toBe(name(5))
    const saved = await download.path()
    expect(await readFile(saved, 'utf8')).toBe('Note number 5 about the quarterly report.')
    expect(problems).toEqual([])
    await context.close()
  })
})
