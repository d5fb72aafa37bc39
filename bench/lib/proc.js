/** Child processes for the baselines (du, rm) and the CLI, timed from spawn to exit. */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Runs a command to completion. Resolves {ms, code, stdout, stderr}; stdout is
 * kept only when `capture` is set (du of 10k dirs prints a lot).
 */
export const runTimed = (command, args, { cwd, env, capture = false, input } = {}) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (chunk) => capture && out.push(chunk))
    child.stderr.on('data', (chunk) => err.push(chunk))
    if (input !== undefined) child.stdin.end(input)
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      resolve({ ms, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
  })

/** Like runTimed, but a non-zero exit is an error carrying stderr. */
export const runChecked = async (command, args, options) => {
  const result = await runTimed(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.slice(0, 6).join(' ')}${args.length > 6 ? ' …' : ''} exited ${result.code}: ${result.stderr.slice(0, 800)}`)
  }
  return result
}

/** Current and peak resident set of a process, in bytes (Linux /proc). */
export const readRss = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm'))?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}
