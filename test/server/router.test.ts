import { describe, expect, it } from 'vitest'
import { createAccessChecker } from '../../src/server/access-keys.js'
import { createBentoApp } from '../../src/server/bento-app.js'
import { useServers } from './helpers.js'

const makeServer = useServers()

describe("Bento's route table", () => {
  // Hono's SmartRouter picks the RegExpRouter unless two registrations are ambiguous to it,
  // and then serves every request through the slower TrieRouter: a new route must not do that.
  it('is one that Hono serves with its RegExpRouter', async () => {
    const { backend, config } = await makeServer()
    const app = createBentoApp({ backend, config, access: createAccessChecker(), upstream: undefined, logger: undefined, auth: undefined, now: Date.now })
    expect((await app.request('/api/health')).status).toBe(200)
    expect(app.router.name).toBe('SmartRouter + RegExpRouter')
  })
})
