/**
 * A migrate or cleanup in a child process on the compiled `dist/` (`npm test`
 * builds it first), armed to SIGKILL itself at a named step, and the aging of
 * its abandoned locks: what the crash tests and the server's startup-recovery
 * test build an interrupted operation with.
 */
import { spawnSync } from 'node:child_process'
import { readdir, utimes } from 'node:fs/promises'
import path from 'node:path'
import { STALE_MS } from '../../src/core/lock.js'

const DIST = path.resolve('dist')

/** Runs one operation in a child on the compiled code, armed to SIGKILL itself at `crashAt`. */
export const runChild = (dataDir: string, crashAt: string, args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `
    const { createFsBackend } = await import(${JSON.stringify(`${DIST}/core/backend/index.js`)})
    const { createLocalEmbedder } = await import(${JSON.stringify(`${DIST}/core/embeddings/index.js`)})
    const { scopeFromArg } = await import(${JSON.stringify(`${DIST}/core/keys.js`)})
    const ops = await import(${JSON.stringify(`${DIST}/ops/index.js`)})
    const [op, a, b, mode] = process.argv.slice(1)
    // Every process of these tests records activity at once (window 0), so a cleanup at age 0 takes a scope just written.
    const backend = createFsBackend({ dataDir: ${JSON.stringify(dataDir)}, embedder: createLocalEmbedder({ dimension: 64 }), activityCoalesceMs: 0 })
    if (op === 'migrate') {
      const plan = await ops.planMigrate(backend, { from: scopeFromArg(a), to: scopeFromArg(b), copy: mode === 'copy' })
      await ops.applyMigrate(backend, plan)
    } else {
      await ops.applyCleanup(backend, await ops.planCleanup(backend, { olderThanMs: 0, scopes: a.split(',').map(scopeFromArg) }))
    }
    await backend.close()
    console.log('finished')`, ...args], { env: { ...process.env, BENTO_TEST_FAULTS: '1', BENTO_CRASH_AT: crashAt }, encoding: 'utf8', timeout: 60_000 })

/** The dead child's locks are taken over once stale: age them instead of sleeping 10 s. */
export const ageLocks = async (locksDir: string) => {
  const old = new Date(Date.now() - STALE_MS - 1000)
  for (const name of await readdir(locksDir).catch(() => [] as string[])) await utimes(path.join(locksDir, name), old, old)
}
