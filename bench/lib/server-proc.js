/** Starts a benchmark server child and waits for its `READY <port>` line. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './library.js'

export const startServer = (script, arg, { timeoutMs = 30_000 } = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bench', 'servers', script), arg], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} did not start in ${timeoutMs} ms: ${err.slice(0, 500)}`))
    }, timeoutMs)
    child.stderr.on('data', (chunk) => (err = (err + chunk).slice(-4000)))
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = out.match(/READY (\d+)/)
      if (match) {
        clearTimeout(timer)
        resolve({
          port: Number(match[1]),
          pid: child.pid,
          url: `http://127.0.0.1:${match[1]}`,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done()
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
              child.once('exit', () => {
                clearTimeout(kill)
                done()
              })
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited ${code} before READY: ${err.slice(0, 800)}`))
    })
  })
