/**
 * The storage contract's conformance suite on the PostgreSQL backend: PGlite over
 * the wire protocol (or BENTO_TEST_DATABASE_URL), a schema per test.
 *
 * The scope's lock held elsewhere is another backend's open transaction (what a
 * second replica does). On PGlite that transaction holds the one session, so
 * reads wait for it (no read is tried while it is held) and a writer gives up
 * after `lockWaitMs` through this process's registry of held scopes
 * (src/core/backend/pg/scope-holds.ts).
 */
import { createPgBackend } from '../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../src/core/backend/pg/spec.js'
import { usePgDatabase } from '../../helpers/pg.js'
import type { Scope } from '../../../src/core/keys.js'
import { describeBackendConformance, type ConformanceStorage } from './conformance/describe-backend-conformance.js'

const db = usePgDatabase()

/** Holds the scope's lock in another backend's transaction until released. */
const lockElsewhere = async ({ reopen }: ConformanceStorage, scope: Scope): Promise<() => Promise<void>> => {
  const other = await reopen()
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const holding = new Promise<void>((resolve) => (locked = resolve))
  const held = other.withStore(scope, async () => {
    locked()
    await released
  }, { write: true })
  await holding
  return async () => {
    release()
    await held
    await other.close()
  }
}

describeBackendConformance('pg', {
  create: async ({ embedder, now, activityCoalesceMs }) => {
    const spec = parseDatabaseSpec(`${db.url}?schema=${db.schema()}`)
    const options = { spec, embedder, now, poolSize: 3, ...(activityCoalesceMs === undefined ? {} : { activityCoalesceMs }) }
    return {
      backend: await createPgBackend(options),
      reopen: () => createPgBackend(options),
      // The schema is dropped after the test by usePgDatabase.
      destroy: async () => undefined,
    }
  },
  lockElsewhere,
  readsWaitForWriters: !process.env.BENTO_TEST_DATABASE_URL?.trim(),
})
