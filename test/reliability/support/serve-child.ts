/**
 * The real `bento serve` in a child process on 127.0.0.1 (port picked by the
 * OS), for tests that need a server a CLI process can race, kill or measure.
 */
import { spawn, execFile } from 'node:child_process'
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const BIN = path.join(REPO, 'bin', 'bento.js')

let snapshot: string | undefined
// Registered on the importing test file: vitest's workers may end without an 'exit' event.
afterAll(() => {
  if (snapshot !== undefined) rmSync(snapshot, { recursive: true, force: true })
  snapshot = undefined
})
/**
 * `bin/bento.js` on a snapshot of dist/ taken once per test process (inside
 * node_modules/.cache, so packages still resolve): a rebuild of the shared tree
 * during a long run must not hand a child half of a new build.
 */
const binArgs = (): string[] => {
  if (snapshot === undefined) {
    const dir = path.join(REPO, 'node_modules', '.cache', `bento-dist-${process.pid}-${Date.now()}`)
    cpSync(path.join(REPO, 'dist'), dir, { recursive: true })
    snapshot = dir
  }
  // A launcher file, not `node -e`: node would take an argument `inspect` as its own debugger command.
  const launcher = path.join(snapshot, 'bento-launcher.mjs')
  writeFileSync(launcher, "import { main } from './cli/main.js'\nprocess.exitCode = await main(process.argv)\n")
  return [launcher]
}

export interface ServeChild {
  url: string
  pid: number
  /** Resident memory of the server process now, in bytes (Linux /proc). */
  rss(): number
  alive(): boolean
  stop(): Promise<number | null>
  stderr(): string
}

export const serveChild = (dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServeChild> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...binArgs(), 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    let exited = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bento serve did not start: ${err.slice(0, 800)}`))
    }, 30_000)
    child.on('exit', () => {
      exited = true
      clearTimeout(timer)
      reject(new Error(`bento serve exited: ${err.slice(0, 800)}`))
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-20_000)
      const match = /listening on (http:\/\/\S+)/.exec(err)
      if (match && child.pid !== undefined) {
        clearTimeout(timer)
        resolve({
          url: match[1]!,
          pid: child.pid,
          rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
          alive: () => !exited,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              if (exited) return done(child.exitCode)
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
              child.once('exit', (code) => {
                clearTimeout(kill)
                done(code)
              })
              child.kill('SIGTERM')
            }),
        })
      }
    })
  })

export interface BinRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The real `bin/bento.js` in a child process. */
export const runBin = (args: string[], env: Record<string, string> = {}): Promise<BinRun> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, [...binArgs(), ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr })
    })
  })
