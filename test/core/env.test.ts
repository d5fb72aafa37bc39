/**
 * Bug: the extraction budgets, the extraction worker count and the du walk
 * threads were read from the environment by their own modules, each with its
 * own rules (BENTO_WALK_THREADS=many was silently ignored). They are read
 * through core/env.ts now: one parser per kind of value, errors naming the variable.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXTRACT_ENV, WALK_THREADS_ENV, extractLimitsFromEnv, extractWorkersFromEnv, walkThreadsFromEnv } from '../../src/core/env.js'
import { InvalidOptionsError } from '../../src/core/errors.js'
import { extractWorkerCount } from '../../src/core/ingest/extract-pool.js'

const SRC = path.join(import.meta.dirname, '../../src')

describe('extraction and walk settings from the environment', () => {
  it('reads the extraction budgets, and names the variable in every error', () => {
    expect(extractLimitsFromEnv({})).toEqual({})
    expect(extractLimitsFromEnv({ BENTO_EXTRACT_TIMEOUT: '2m', BENTO_EXTRACT_MEMORY_MB: ' 256 ' })).toEqual({ extractTimeoutMs: 120_000, extractMemoryMb: 256 })
    expect(() => extractLimitsFromEnv({ BENTO_EXTRACT_TIMEOUT: 'soon' })).toThrow(/BENTO_EXTRACT_TIMEOUT/)
    for (const bad of ['8', '70000', '1.5', 'lots']) {
      expect(() => extractLimitsFromEnv({ BENTO_EXTRACT_MEMORY_MB: bad })).toThrow(new InvalidOptionsError(`Invalid BENTO_EXTRACT_MEMORY_MB ${JSON.stringify(bad)}: expected a whole number from 16 to 65536.`))
    }
  })

  it('reads the worker counts, refusing a bad value instead of ignoring it', () => {
    expect(extractWorkersFromEnv({ [EXTRACT_ENV.workers]: '3' })).toBe(3)
    expect(extractWorkerCount({ [EXTRACT_ENV.workers]: '3' })).toBe(3)
    expect(() => extractWorkersFromEnv({ [EXTRACT_ENV.workers]: '0' })).toThrow(/BENTO_EXTRACT_WORKERS "0"/)
    expect(walkThreadsFromEnv({ [WALK_THREADS_ENV]: '0' })).toBe(0)
    expect(walkThreadsFromEnv({})).toBeUndefined()
    expect(() => walkThreadsFromEnv({ [WALK_THREADS_ENV]: 'many' })).toThrow(/BENTO_WALK_THREADS "many"/)
    expect(() => walkThreadsFromEnv({ [WALK_THREADS_ENV]: '65' })).toThrow(/BENTO_WALK_THREADS "65"/)
  })

  it('no module but core/env.ts parses these variables', async () => {
    for (const file of ['core/ingest/limits.ts', 'core/ingest/extract-pool.ts', 'core/walk-pool.ts', 'core/walk-channel.ts', 'server/env.ts', 'cli/commands/add.ts']) {
      const source = await readFile(path.join(SRC, file), 'utf8')
      expect(source, file).not.toMatch(/env(\.|\[['"])BENTO_(EXTRACT|WALK)_/)
    }
  })
})
