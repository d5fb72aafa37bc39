/**
 * `bento du`, `bento ls` and `bento inspect [--verify]` through the real binary on a
 * PostgreSQL database (a PGlite socket, or BENTO_TEST_DATABASE_URL): `--backend` and
 * BENTO_DATABASE_URL, the same JSON shapes and exit codes as on a data dir.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { customScope } from '../../src/core/keys.js'
import { usePgDatabase } from '../helpers/pg.js'
import { assertBuilt, runBento } from './support/bento.js'

const db = usePgDatabase()
beforeAll(() => assertBuilt())

const DOC = `doc_${'a'.repeat(24)}`

describe('read commands on a database', () => {
  it('du, ls and inspect --verify answer from the rows; a missing scope exits 3', async () => {
    const url = `${db.url}?schema=${db.schema()}`
    const embedder = createLocalEmbedder()
    const backend = await createPgBackend({ spec: parseDatabaseSpec(url), embedder, poolSize: 2 })
    const scope = customScope('tenant_a:user_1')
    try {
      await backend.withStore(scope, async (store) => {
        await backend.uploadFiles(scope).write([{ documentId: DOC, fileName: 'refunds.txt', bytes: Buffer.from('Refunds are paid within 14 days.') }])
        const [vector] = await embedder.embed(['Refunds are paid within 14 days.'])
        await store.add([{ documentId: DOC, title: 'Refunds', text: 'Refunds are paid within 14 days.', chunkIndex: 0, vector: vector!, metadata: { source: 'refunds.txt', fileType: 'txt' } }])
      }, { write: true })
    } finally {
      await backend.close()
    }

    const du = await runBento(['du', '--json', '--backend', url])
    expect(du.code, du.stderr).toBe(0)
    expect(JSON.parse(du.stdout)).toMatchObject({ scopeCount: 1, files: 1, scopes: [{ key: scope.key, files: 1 }] })
    const ls = await runBento(['ls', '--json'], { env: { BENTO_DATABASE_URL: url } })
    expect(ls.code, ls.stderr).toBe(0)
    expect(JSON.parse(ls.stdout)).toMatchObject({ scopes: [{ key: scope.key, kind: 'custom', documents: 1 }] })
    const inspect = await runBento(['inspect', scope.key, '--verify', '--json', '--backend', url])
    expect(inspect.code, inspect.stderr).toBe(0)
    expect(JSON.parse(inspect.stdout)).toMatchObject({ exists: true, healthy: true, problems: [], uploads: { files: 1 }, documents: [{ id: DOC, chunks: 1 }] })
    const missing = await runBento(['inspect', 'nobody', '--backend', url])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain('does not exist')
  })
})
