/**
 * Chat on the web page with a language model (a local server speaking the
 * OpenAI protocol stands in for OpenRouter): the answer appears while it is
 * being written, ends with the model's name and its sources, is kept in the
 * conversation list; a stream that breaks keeps what arrived and says so.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js'
import { uploadForm } from '../server/helpers.js'
import { chromiumMissing, launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser.js'

const ANSWER = 'Refunds are accepted within 30 days of purchase, with the receipt.'

describe.skipIf(chromiumMissing !== undefined)('chat on the web page with a language model', () => {
  let browser: Browser
  let server: BentoServer
  let fake: FakeOpenAI
  let dataDir: string
  let url: string

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-web-chat-'))
    fake = await startFakeOpenAI({ reply: () => ANSWER })
    server = createBentoServer({ dataDir, isolation: 'custom', logger: false, openRouterKey: 'sk-test', chat: { baseUrl: fake.url, model: 'openai/gpt-4o-mini' } })
    ;({ url } = await server.start({ port: 0 }))
    const upload = await server.getApp().request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': 'user-1' }, body: uploadForm('refunds.md', '# Refund policy\n\nRefunds are accepted within 30 days of purchase.') })
    expect(upload.status).toBe(200)
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await fake?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('streams the answer into the page, then shows the model, the sources and the conversation', async () => {
    let release!: () => void
    fake.options.streamPause = { after: 3, until: new Promise<void>((resolve) => (release = resolve)) }
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/#chat`)
    await page.getByLabel('Your user key').fill('user-1')
    await page.getByRole('button', { name: 'Use this key' }).click()
    await page.getByLabel('Your message').fill('How long do refunds take?')
    await page.getByLabel('Your message').press('Enter')
    const answer = page.locator('.turn-assistant .content')
    // Half written: the first three words are on the page while the model is still holding the rest.
    await page.waitForFunction(() => document.querySelector('.turn-assistant .content')?.textContent === 'Refunds are accepted ')
    expect(await answer.getAttribute('aria-busy')).toBe('true')
    expect(await page.locator('.sources button').allTextContents()).toEqual(['Refund policy'])
    await screenshot(page, 'chat-streaming')
    release()
    await page.locator('.turn-assistant .model').waitFor()
    expect(await answer.textContent()).toBe(ANSWER)
    expect(await page.locator('.turn-assistant .model').textContent()).toBe('openai/gpt-4o-mini')
    await page.getByRole('button', { name: /Started .* · 2 messages/ }).waitFor()
    // The model was given the passage as context.
    const sent = fake.requests.filter((request) => request.path === '/v1/chat/completions').at(-1)
    expect(JSON.stringify(sent?.body)).toContain('Refunds are accepted within 30 days')
    await screenshot(page, 'chat-llm')
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(problems).toEqual([])
    await context.close()
  })

  it('keeps what arrived when the stream breaks, and says the answer stopped', async () => {
    fake.options.streamPause = undefined
    fake.options.streamHangUpAfter = 2
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/#chat`)
    await page.getByLabel('Your user key').fill('user-1')
    await page.getByRole('button', { name: 'Use this key' }).click()
    await page.getByLabel('Your message').fill('How long do refunds take?')
    await page.getByRole('button', { name: 'Send' }).click()
    await page.getByText(/^The answer stopped before it was complete: /).waitFor()
    expect(await page.locator('.turn-assistant .content').textContent()).toBe('Refunds are ')
    expect(problems).toEqual([])
    await context.close()
    fake.options.streamHangUpAfter = undefined
  })
})
