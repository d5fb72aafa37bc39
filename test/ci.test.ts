/**
 * CI must run what the README tells a new user to run, and the type check
 * (tsc's build config leaves test/ and bench/ out, so only the check sees them).
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

describe('.ci/run', () => {
  it("runs the README's test command and npm run typecheck", async () => {
    const readme = await readFile('README.md', 'utf8')
    const testCommand = /Run the tests:\n\n```sh\n(.+)\n```/.exec(readme)?.[1]
    expect(testCommand).toBe('npm install && npm test')
    const lines = (await readFile('.ci/run', 'utf8')).split('\n').map((line) => line.trim())
    expect(lines).toContain(testCommand)
    expect(lines).toContain('npm run typecheck')
  })
})
