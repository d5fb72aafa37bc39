import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { renderMigrate } from '../../../src/cli/render/migrate.js'
import type { MigrateOutcome } from '../../../src/ops/migrate.js'

const plain = new Chalk({ level: 0 })

const outcome = (alreadyPresent: number): MigrateOutcome => ({
  dryRun: false, from: 'shared', to: 'user-123', mode: 'merge', copy: true, documents: 0, vectors: 0, uploads: 0, conversations: 0, bytes: 0,
  renamed: [], alreadyPresent, memories: 0,
} as unknown as MigrateOutcome)

describe('renderMigrate', () => {
  it('says what a merge skipped because the target already held it (it showed "documents 0" and hid why)', () => {
    const text = renderMigrate(outcome(3), plain)
    expect(text).toContain('documents      0')
    expect(text).toContain('skipped        3 documents already in user-123 with identical content')
    expect(renderMigrate(outcome(0), plain)).not.toContain('skipped')
  })
})
