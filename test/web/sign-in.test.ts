/**
 * The web page under `--auth jwt`: the same identity rules as the API. The scope
 * comes from the token the person pastes, never from anything else the page sends;
 * no token and an expired token each get a message saying what to do.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { SignJWT } from 'jose'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { chromiumMissing, launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser.js'

const SECRET = 'a-test-secret-of-at-least-32-bytes-long'

const tokenFor = (sub: string, expiresAt: number = Math.floor(Date.now() / 1000) + 3600): Promise<string> =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(expiresAt - 7200).setExpirationTime(expiresAt).sign(new TextEncoder().encode(SECRET))

describe.skipIf(chromiumMissing !== undefined)('the web page with verified identity (JWT)', () => {
  let browser: Browser
  let server: BentoServer
  let dataDir: string
  let url: string

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-web-jwt-'))
    server = createBentoServer({ dataDir, logger: false, auth: { type: 'jwt', secret: SECRET } })
    ;({ url } = await server.start({ port: 0 }))
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const useToken = async (page: Page, token: string) => {
    await page.getByLabel('Sign-in token').fill(token)
    await page.getByRole('button', { name: /^(Use|Replace) token$/ }).click()
  }

  it('asks for a token, then keeps each signed-in person to their own documents', async () => {
    const alice = await openPage(browser)
    await alice.page.goto(`${url}/`)
    await alice.page.getByText('This server signs people in with a token: paste yours under “Sign-in token” above.').first().waitFor()
    // No user-key field: with verified identity the key comes from the token only.
    expect(await alice.page.getByLabel('Your user key').count()).toBe(0)
    await useToken(alice.page, await tokenFor('alice'))
    await alice.page.getByText('No documents yet').waitFor()
    await alice.page.getByLabel('Choose files').setInputFiles({ name: 'alice.txt', mimeType: 'text/plain', buffer: Buffer.from('Alice keeps her notes here.') })
    await alice.page.getByRole('row', { name: /alice\.txt/ }).waitFor()
    await screenshot(alice.page, 'jwt-documents')
    expect(await seriousA11yViolations(alice.page)).toEqual([])
    expect(alice.problems).toEqual([])

    const bob = await openPage(browser)
    await bob.page.goto(`${url}/`)
    await useToken(bob.page, await tokenFor('bob'))
    await bob.page.getByText('No documents yet').waitFor()
    expect(bob.problems).toEqual([])
    await bob.context.close()
    await alice.context.close()
  })

  it('says an expired token was refused and what to do', async () => {
    const { page, problems, context } = await openPage(browser)
    await page.goto(`${url}/`)
    await useToken(page, await tokenFor('alice', Math.floor(Date.now() / 1000) - 600))
    await page.getByText('Your sign-in token was refused (The token has expired.) Paste a fresh one above.').waitFor()
    expect(problems).toEqual([])
    await context.close()
  })
})
