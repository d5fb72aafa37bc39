/**
 * `main` in-process with an injected context: the error-to-exit-code catch
 * for errors the e2e suite cannot provoke, and the prompt interface answered
 * by a script instead of a terminal.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CliContext } from '../../src/cli/context.js'
import { main, reportError } from '../../src/cli/main.js'
import type { Prompter } from '../../src/cli/prompts.js'
import { plainPaint } from '../../src/cli/tty.js'
import { errnoError } from '../../src/core/faults.js'
import { CancelledError } from '../../src/core/errors.js'
import { makeTempDir, removeDir } from './support/bento.js'
import { buildDataDir, DAY_MS, text } from './support/fixture.js'

interface FakeContext extends CliContext {
  stdout: string
  stderr: string
  asked: string[]
}

const fakeContext = (answers: { confirm?: boolean | Error } = {}, interactive = true): FakeContext => {
  const ctx: FakeContext = {
    version: '9.9.9',
    env: {},
    terminal: { interactive, stderrIsTTY: false, paint: plainPaint(), paintErr: plainPaint() },
    prompts: undefined as unknown as Prompter,
    out: (chunk) => void (ctx.stdout += chunk),
    err: (chunk) => void (ctx.stderr += chunk),
    errStream: process.stderr,
    exitCode: 0,
    stdout: '',
    stderr: '',
    asked: [],
  }
  ;(ctx as { prompts: Prompter }).prompts = {
    confirm: async (message) => {
      ctx.asked.push(message)
      if (answers.confirm instanceof Error) throw answers.confirm
      return answers.confirm ?? false
    },
    select: async () => {
      throw new Error('unexpected select')
    },
    input: async () => {
      throw new Error('unexpected input')
    },
  }
  return ctx
}

const SESSION = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'
let tmp: string

beforeAll(async () => {
  tmp = await makeTempDir()
})
afterAll(() => removeDir(tmp))

describe('main', () => {
  it('returns exit codes instead of exiting, and writes through the context', async () => {
    const version = fakeContext()
    expect(await main(['node', 'bento', '--version'], version)).toBe(0)
    expect(version.stdout).toBe('9.9.9\n')
    const unknown = fakeContext()
    expect(await main(['node', 'bento', 'du', '--frobnicate'], unknown)).toBe(2)
    expect(unknown.stderr).toBe("bento: unknown option '--frobnicate'\n")
  })

  it('maps an unexpected error to 1 with a hint, an errno error to an I/O error, and shows stacks only with BENTO_DEBUG', () => {
    const plain = fakeContext()
    expect(reportError(new TypeError('boom\nsecond line'), plain)).toBe(1)
    expect(plain.stderr).toBe('bento: unexpected error: boom second line (set BENTO_DEBUG=1 for details)\n')
    const io = fakeContext()
    expect(reportError(errnoError('ENOSPC', 'write', '/data/x'), io)).toBe(1)
    expect(io.stderr).toBe('bento: I/O error: ENOSPC (write)\n')
    const debug = fakeContext()
    ;(debug as { env: NodeJS.ProcessEnv }).env = { BENTO_DEBUG: '1' }
    expect(reportError(new CancelledError(), debug)).toBe(130)
    expect(debug.stderr).toMatch(/^CancelledError: Cancelled\.\n\s+at /)
    expect(debug.stderr.trimEnd().split('\n').at(-1)).toBe('bento: Cancelled.')
  })

  it('asks through the injected prompter: "no" changes nothing (130), "yes" applies', async () => {
    const dataDir = path.join(tmp, 'data')
    await buildDataDir(dataDir, [{ key: `session-${SESSION}`, files: { 'a.txt': text('tides', 3) }, lastActiveAt: new Date(Date.now() - 2 * DAY_MS) }])
    const argv = ['node', 'bento', 'cleanup', '--older-than', '1d', '--data-dir', dataDir]

    const declined = fakeContext({ confirm: false })
    expect(await main(argv, declined)).toBe(130)
    expect(declined.asked).toEqual([expect.stringMatching(/^Remove 1 scope \([\d.]+ KiB\)\?$/)])
    expect(declined.stderr).toMatch(/Would remove 1 scope[\s\S]*bento: Not confirmed; nothing changed\.\n$/)
    await expect(fsp.lstat(path.join(dataDir, 'vectors/isolated', `session-${SESSION}`))).resolves.toBeTruthy()

    const refused = fakeContext({}, false)
    expect(await main(argv, refused)).toBe(2)
    expect(refused.asked).toEqual([])

    const agreed = fakeContext({ confirm: true })
    expect(await main(argv, agreed)).toBe(0)
    expect(agreed.stdout).toMatch(/^Removed 1 scope, freed/)
    await expect(fsp.lstat(path.join(dataDir, 'vectors/isolated', `session-${SESSION}`))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
