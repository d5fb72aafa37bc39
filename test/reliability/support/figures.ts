/**
 * Figures for docs/RELIABILITY.md. A test that proved something records what
 * it tried and how often; `scripts/reliability-report.mjs` sets
 * BENTO_RELIABILITY_OUT, runs the suites and renders the table from these files.
 * Without the variable nothing is written.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const record = async (name: string, figures: Record<string, unknown>): Promise<void> => {
  const dir = process.env.BENTO_RELIABILITY_OUT
  if (!dir) return
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify({ name, at: new Date().toISOString(), ...figures }, null, 2)}\n`)
}
