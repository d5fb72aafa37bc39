import { afterEach, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { createAccessChecker } from '../../src/server/access-keys.js'
import { createBentoApp } from '../../src/server/bento-app.js'
import { parseServerOptions, resolveServerConfig } from '../../src/server/options.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()
const backends: StorageBackend[] = []
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()))
})

describe("Bento's route table", () => {
  // Hono's SmartRouter picks the RegExpRouter unless two registrations are ambiguous to it,
  // and then serves every request through the slower TrieRouter: a new route must not do that.
  it('is one that Hono serves with its RegExpRouter', async () => {
    const config = resolveServerConfig(parseServerOptions({ dataDir: await tempDir() }))
    const backend = createFsBackend({ dataDir: config.dataDir })
    backends.push(backend)
    const app = createBentoApp({ backend, config, access: createAccessChecker(), upstream: undefined, logger: undefined })
    expect((await app.request('/api/health')).status).toBe(200)
    expect(app.router.name).toBe('SmartRouter + RegExpRouter')
  })
})
