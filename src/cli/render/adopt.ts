import type { ChalkInstance } from 'chalk'
import type { AdoptResult } from '../../ops/adopt.js'

/** `bento adopt`: what was declared, and whether the manifest had to be rebuilt from the files. */
export const renderAdopt = (result: AdoptResult, paint: ChalkInstance): string => {
  const what = `${result.vectors} vector${result.vectors === 1 ? '' : 's'} of dimension ${result.dimension}`
  if (!result.changed) return `${paint.bold(result.key)}: already records embedder ${result.embedderId} (${what}); nothing to do.\n`
  const lines = [`${paint.bold(result.key)}: ${result.dryRun ? 'would record' : paint.green('recorded')} embedder ${result.embedderId} (${what}).`]
  if (result.rebuiltManifest) lines.push(`The manifest ${result.dryRun ? 'would be' : 'was'} rebuilt from the data files: ${result.rebuiltManifest}`)
  if (result.dryRun) lines.push('Dry run: nothing was written.')
  return `${lines.join('\n')}\n`
}
