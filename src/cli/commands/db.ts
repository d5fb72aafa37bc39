import type { Command } from 'commander'
import { parseDatabaseSpec, type DatabaseSpec } from '../../core/backend/pg/spec.js'
import { DATABASE_URL_ENV } from '../../core/env.js'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addBackendOption, addJsonOption } from '../options.js'

export interface DbOptions {
  spec: DatabaseSpec
  json: boolean
}

const EXAMPLES = `
Examples:
  $ bento db status --backend postgres://bento@db.internal/bento
  $ BENTO_DATABASE_URL=pglite:./bento-db bento db migrate --json

The PostgreSQL backend's schema (docs/STORE-FORMAT.md). Every start of the
backend applies pending migrations itself; "db migrate" does it ahead of a
deploy (one transaction under an advisory lock, safe beside running replicas).
"db status" changes nothing.`

export const toDbOptions = (raw: Record<string, unknown>): DbOptions => {
  const backend = typeof raw.backend === 'string' ? raw.backend : undefined
  if (backend === undefined || backend.trim() === '') {
    throw new InvalidOptionsError(`bento db needs a database: --backend postgres://… or pglite:<dir> (or ${DATABASE_URL_ENV}).`)
  }
  return { spec: parseDatabaseSpec(backend), json: raw.json === true }
}

export const registerDb = (program: Command, ctx: CliContext): void => {
  const db = program.command('db').description('the PostgreSQL backend\'s schema: status and migrations').addHelpText('after', EXAMPLES)
  addJsonOption(addBackendOption(db.command('status').description('show the schema version and its migrations (changes nothing)')))
    .action(async (raw: Record<string, unknown>) => {
      const options = toDbOptions(raw)
      const { runDbStatus } = await import('../actions/db.js')
      return runDbStatus(options, ctx)
    })
  addJsonOption(addBackendOption(db.command('migrate').description('apply pending schema migrations')))
    .action(async (raw: Record<string, unknown>) => {
      const options = toDbOptions(raw)
      const { runDbMigrate } = await import('../actions/db.js')
      return runDbMigrate(options, ctx)
    })
}
