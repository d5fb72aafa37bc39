/**
 * du, ls, inspect, search and add against a data dir built with the real ops.
 * One fixture per file; every run only reads it (add writes to its own data dir).
 * Each command runs at least once as the real binary (`runBento`: exit code, pipes,
 * color detection from the environment); the option and rendering cases run the
 * same program in-process (`runCli`), which saves a process start per case.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../reliability/support/cli-in-process.js'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'
import { buildDataDir, DAY_MS, text } from './support/fixture.js'

const SESSION = '0123456789abcdef0123456789abcdef'
let tmp: string
let dataDir: string

const sizeOfTree = async (dir: string): Promise<{ bytes: number; files: number }> => {
  let bytes = 0
  let files = 0
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      const sub = await sizeOfTree(full)
      bytes += sub.bytes
      files += sub.files
    } else {
      bytes += (await fsp.lstat(full)).size
      files++
    }
  }
  return { bytes, files }
}

const json = <T>(stdout: string): T => JSON.parse(stdout) as T

interface DuRow { key: string; dir: string; kind: string; vectorBytes: number; uploadBytes: number; totalBytes: number; files: number; lastActiveAt: string | null }

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  await buildDataDir(dataDir, [
    { key: 'shared', files: { 'handbook.md': text('onboarding', 80), 'faq.txt': text('vacation', 30) } },
    { key: 'user-123', files: { 'refunds.md': text('refunds', 20) } },
    { key: 'tenant_a:user_1', files: { 'a.txt': text('invoices', 5) } },
    { key: 'tenant_a:user_2', files: { 'b.txt': text('invoices', 6) } },
    { key: `session-${SESSION}`, files: { 'chat.txt': text('weather', 3) }, lastActiveAt: new Date(Date.now() - 3 * DAY_MS) },
    { key: 'broken', files: { 'c.txt': text('misc', 2) } },
    { key: 'session-abc123', files: { 'seed.md': text('isolation', 3) } },
  ])
  // An upload dir that belongs to no document: inspect must call the scope unhealthy.
  await fsp.mkdir(path.join(dataDir, 'uploads/isolated/broken/orphan-doc'), { recursive: true })
}, 60_000)
afterAll(() => removeDir(tmp))

describe('bento du', () => {
  it('--json: every scope with bytes that match the files on disk, largest first, with totals', async () => {
    const run = await runCli(['du', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const result = json<{ scopes: DuRow[]; totalBytes: number; vectorBytes: number; uploadBytes: number; files: number; scopeCount: number }>(run.stdout)
    expect(result.scopes.map((row) => row.key).sort()).toEqual([SESSION, 'broken', 'session-abc123', 'shared', 'tenant_a:user_1', 'tenant_a:user_2', 'user-123'].sort())
    for (const row of result.scopes) {
      expect(Object.keys(row).sort()).toEqual(['dir', 'files', 'key', 'kind', 'lastActiveAt', 'totalBytes', 'uploadBytes', 'vectorBytes'])
      const base = row.kind === 'shared' ? 'shared' : `isolated/${row.dir}`
      const vectors = await sizeOfTree(path.join(dataDir, 'vectors', base))
      const uploads = await sizeOfTree(path.join(dataDir, 'uploads', base))
      expect([row.key, row.vectorBytes, row.uploadBytes, row.files]).toEqual([row.key, vectors.bytes, uploads.bytes, vectors.files + uploads.files])
      expect(row.totalBytes).toBe(row.vectorBytes + row.uploadBytes)
    }
    const sizes = result.scopes.map((row) => row.totalBytes)
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
    expect(result.scopes[0]!.key).toBe('shared')
    expect(result.totalBytes).toBe(sizes.reduce((a, b) => a + b, 0))
    expect(result.scopeCount).toBe(7)
    expect(result.scopes.find((row) => row.key === SESSION)).toMatchObject({ kind: 'session', dir: `session-${SESSION}` })
    expect(Date.parse(result.scopes.find((row) => row.key === SESSION)!.lastActiveAt!)).toBeLessThan(Date.now() - 2 * DAY_MS)
  })

  it('human: an aligned table with sizes, a proportional bar per row and grand totals', async () => {
    const run = await runBento(['du', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^SCOPE\s+KIND\s+VECTORS\s+UPLOADS\s+TOTAL\s+FILES\s+LAST ACTIVE$/)
    expect(lines[1]).toMatch(/^shared\s+shared\s+[\d.]+ KiB\s+[\d.]+ KiB\s+[\d.]+ KiB\s+\d+\s+(just now|\d+[sm] ago)\s+█+/)
    const bars = lines.slice(1, 8).map((line) => (/([█▏▎▍▌▋▊▉]+)/.exec(line)?.[1] ?? '').length)
    expect(bars).toEqual([...bars].sort((a, b) => b - a))
    expect(bars[0]).toBeGreaterThan(bars[6]!)
    expect(lines.find((line) => line.startsWith(SESSION))).toMatch(/3d ago/)
    const column = (line: string) => line.indexOf('KiB')
    expect(new Set(lines.slice(1, 8).map(column)).size).toBeLessThanOrEqual(2)
    expect(lines.at(-1)).toMatch(/^Total: [\d.]+ KiB in 7 scopes \(vectors [\d.]+ KiB, uploads [\d.]+ KiB, \d+ files\)$/)
    expect(run.stdout).not.toContain('\x1b[')
  })

  it('--top, --sort name, --kind and --group-by tenant', async () => {
    const [top, byName, sessions, groups, ageSorted] = await Promise.all([
      runCli(['du', '--top', '2', '--data-dir', dataDir]),
      runCli(['du', '--sort', 'name', '--json', '--data-dir', dataDir]),
      runCli(['du', '--kind', 'session', '--json', '--data-dir', dataDir]),
      runCli(['du', '--group-by', 'tenant', '--json', '--data-dir', dataDir]),
      runCli(['du', '--sort', 'age', '--top', '1', '--json', '--data-dir', dataDir]),
    ])
    expect(top.stdout.trimEnd().split('\n').filter((line) => /█|▏/.test(line))).toHaveLength(2)
    expect(top.stdout).toContain('… 5 more scopes not shown (--top)')
    const dirs = json<{ scopes: DuRow[] }>(byName.stdout).scopes.map((row) => row.dir)
    expect(dirs).toEqual([...dirs].sort())
    expect(json<{ scopes: DuRow[] }>(sessions.stdout).scopes.map((row) => row.key)).toEqual([SESSION])
    const grouped = json<{ groups: Array<{ tenant: string; scopes: number; totalBytes: number }>; scopes: DuRow[] }>(groups.stdout)
    const tenantA = grouped.groups.find((group) => group.tenant === 'tenant_a')
    const members = grouped.scopes.filter((row) => row.key.startsWith('tenant_a:'))
    expect(tenantA).toMatchObject({ scopes: 2, totalBytes: members.reduce((sum, row) => sum + row.totalBytes, 0) })
    expect(json<{ scopes: DuRow[] }>(ageSorted.stdout).scopes.map((row) => row.key)).toEqual([SESSION])
    const human = await runCli(['du', '--group-by', 'tenant', '--data-dir', dataDir])
    expect(human.stdout).toMatch(/^TENANT\s+SCOPES\s+VECTORS/)
    expect(human.stdout).toMatch(/^tenant_a\s+2\s/m)
  })
})

describe('bento ls', () => {
  it('--json and the table: kind, documents, size and last activity per scope', async () => {
    const [asJson, table, custom] = await Promise.all([
      runCli(['ls', '--json', '--data-dir', dataDir]),
      runCli(['ls', '--data-dir', dataDir]),
      runCli(['ls', '--kind', 'custom', '--json', '--data-dir', dataDir]),
    ])
    expect(asJson.code).toBe(0)
    const rows = json<{ scopes: Array<{ key: string; kind: string; documents: number; totalBytes: number; lastActiveAt: string | null }> }>(asJson.stdout).scopes
    expect(rows.find((row) => row.key === 'shared')).toMatchObject({ kind: 'shared', documents: 2 })
    expect(rows.find((row) => row.key === 'user-123')).toMatchObject({ kind: 'custom', documents: 1 })
    expect(rows).toHaveLength(7)
    expect(table.stdout).toMatch(/^SCOPE\s+KIND\s+DOCUMENTS\s+SIZE\s+LAST ACTIVE$/m)
    expect(table.stdout).toMatch(/^tenant_a:user_1\s+custom\s+1\s+[\d.]+ KiB\s+(just now|\d+[sm] ago)$/m)
    expect(table.stdout).toMatch(new RegExp(`^${SESSION}\\s+session\\s+1\\s+[\\d.]+ KiB\\s+3d ago$`, 'm'))
    expect(table.stdout).toMatch(/^7 scopes$/m)
    expect(json<{ scopes: Array<{ kind: string }> }>(custom.stdout).scopes.every((row) => row.kind === 'custom')).toBe(true)
  })

  it('paints only for a terminal or FORCE_COLOR, never with NO_COLOR or --json', async () => {
    const [forced, noColor, jsonForced] = await Promise.all([
      runBento(['ls', '--data-dir', dataDir], { env: { FORCE_COLOR: '1' } }),
      runBento(['ls', '--data-dir', dataDir], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }),
      runBento(['ls', '--json', '--data-dir', dataDir], { env: { FORCE_COLOR: '1' } }),
    ])
    expect(forced.stdout).toContain('\x1b[')
    expect(noColor.stdout).not.toContain('\x1b[')
    expect(jsonForced.stdout).not.toContain('\x1b[')
    const plain = (out: string) => out.replace(/\x1b\[[\d;]*m/g, '').replace(/(just now|\d+[sm] ago)\s*$/gm, 'AGE')
    expect(plain(noColor.stdout)).toBe(plain(forced.stdout))
  })
})

describe('bento inspect', () => {
  it('--json: the documented shape for a healthy scope, exit 0', async () => {
    const run = await runBento(['inspect', 'user-123', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const result = json<Record<string, unknown>>(run.stdout)
    expect(result).toMatchObject({
      key: 'user-123',
      dir: 'user-123',
      kind: 'custom',
      exists: true,
      vectors: { deleted: 0, dimension: 384, space: 'cosine', embedder: expect.stringContaining('384') },
      documents: [{ id: expect.any(String), title: 'refunds.md', chunks: expect.any(Number) }],
      uploads: { files: 1, bytes: expect.any(Number) },
      expiresAt: null,
      healthy: true,
      problems: [],
    })
    const vectors = result.vectors as { count: number }
    const documents = result.documents as Array<{ chunks: number }>
    expect(vectors.count).toBe(documents[0]!.chunks)
    expect(vectors.count).toBeGreaterThan(0)
    expect(Date.parse(result.lastActiveAt as string)).toBeGreaterThan(Date.now() - 600_000)
  })

  it('the seed invocation by directory name, with --verify, shows an expiry for a session (human form)', async () => {
    const run = await runCli(['inspect', `session-${SESSION}`, '--verify', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Scope\s+0123456789abcdef0123456789abcdef \(session, dir session-0123/m)
    expect(run.stdout).toMatch(/^Status\s+healthy$/m)
    expect(run.stdout).toMatch(/^Expires\s+2d ago \(\d{4}-/m)
    expect(run.stdout).toMatch(/^DOCUMENT\s+TITLE\s+CHUNKS\s+SIZE$/m)
    expect(run.stdout).toContain('chat.txt')
    const ttl = await runCli(['inspect', `session-${SESSION}`, '--session-ttl', '7d', '--json', '--data-dir', dataDir])
    const report = json<{ lastActiveAt: string; expiresAt: string }>(ttl.stdout)
    expect(Date.parse(report.expiresAt) - Date.parse(report.lastActiveAt)).toBe(7 * DAY_MS)
    const [fromEnv, badEnv] = await Promise.all([
      runCli(['inspect', `session-${SESSION}`, '--json', '--data-dir', dataDir], { BENTO_SESSION_TTL: '1h30m' }),
      runCli(['inspect', `session-${SESSION}`, '--json', '--data-dir', dataDir], { BENTO_SESSION_TTL: '3600000' }),
    ])
    const envReport = json<{ lastActiveAt: string; expiresAt: string }>(fromEnv.stdout)
    expect(Date.parse(envReport.expiresAt) - Date.parse(envReport.lastActiveAt)).toBe(5_400_000)
    expect([badEnv.code, badEnv.stdout]).toEqual([2, ''])
    expect(badEnv.stderr).toMatch(/^bento: Invalid BENTO_SESSION_TTL "3600000": use a number and a unit/)
  })

  it('the seed invocation `bento inspect session-abc123` (a custom key that looks like a session dir)', async () => {
    const run = await runCli(['inspect', 'session-abc123', '--data-dir', dataDir])
    expect([run.code, run.stderr]).toEqual([0, ''])
    expect(run.stdout).toMatch(/^Scope\s+session-abc123 \(custom, dir session-abc123\)$/m)
    expect(run.stdout).toMatch(/^doc_\S+\s+seed\.md\s+1\s+\d+ B$/m)
  })

  it('exits 3 for a missing scope and still prints the report', async () => {
    const run = await runCli(['inspect', 'session-abc999', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(3)
    expect(json<{ exists: boolean; key: string }>(run.stdout)).toMatchObject({ exists: false, key: 'session-abc999' })
    expect(run.stderr).toBe('bento: scope session-abc999 does not exist.\n')
  })

  it('exits 3 for an unhealthy scope, listing the problems', async () => {
    const run = await runCli(['inspect', 'broken', '--data-dir', dataDir])
    expect(run.code).toBe(3)
    expect(run.stdout).toMatch(/^Status\s+UNHEALTHY$/m)
    expect(run.stdout).toMatch(/^ {2}- uploads: orphan-doc\/ belongs to no document/m)
    expect(run.stderr).toBe('bento: scope broken is unhealthy (1 problem).\n')
    const asJson = await runCli(['inspect', 'broken', '--json', '--data-dir', dataDir])
    expect([asJson.code, json<{ healthy: boolean }>(asJson.stdout).healthy]).toEqual([3, false])
  })
})

describe('bento search', () => {
  it('--json: top results with scores and sources; -k limits them', async () => {
    const [all, one, human] = await Promise.all([
      runBento(['search', 'shared', 'vacation planning', '--json', '--data-dir', dataDir]),
      runCli(['search', 'shared', 'vacation planning', '-k', '1', '--json', '--data-dir', dataDir]),
      runCli(['search', 'shared', 'vacation planning', '--data-dir', dataDir]),
    ])
    expect(all.code).toBe(0)
    const results = json<{ query: string; results: Array<{ id: string; title: string; content: string; score: number; metadata: Record<string, unknown> }> }>(all.stdout)
    expect(results.query).toBe('vacation planning')
    expect(results.results.length).toBeGreaterThan(1)
    expect(results.results.length).toBeLessThanOrEqual(5)
    expect(results.results[0]).toMatchObject({ title: 'faq.txt', content: expect.stringContaining('vacation'), score: expect.any(Number), metadata: expect.any(Object) })
    const scores = results.results.map((row) => row.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(json<{ results: unknown[] }>(one.stdout).results).toHaveLength(1)
    expect(human.stdout).toMatch(/^1\. \d\.\d{3} {2}faq\.txt \(/)
    expect(human.stdout).toMatch(/^ {3}This note \d+ is about vacation/m)
  })

  it('exits 3 for a scope that does not exist', async () => {
    const run = await runCli(['search', 'nobody', 'anything', '--data-dir', dataDir])
    assertNoStack(run.stderr)
    expect(run.code).toBe(3)
  })
})

describe('bento add', () => {
  it('ingests files and directories, reporting documents and skipped files; --json shape', async () => {
    const addDir = path.join(tmp, 'add')
    const source = path.join(tmp, 'add-src')
    await fsp.mkdir(path.join(source, 'nested'), { recursive: true })
    await fsp.writeFile(path.join(source, 'one.md'), '# One\n\nAbout refunds and returns.')
    await fsp.writeFile(path.join(source, 'nested', 'two.txt'), 'About shipping times.')
    await fsp.writeFile(path.join(source, 'nested', 'skip.bin'), 'binary')
    const extra = path.join(tmp, 'extra.html')
    await fsp.writeFile(extra, '<html><head><title>Extra</title></head><body><p>Warranty terms.</p></body></html>')

    const run = await runBento(['add', 'tenant_b:user_9', source, extra, '--json', '--data-dir', addDir])
    expect(run.code).toBe(0)
    const result = json<{ key: string; documents: Array<{ id: string; title: string; chunks: number; source: string }>; skipped: Array<{ source: string }> }>(run.stdout)
    expect(result.key).toBe('tenant_b:user_9')
    expect(result.documents.map((doc) => doc.source).sort()).toEqual([extra, path.join(source, 'nested', 'two.txt'), path.join(source, 'one.md')].sort())
    expect(result.documents.every((doc) => doc.chunks >= 1 && doc.id.length > 0)).toBe(true)
    expect(result.skipped.map((row) => row.source)).toEqual([path.join(source, 'nested', 'skip.bin')])

    const another = path.join(tmp, 'another.md')
    await fsp.writeFile(another, '# Another\n\nAbout gift cards.')
    const human = await runCli(['add', 'tenant_b:user_9', another, '--data-dir', addDir])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^Added 1 document to tenant_b:user_9\.$/m)
    expect(human.stdout).toMatch(/^DOCUMENT\s+TITLE\s+CHUNKS\s+OUTCOME\s+SOURCE$/m)

    const listed = await runCli(['ls', '--json', '--data-dir', addDir])
    expect(json<{ scopes: Array<{ key: string; documents: number }> }>(listed.stdout).scopes).toEqual([expect.objectContaining({ key: 'tenant_b:user_9', documents: 4 })])
  })

  it('fails a named unsupported, empty or unreadable file (exit 2: bad input) or a missing one (exit 3) before adding anything', async () => {
    const addDir = path.join(tmp, 'add-fail')
    const bad = path.join(tmp, 'photo.exe')
    await fsp.writeFile(bad, 'MZ')
    const good = path.join(tmp, 'good.txt')
    await fsp.writeFile(good, 'fine text')
    const empty = path.join(tmp, 'empty.txt')
    await fsp.writeFile(empty, '')
    const broken = path.join(tmp, 'broken.json')
    await fsp.writeFile(broken, '{"not": json')
    const [unsupported, emptyRun, brokenRun] = await Promise.all([
      runCli(['add', 'user-1', good, bad, '--data-dir', addDir]),
      runCli(['add', 'user-1', empty, '--data-dir', path.join(tmp, 'add-empty')]),
      runCli(['add', 'user-1', broken, '--data-dir', path.join(tmp, 'add-broken')]),
    ])
    expect(unsupported.code).toBe(2)
    assertNoStack(unsupported.stderr)
    expect(unsupported.stderr).toMatch(/^bento: .*photo\.exe/)
    expect([emptyRun.code, brokenRun.code]).toEqual([2, 2])
    expect(emptyRun.stderr).toMatch(/^bento: .*empty\.txt/)
    expect(brokenRun.stderr).toMatch(/^bento: .*broken\.json/)
    const missing = await runCli(['add', 'user-1', path.join(tmp, 'nope.txt'), '--data-dir', addDir])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^bento: No such file or directory: .*nope\.txt\n$/)
    await expect(fsp.lstat(path.join(addDir, 'vectors/isolated/user-1'))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(fsp.lstat(path.join(addDir, 'uploads/isolated/user-1'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('fails a named empty file after a good one in one line (exit 2) and adds neither', async () => {
    const addDir = path.join(tmp, 'add-all-or-nothing')
    await fsp.mkdir(addDir)
    const a = path.join(tmp, 'aon-a.txt')
    await fsp.writeFile(a, 'A note about lighthouses.')
    const empty = path.join(tmp, 'aon-empty.txt')
    await fsp.writeFile(empty, '')
    const inspectDocuments = async (key: string) => {
      const run = await runCli(['inspect', key, '--json', '--data-dir', addDir])
      return json<{ documents: Array<{ id: string }> }>(run.stdout).documents.map((doc) => doc.id)
    }

    const fresh = await runCli(['add', 'k', a, empty, '--data-dir', addDir])
    expect(fresh.code).toBe(2)
    assertNoStack(fresh.stderr)
    expect(fresh.stderr).toMatch(/^bento: [^\n]*aon-empty\.txt[^\n]*\n$/)
    expect(await inspectDocuments('k')).toEqual([])
    expect(await fsp.readdir(addDir)).toEqual([])

    const other = path.join(tmp, 'aon-other.md')
    await fsp.writeFile(other, '# Other\n\nA note about tides.')
    expect((await runCli(['add', 'k', other, '--data-dir', addDir])).code).toBe(0)
    const before = await inspectDocuments('k')
    expect(before).toHaveLength(1)
    const again = await runCli(['add', 'k', a, empty, '--data-dir', addDir])
    expect(again.code).toBe(2)
    expect(await inspectDocuments('k')).toEqual(before)
  })
})
