/**
 * Runs the real `bin/bento.js` (compiled `dist/`, so `npm run build` first) as
 * a child process, piped or on a pseudo-terminal, against temp data dirs.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../reliability/support/cli-in-process.js'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const BIN = path.join(REPO_ROOT, 'bin/bento.js')
const PTY_RUNNER = path.join(REPO_ROOT, 'test/cli/support/pty-run.py')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  stdin?: string
}

/** Fails early and clearly when the compiled CLI is missing. */
export const assertBuilt = (): void => {
  if (!existsSync(path.join(REPO_ROOT, 'dist/cli/main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does) before the CLI tests.')
  }
}

/** A clean environment: nothing from the developer's shell leaks into a run. */
export const baseEnv = (extra: Record<string, string | undefined> = {}): Record<string, string> => {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', TERM: 'xterm-256color', ...extra }
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

export const runBento = (args: string[], options: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: baseEnv(options.env), cwd: options.cwd ?? REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error && typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : error ? -1 : 0
      if (error && code === -1) reject(error)
      else resolve({ code, stdout, stderr })
    })
    child.stdin?.end(options.stdin ?? '')
  })

/**
 * The same program as `runBento` (`main`) in this process, without a process start: for
 * cases about options, ops and rendering. Each command keeps real-binary runs for the
 * process boundary (exit status, pipes, color from the environment, stdin).
 */
export const runInProcess = (args: string[], options: Pick<RunOptions, 'env'> = {}): Promise<RunResult> => runCli(args, options.env ?? {})

export interface PtyStep {
  /** A regex matched against the terminal text (ANSI codes removed) after the previous match. */
  expect: string
  /** Keys to type: `\r` Enter, `\x03` Ctrl+C, `\x1b[B` arrow down. */
  send: string
}

export interface PtyResult {
  code: number
  stdout: string
  /** stdin/stderr terminal text without ANSI codes. */
  tty: string
  ttyRaw: string
  timedOutAt: number | null
}

/** Runs bento with stdin and stderr on a pseudo-terminal and stdout on a pipe, answering prompts. */
export const runBentoPty = (args: string[], steps: PtyStep[], options: RunOptions = {}): Promise<PtyResult> => {
  const spec = { argv: [process.execPath, BIN, ...args], env: baseEnv(options.env), cwd: options.cwd ?? REPO_ROOT, steps, timeoutMs: 15_000 }
  return new Promise((resolve, reject) => {
    execFile('python3', [PTY_RUNNER, JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`pty runner failed: ${error.message}\n${stderr}`))
      resolve(JSON.parse(stdout) as PtyResult)
    })
  })
}

export const makeTempDir = (prefix = 'bento-cli-'): Promise<string> => fsp.mkdtemp(path.join(os.tmpdir(), prefix))

export const removeDir = (dir: string): Promise<void> => fsp.rm(dir, { recursive: true, force: true })

/** Every `bento: …` line a run printed on stderr must be exactly one line and carry no stack trace. */
export const assertNoStack = (stderr: string): void => {
  if (/\n\s+at .+\(.+:\d+:\d+\)/.test(stderr) || /^\s+at /m.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`)
}

/** The keys `bento ls --json` lists in a data dir, sorted (in-process: a check, not the subject). */
export const listScopeKeys = async (dataDir: string): Promise<string[]> =>
  (JSON.parse((await runInProcess(['ls', '--json', '--data-dir', dataDir])).stdout) as { scopes: Array<{ key: string }> }).scopes.map((row) => row.key).sort()
