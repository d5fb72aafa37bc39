/**
 * `bento quota <key>`: a scope's usage against its quota; with `--max-bytes` or
 * `--max-documents`, sets the scope's own quota first; `--clear` removes it (the
 * default of `BENTO_QUOTA_MAX_*` / `bento serve --quota-max-*` then applies).
 */
import type { Command } from 'commander'
import { parseByteSize } from '../../core/byte-size.js'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'

export interface QuotaOptions extends CommonOptions {
  key: string
  maxBytes: number | undefined
  maxDocuments: number | undefined
  clear: boolean
}

const EXAMPLES = `
Examples:
  $ bento quota user-123                          usage against the quota in force
  $ bento quota user-123 --max-bytes 500MB --max-documents 1000
  $ bento quota user-123 --clear                  back to the default (BENTO_QUOTA_MAX_*)

An upload (HTTP 413 quota_exceeded) or bento add (exit 3) that would pass a
limit is refused before anything is written.`

export const toQuotaOptions = (key: string, raw: Record<string, unknown>): QuotaOptions => {
  const options: QuotaOptions = {
    ...toCommonOptions(raw),
    key,
    maxBytes: typeof raw.maxBytes === 'string' ? parseByteSize(raw.maxBytes, '--max-bytes') : undefined,
    maxDocuments: parsePositiveInt(typeof raw.maxDocuments === 'string' ? raw.maxDocuments : undefined, '--max-documents'),
    clear: raw.clear === true,
  }
  if (options.maxBytes === 0) throw new InvalidOptionsError('Invalid --max-bytes "0": expected a size of at least 1 byte (use --clear to remove the quota).')
  if (options.clear && (options.maxBytes !== undefined || options.maxDocuments !== undefined)) {
    throw new InvalidOptionsError('--clear removes the quota; it cannot be combined with --max-bytes or --max-documents.')
  }
  return options
}

export const registerQuota = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('quota')
    .description("show a scope's usage against its quota, or set or clear the scope's own quota")
    .argument('<key>', 'the scope: a key or its directory name')
    .option('--max-bytes <size>', 'disk the scope may use (vectors and uploads), e.g. 500MB')
    .option('--max-documents <n>', 'documents the scope may hold')
    .option('--clear', "remove the scope's own quota (the default applies)")
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (key: string, raw: Record<string, unknown>) => {
      const options = toQuotaOptions(key, raw)
      const { runQuota } = await import('../actions/quota.js')
      return runQuota(options, ctx)
    })
}
