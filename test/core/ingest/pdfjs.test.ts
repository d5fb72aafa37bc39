import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const EXTRACTOR = path.join(REPO_ROOT, 'dist/core/ingest/extract-pdf.js')

/** In a fresh process (a fresh realm: no earlier import can have polyfilled or restored anything), which natives an import replaced. */
const replacedBy = (specifier: string): string[] => {
  const script = `
    const natives = { 'JSON.parse': JSON.parse, 'Array.prototype.push': Array.prototype.push, 'Function.prototype.toString': Function.prototype.toString }
    await import(${JSON.stringify(specifier)})
    const now = { 'JSON.parse': JSON.parse, 'Array.prototype.push': Array.prototype.push, 'Function.prototype.toString': Function.prototype.toString }
    console.log(JSON.stringify(Object.keys(natives).filter((name) => natives[name] !== now[name])))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' })) as string[]
}

describe('loading the PDF extractor', () => {
  it('leaves JSON.parse, Array.prototype.push and Function.prototype.toString native, which pdf.js alone replaces', () => {
    if (!existsSync(EXTRACTOR)) throw new Error('dist/ is missing: run `npm run build` (npm test does) first.')
    expect(replacedBy('pdfjs-dist/legacy/build/pdf.mjs')).toEqual(['JSON.parse', 'Array.prototype.push', 'Function.prototype.toString'])
    expect(replacedBy(pathToFileURL(EXTRACTOR).href)).toEqual([])
  })
})
