/**
 * Holds a scope's real cross-process lock from the test process, as a live
 * server mid-write would, until `release` is called.
 */
import { createLayout } from '../../../src/core/layout.js'
import { withScopeLock } from '../../../src/core/lock.js'
import { scopeFromArg } from '../../../src/core/keys.js'

export const holdScopeLock = async (dataDir: string, key: string): Promise<{ release: () => Promise<void> }> => {
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let acquired!: () => void
  const ready = new Promise<void>((resolve) => {
    acquired = resolve
  })
  const held = withScopeLock(createLayout(dataDir), scopeFromArg(key), async () => {
    acquired()
    await released
  })
  await Promise.race([ready, held])
  return {
    release: async () => {
      release()
      await held
    },
  }
}
