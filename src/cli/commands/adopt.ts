import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

export interface AdoptCliOptions extends CommonOptions {
  key: string
  embedder: string
  dimension: number | undefined
  dryRun: boolean
}

const EXAMPLES = `
Examples:
  $ bento adopt user-123 --embedder local-hash-v1:384
  $ bento adopt user-123 --embedder openai:text-embedding-3-small:1536 --dry-run --json

A store LangChain.js wrote (HNSWLib.save) records no embedder: until one is
declared, search, add and migrate refuse it rather than compare vectors of
another model. Adopt records the embedder that made the vectors, after checking
its dimension (the id's :<n> suffix, or --dimension) matches them; nothing is
written on a mismatch. A store LangChain re-saved after Bento wrote it gets a
manifest rebuilt from its files. Takes the scope's lock.`

export const toAdoptOptions = (key: string, raw: Record<string, unknown>): AdoptCliOptions => {
  if (typeof raw.embedder !== 'string' || raw.embedder.trim() === '') throw new InvalidOptionsError('--embedder <id> is required.')
  let dimension: number | undefined
  if (raw.dimension !== undefined) {
    dimension = Number(raw.dimension)
    if (!/^\d+$/.test(String(raw.dimension)) || dimension < 1 || dimension > 65_536) throw new InvalidOptionsError('--dimension must be a whole number from 1 to 65536.')
  }
  return { ...toCommonOptions(raw), key, embedder: raw.embedder.trim(), dimension, dryRun: raw.dryRun === true }
}

export const registerAdopt = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('adopt')
    .description('declare the embedder of a store another tool (LangChain) wrote')
    .argument('<key>', 'scope: key or directory name')
    .requiredOption('--embedder <id>', 'the embedder that made the vectors, e.g. local-hash-v1:384')
    .option('--dimension <n>', "its dimension (default: the id's :<n> suffix)")
    .option('--dry-run', 'check and report, write nothing')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (key: string, raw: Record<string, unknown>) => {
      const options = toAdoptOptions(key, raw)
      const { runAdopt } = await import('../actions/adopt.js')
      return runAdopt(options, ctx)
    })
}
