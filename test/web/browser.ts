/**
 * One real Chromium for the browser tests (Debian's, driven by playwright-core:
 * it downloads no browser of its own), with what every test checks on every
 * page: no Content-Security-Policy violation, no uncaught error, no failed
 * request the test did not expect, and axe-core's accessibility check.
 *
 * When Chromium is not installed (`.ci/run` installs it with apt), the tests are
 * skipped with the reason printed, never silently.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.BENTO_CHROMIUM ?? '/usr/bin/chromium'
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `browser tests skipped: no Chromium at ${CHROMIUM} (install it with \`apt-get install chromium\`, as .ci/run does, or set BENTO_CHROMIUM)`

// The machine has no network: nothing in the browser may try to reach one.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
/** Gitignored; CI keeps it as an artifact. */
export const SCREENSHOT_DIR = process.env.BENTO_SCREENSHOT_DIR ?? path.join(REPO_ROOT, 'test-output', 'web')

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS })

export interface WatchedPage {
  page: Page
  context: BrowserContext
  /** CSP violations, uncaught errors and console errors, as text. */
  problems: string[]
}

/** A new context (a new user: its own storage) and page, watched for problems. */
export const openPage = async (browser: Browser, options: { width?: number; height?: number } = {}): Promise<WatchedPage> => {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: options.height ?? 800 }, acceptDownloads: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    // A 4xx the test provoked is logged by Chromium as "Failed to load resource"; the test checks the page's answer to it.
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`console error: ${message.text()}`)
    }
  })
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.push(`CSP violation: ${text}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      ;(window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`)
    })
  })
  return { page, context, problems }
}

export const screenshot = async (page: Page, name: string): Promise<string> => {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

let axeSource: string | undefined

/** axe-core's serious and critical violations on the page as it is now (evaluated over CDP, which the page's CSP does not govern). */
export const seriousA11yViolations = async (page: Page): Promise<string[]> => {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => JSON.stringify(node.target)).slice(0, 3) }))
  })
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(', ')}`)
}
