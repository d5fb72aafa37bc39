/**
 * The CLI loads only what the invoked command needs (docs/ARCHITECTURE.md,
 * "What the CLI loads"): every package a run imports is recorded by a module
 * hook, and a file-backend `ls` must not pull in the database, server, prompt,
 * schema or parser packages that other commands use, nor du and a dry run the
 * fs backend's moves, export/import and lexical modules.
 */
import { execFile } from 'node:child_process'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, REPO_ROOT, assertBuilt, baseEnv, makeTempDir, removeDir } from './support/bento.js'
import { buildDataDir } from './support/fixture.js'

const RECORDER = path.join(REPO_ROOT, 'test/cli/support/import-recorder.mjs')

let tmp: string
let runs = 0

/** The packages (`pg`, `@electric-sql/pglite`) and Bento's own modules (`core/lock.js`) a run of `bento <args>` imported, and its stdout. */
const packagesImportedBy = async (args: string[]): Promise<{ packages: Set<string>; modules: Set<string>; stdout: string }> => {
  const file = path.join(tmp, `imports-${runs++}.txt`)
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', RECORDER, BIN, ...args], { env: baseEnv({ BENTO_TEST_IMPORTS_FILE: file }), cwd: tmp, timeout: 60_000 }, (error, out, err) =>
      error ? reject(new Error(`bento ${args.join(' ')} failed: ${err}`)) : resolve(out))
  })
  const packages = new Set<string>()
  const modules = new Set<string>()
  for (const url of (await fsp.readFile(file, 'utf8')).split('\n')) {
    const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]
    if (name) packages.add(name)
    const own = /\/dist\/(.+\.js)$/.exec(url)?.[1]
    if (own && !name) modules.add(own)
  }
  return { packages, modules, stdout }
}

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir('bento-lean-')
  await buildDataDir(path.join(tmp, 'data'), [{ key: 'user-1', files: { 'a.md': 'Refunds take two weeks.' } }])
}, 60_000)
afterAll(() => removeDir(tmp))

describe('bento start-up', () => {
  it('--help loads commander and no other package (piped: no color, so not chalk)', async () => {
    const { packages, stdout } = await packagesImportedBy(['--help'])
    expect(stdout).toContain('Usage: bento')
    expect([...packages].sort()).toEqual(['commander'])
  })

  it('ls on the file backend (reading a manifest) loads no database, server, prompt, schema or document-parser package', async () => {
    const { packages, stdout } = await packagesImportedBy(['ls', '--json', '--data-dir', path.join(tmp, 'data')])
    expect(JSON.parse(stdout).scopes.map((scope: { key: string }) => scope.key)).toEqual(['user-1'])
    expect(packages).toContain('commander')
    const heavy = [...packages].filter((name) => /^(pg|pg-.*|@electric-sql\/.*|hono|@hono\/.*|jose|pino|@inquirer\/.*|zod|pdfjs-dist|mammoth|html-to-text|tar-stream|hnswlib-node)$/.test(name))
    expect(heavy).toEqual([])
  })

  it('du and a cleanup dry run load neither the moves, export/import, conversations nor the lexical index', async () => {
    const dataDir = path.join(tmp, 'data')
    const [du, dryRun] = await Promise.all([
      packagesImportedBy(['du', '--json', '--data-dir', dataDir]),
      packagesImportedBy(['cleanup', '--older-than', '24h', '--dry-run', '--json', '--data-dir', dataDir]),
    ])
    expect(JSON.parse(du.stdout).scopeCount).toBe(1)
    expect(JSON.parse(dryRun.stdout).dryRun).toBe(true)
    for (const run of [du, dryRun]) {
      expect(run.modules).toContain('core/backend/fs-backend.js')
      const unused = [...run.modules].filter((file) =>
        /^core\/(lexical\/|conversations\.js|backend\/(fs-(migrate-|copy-tree|recover|remove|trash|scope-export|scope-import|adopt)|scope-merge))/.test(file))
      expect(unused).toEqual([])
    }
  })
})
