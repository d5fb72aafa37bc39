/**
 * Threat: Bento is a library. A host app whose environment happens to hold
 * BENTO_CRASH_AT or BENTO_FAULT must not SIGKILL itself or fail its writes:
 * fault injection arms only with the test switch BENTO_TEST_FAULTS=1.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const FAULTS = pathToFileURL(path.resolve('dist/core/faults.js')).href

const runHost = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `
    const { checkFault, crashPoint, faultsArmed } = await import(${JSON.stringify(FAULTS)})
    console.log('armed', faultsArmed())
    checkFault('readdir', '/somewhere')
    crashPoint('cleanup:after-intent')
    console.log('survived')`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 })

describe('fault injection in a host process', () => {
  const hostile = { BENTO_CRASH_AT: 'cleanup:after-intent', BENTO_CRASH_AFTER_OPS: '1', BENTO_FAULT: 'readdir:EIO' }

  it('is not armed by BENTO_CRASH_AT, BENTO_CRASH_AFTER_OPS or BENTO_FAULT alone', () => {
    const run = runHost(hostile)
    expect(run.signal).toBeNull()
    expect(run.stdout).toBe('armed false\nsurvived\n')
  })

  it('is not armed by a switch value other than 1', () => {
    expect(runHost({ ...hostile, BENTO_TEST_FAULTS: 'true' }).stdout).toBe('armed false\nsurvived\n')
  })

  it('arms with the test switch, so the crash suites still work', () => {
    expect(runHost({ BENTO_TEST_FAULTS: '1', BENTO_CRASH_AT: 'cleanup:after-intent' }).signal).toBe('SIGKILL')
    const failing = runHost({ BENTO_TEST_FAULTS: '1', BENTO_FAULT: 'readdir:EIO' })
    expect(failing.status).not.toBe(0)
    expect(failing.stderr).toMatch(/EIO: injected fault/)
  })
})
