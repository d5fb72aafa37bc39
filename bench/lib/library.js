/**
 * The compiled library under test, loaded from dist/. Modules are still being
 * written by others; a missing module makes its benchmarks skip with a reason
 * instead of failing the whole run.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const distPath = (...parts) => path.join(repoRoot, 'dist', ...parts)
export const cliPath = path.join(repoRoot, 'bin', 'bento.js')

export class SkipError extends Error {}

/** Imports `dist/<relative>` and checks it exports `names`; throws SkipError otherwise. */
export const requireDist = async (relative, names = []) => {
  const file = distPath(relative)
  if (!existsSync(file)) throw new SkipError(`dist/${relative} is not built (module not landed yet?)`)
  let mod
  try {
    mod = await import(pathToFileURL(file).href)
  } catch (error) {
    throw new SkipError(`dist/${relative} failed to load: ${error.message.split('\n')[0]}`)
  }
  const missing = names.filter((name) => typeof mod[name] !== 'function')
  if (missing.length > 0) throw new SkipError(`dist/${relative} lacks ${missing.join(', ')}`)
  return mod
}

export const requireCli = () => {
  if (!existsSync(distPath('cli', 'main.js'))) throw new SkipError('dist/cli/main.js is not built (CLI not landed yet?)')
  return cliPath
}
