/** `bento db`: what the command does once its options are parsed (loaded only when it runs). */
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { renderDbMigrate, renderDbStatus } from '../render/db.js'
import type { DbOptions } from '../commands/db.js'

export const runDbStatus = async (options: DbOptions, ctx: CliContext): Promise<void> => {
  const { dbStatus } = await import('../../ops/db.js')
  printResult(ctx, options.json, await dbStatus(options.spec), renderDbStatus)
}

export const runDbMigrate = async (options: DbOptions, ctx: CliContext): Promise<void> => {
  const { dbMigrate } = await import('../../ops/db.js')
  printResult(ctx, options.json, await dbMigrate(options.spec), renderDbMigrate)
}
