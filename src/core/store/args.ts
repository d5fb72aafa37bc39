/** `args.json`, as LangChain's HNSWLib writes and reads it: `{space, numDimensions}`. */
import { CorruptStoreError } from '../errors.js'
import { ARGS_FILE } from './files.js'
import type { Space } from './types.js'

export interface StoreArgs {
  space: Space
  numDimensions: number
}

const SPACES: readonly string[] = ['cosine', 'l2', 'ip']

/** Extra keys (LangChain may keep more of its args there) are ignored. */
export const parseArgs = (text: string, file = ARGS_FILE): StoreArgs => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CorruptStoreError(`${file}: not valid JSON.`, error)
  }
  const { space, numDimensions } = (raw ?? {}) as Record<string, unknown>
  if (typeof space !== 'string' || !SPACES.includes(space)) {
    throw new CorruptStoreError(`${file}: space must be one of cosine, l2, ip (got ${JSON.stringify(space)}).`)
  }
  if (typeof numDimensions !== 'number' || !Number.isInteger(numDimensions) || numDimensions < 1 || numDimensions > 65_536) {
    throw new CorruptStoreError(`${file}: numDimensions must be an integer from 1 to 65536 (got ${JSON.stringify(numDimensions)}).`)
  }
  return { space: space as Space, numDimensions }
}

export const serializeArgs = (args: StoreArgs): string => JSON.stringify({ space: args.space, numDimensions: args.numDimensions })
