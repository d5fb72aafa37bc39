/**
 * The program itself: version, help, usage errors and the one-line error
 * contract (exit codes 0/2/3, `bento: <message>`, never a stack trace). Each kind
 * of error runs the real binary at least once; the rest of a table runs the same
 * program in-process (`runInProcess`).
 */
import { readFileSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, REPO_ROOT, runBento, runInProcess } from './support/bento.js'

let tmp: string

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
})
afterAll(() => removeDir(tmp))

const oneErrorLine = (stderr: string): string => {
  assertNoStack(stderr)
  const lines = stderr.trimEnd().split('\n')
  expect(lines[0]).toMatch(/^bento: /)
  return lines[0]!
}

describe('bento', () => {
  it('prints the package version with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) {
      const run = await runBento([flag])
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    }
  })

  it('prints help with the commands and examples on stdout, exit 0', async () => {
    const run = await runBento(['--help'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^Usage: bento \[options\] \[command\]/)
    for (const name of ['migrate', 'cleanup', 'inspect', 'du', 'ls', 'add', 'search']) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    expect(run.stdout).toContain('$ bento cleanup --older-than 24h')
  })

  it('shows help on stderr and exits 2 when no command is given', async () => {
    const run = await runBento([])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('Usage: bento')
  })

  it('exits 2 with commander’s message for an unknown command, with a suggestion', async () => {
    const run = await runBento(['inpsect'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(oneErrorLine(run.stderr)).toBe("bento: unknown command 'inpsect' (Did you mean inspect?)")
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('exits 2 for an unknown option, an option missing its value and an excess argument', async () => {
    const unknown = await runBento(['du', '--frobnicate'])
    expect([unknown.code, oneErrorLine(unknown.stderr)]).toEqual([2, "bento: unknown option '--frobnicate'"])
    const missing = await runInProcess(['du', '--top'])
    expect([missing.code, oneErrorLine(missing.stderr)]).toEqual([2, "bento: option '--top <n>' argument missing"])
    const excess = await runInProcess(['du', 'extra'])
    expect(excess.code).toBe(2)
    expect(oneErrorLine(excess.stderr)).toMatch(/^bento: too many arguments/)
  })

  it('exits 2 for a missing required argument without a terminal', async () => {
    const add = await runBento(['add', 'user-1', '--data-dir', tmp])
    expect([add.code, oneErrorLine(add.stderr)]).toEqual([2, "bento: missing required argument 'files'"])
    const inspect = await runBento(['inspect', '--data-dir', tmp])
    expect([inspect.code, oneErrorLine(inspect.stderr)]).toEqual([2, 'bento: Missing argument <key-or-dir>.'])
  })

  it('exits 2 for invalid keys, without touching the data dir', async () => {
    const keys = ['../etc', 'ünïcode', '.hidden', 'a/b', 'x'.repeat(121)]
    const runs = await Promise.all(keys.map((key, i) => (i === 0 ? runBento : runInProcess)(['inspect', key, '--data-dir', path.join(tmp, 'never-created')])))
    runs.forEach((run, index) => {
      expect(run.code, keys[index]).toBe(2)
      expect(oneErrorLine(run.stderr)).toMatch(/^bento: Invalid isolation key/)
    })
  })

  it('exits 2 for invalid option values, naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['du', '--top', '0'], /--top "0"/],
      [['du', '--sort', 'weight'], /--sort "weight": expected size, name, age/],
      [['du', '--kind', 'session,bogus'], /--kind "bogus"/],
      [['du', '--group-by', 'user'], /--group-by "user"/],
      [['search', 'user-1', 'q', '-k', '1000'], /-k 1000: at most 100/],
      [['cleanup', '--older-than', '24', '--dry-run'], /--older-than "24": use a number and a unit/],
      [['cleanup', '--older-than', '1d', '--kind', 'shared', '--dry-run'], /--kind "shared": expected session, custom/],
      [['cleanup', '--older-than', '1d', '--kind', 'custom', '--include-users', '--dry-run'], /either --include-users or --kind/],
      [['cleanup', '--older-than', '1d', '--scope', 'shared', '--include-users', '--dry-run'], /--scope names the scopes exactly/],
      [['du', '--data-dir', ''], /--data-dir: empty/],
    ]
    await Promise.all(cases.map(async ([args, message], i) => {
      const run = await (i === 0 ? runBento : runInProcess)([...args, ...(args.includes('--data-dir') ? [] : ['--data-dir', tmp])])
      expect(run.code, args.join(' ')).toBe(2)
      expect(oneErrorLine(run.stderr)).toMatch(message)
      expect(run.stdout).toBe('')
    }))
  })

  it('exits 3 when the data dir does not exist (a typo must not look like an empty, healthy dir)', async () => {
    const missing = path.join(tmp, 'no-such-dir')
    const commands = [['du'], ['ls', '--json'], ['inspect', 'shared'], ['cleanup', '--older-than', '1d', '--yes'], ['migrate', 'shared', '--to', 'u', '--yes'], ['search', 'shared', 'q']]
    const runs = await Promise.all(commands.map((args, i) => (i === 0 ? runBento : runInProcess)([...args, '--data-dir', missing])))
    runs.forEach((run, index) => {
      expect(run.code, commands[index]!.join(' ')).toBe(3)
      expect(oneErrorLine(run.stderr)).toBe(`bento: No data dir at ${missing} (set --data-dir or BENTO_DATA_DIR).`)
      expect(run.stdout).toBe('')
    })
    await expect(fsp.lstat(missing)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('reads the data dir from BENTO_DATA_DIR, and --data-dir wins over it', async () => {
    const fromEnv = await runBento(['ls', '--json'], { env: { BENTO_DATA_DIR: tmp } })
    expect(fromEnv.code).toBe(0)
    expect(JSON.parse(fromEnv.stdout)).toEqual({ scopes: [] })
    const overridden = await runBento(['ls', '--json', '--data-dir', path.join(tmp, 'nope')], { env: { BENTO_DATA_DIR: tmp } })
    expect(overridden.code).toBe(3)
  })

  it('defaults the data dir to ./data of the working directory', async () => {
    const run = await runBento(['ls'], { cwd: tmp })
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`No data dir at ${path.join(tmp, 'data')}`)
  })

  it('reports an I/O error as one line, exit 1, and prints the stack only with BENTO_DEBUG=1', async () => {
    const env = { BENTO_TEST_FAULTS: '1', BENTO_FAULT: 'readdir:EIO' }
    const run = await runBento(['du', '--data-dir', tmp], { env })
    expect(run.code).toBe(1)
    expect(oneErrorLine(run.stderr)).toMatch(/EIO/)
    const debug = await runBento(['du', '--data-dir', tmp], { env: { ...env, BENTO_DEBUG: '1' } })
    expect(debug.code).toBe(1)
    expect(debug.stderr).toMatch(/^\s+at /m)
  })
})
