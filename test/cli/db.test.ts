/** `bento db status` / `bento db migrate` through the real binary, against the test database. */
import { beforeAll, describe, expect, it } from 'vitest'
import { LATEST_VERSION, MIGRATIONS } from '../../src/core/backend/pg/migrations.js'
import { usePgDatabase } from '../helpers/pg.js'
import { assertBuilt, assertNoStack, runBento } from './support/bento.js'

const db = usePgDatabase()
beforeAll(() => assertBuilt())

describe('bento db', () => {
  it('status reports a new schema as pending and changes nothing; migrate applies it once; status is then up to date', async () => {
    const backend = `${db.url}?schema=${db.schema()}`
    const before = await runBento(['db', 'status', '--backend', backend, '--json'])
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout)).toMatchObject({ version: 0, upToDate: false, migrations: MIGRATIONS.map(({ version }) => ({ version, appliedAt: null })) })
    const again = await runBento(['db', 'status', '--json'], { env: { BENTO_DATABASE_URL: backend } })
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 0 })

    const migrated = await runBento(['db', 'migrate', '--backend', backend, '--json'])
    expect(migrated.code).toBe(0)
    expect(JSON.parse(migrated.stdout)).toMatchObject({ applied: MIGRATIONS.map(({ version }) => version), version: LATEST_VERSION, upToDate: true })
    const twice = await runBento(['db', 'migrate', '--backend', backend])
    expect(twice.stdout).toContain('Nothing to apply')

    const after = await runBento(['db', 'status', '--backend', backend])
    expect(after.code).toBe(0)
    expect(after.stdout).toContain(`version ${LATEST_VERSION} of ${LATEST_VERSION} (up to date)`)
    expect(after.stdout).toMatch(/pgvector \d+\.\d+/)
  })

  it('without a database it is a usage error (exit 2), and an unreachable one exit 1 with no password shown', async () => {
    const none = await runBento(['db', 'status'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^bento: bento db needs a database: --backend postgres:\/\/… or pglite:<dir> \(or BENTO_DATABASE_URL\)/)
    const down = await runBento(['db', 'status', '--backend', 'postgres://bento:s3cret@127.0.0.1:1/bento'])
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('Cannot use the database postgres://bento:***@127.0.0.1:1/bento')
    expect(down.stderr).not.toContain('s3cret')
    assertNoStack(down.stderr)
  })
})
