import type { ChalkInstance } from 'chalk'
import type { DbMigrateResult, DbStatusResult } from '../../ops/db.js'

/** `bento db status`: where, which versions, then one line per migration. */
export const renderDbStatus = (result: DbStatusResult, paint: ChalkInstance): string => {
  const lines = [
    `${paint.bold(result.backend)} schema ${result.schema}: PostgreSQL ${result.postgres}, pgvector ${result.pgvector}`,
    `version ${result.version} of ${result.latest}${result.upToDate ? ` (${paint.green('up to date')})` : ` (${paint.yellow('migrations pending: run bento db migrate')})`}`,
  ]
  for (const row of result.migrations) {
    lines.push(`  ${String(row.version).padStart(4)}  ${row.appliedAt ? `applied ${row.appliedAt}` : paint.yellow('pending')}  ${row.name}`)
  }
  return `${lines.join('\n')}\n`
}

/** `bento db migrate`: what it applied, then the status. */
export const renderDbMigrate = (result: DbMigrateResult, paint: ChalkInstance): string => {
  const head = result.applied.length === 0
    ? 'Nothing to apply: the schema is up to date.'
    : `Applied migration${result.applied.length === 1 ? '' : 's'} ${result.applied.join(', ')}.`
  return `${head}\n${renderDbStatus(result, paint)}`
}
