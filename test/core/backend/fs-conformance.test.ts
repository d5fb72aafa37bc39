/**
 * The storage contract's conformance suite on the filesystem backend: a temp
 * data dir per test, and the scope's lock held by a real second process.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createFsBackend } from '../../../src/core/backend/index.js'
import { STALE_MS } from '../../../src/core/lock.js'
import { describeBackendConformance } from './conformance/describe-backend-conformance.js'

describeBackendConformance('fs', {
  create: async ({ embedder, now, activityCoalesceMs }) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'bento-conformance-'))
    const options = { dataDir, embedder, now, ...(activityCoalesceMs === undefined ? {} : { activityCoalesceMs }) }
    return {
      backend: createFsBackend(options),
      reopen: () => createFsBackend(options),
      destroy: () => rm(dataDir, { recursive: true, force: true }),
    }
  },
  lockElsewhere: async ({ backend }, scope) => {
    const { layout } = backend
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import lockfile from 'proper-lockfile'; import fs from 'node:fs';
      fs.mkdirSync(${JSON.stringify(layout.locksDir)}, { recursive: true });
      const release = await lockfile.lock(${JSON.stringify(layout.lockTarget(scope))}, { realpath: false, stale: ${STALE_MS} });
      console.log('locked');
      process.stdin.on('data', async () => { await release(); process.exit(0) });`], { stdio: ['pipe', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve())
      child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)))
    })
    return async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.write('release\n')
      await exited
    }
  },
})
