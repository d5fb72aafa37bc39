/**
 * Picks the embedder from configuration, so the CLI and the server agree:
 *
 * - `BENTO_EMBEDDER=openai` (or a key and a model given without
 *   `BENTO_EMBEDDER`): OpenAI-compatible, with `OPENROUTER_API_KEY`,
 *   `BENTO_EMBEDDINGS_URL`, `BENTO_EMBEDDINGS_MODEL`, `BENTO_EMBEDDINGS_DIMENSION`.
 * - otherwise (`BENTO_EMBEDDER=local` or unset): the local hashing embedder,
 *   `BENTO_EMBEDDINGS_DIMENSION` default 384.
 *
 * A key alone does not switch embedders: `OPENROUTER_API_KEY` is also the chat
 * key, and silently changing embedders would make existing stores unreadable.
 */
import { z } from 'zod'
import { EMBEDDER_ENV } from '../defaults.js'
import { InvalidOptionsError } from '../errors.js'
import { createLocalEmbedder } from './local.js'
import { createOpenAIEmbedder, type OpenAIEmbedderOptions } from './openai.js'
import type { Embedder } from './types.js'

export type EmbedderKind = 'local' | 'openai'

export interface EmbedderOverrides extends Partial<OpenAIEmbedderOptions> {
  kind?: EmbedderKind
}

const envSchema = z.object({
  [EMBEDDER_ENV.kind]: z.enum(['local', 'openai']).optional(),
  [EMBEDDER_ENV.dimension]: z.string().regex(/^[1-9][0-9]{0,5}$/, 'must be a positive integer').optional(),
  [EMBEDDER_ENV.url]: z.string().min(1).optional(),
  [EMBEDDER_ENV.model]: z.string().min(1).optional(),
  [EMBEDDER_ENV.apiKey]: z.string().min(1).optional(),
})

const emptyToUndefined = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value ? value : undefined
}

/**
 * The embedder the environment asks for. Bad values throw `InvalidOptionsError`.
 *
 * @example
 * const embedder = embedderFromEnv() // local-hash-v1:384 unless BENTO_EMBEDDER=openai
 * const remote = embedderFromEnv({ BENTO_EMBEDDER: 'openai', OPENROUTER_API_KEY: 'sk-…' })
 */
export const embedderFromEnv = (env: Record<string, string | undefined> = process.env, overrides: EmbedderOverrides = {}): Embedder => {
  const names = Object.keys(envSchema.shape)
  const parsed = envSchema.safeParse(Object.fromEntries(names.map((name) => [name, emptyToUndefined(env, name)])))
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
    throw new InvalidOptionsError(`Invalid embedder configuration: ${problems.join('; ')}.`)
  }
  const config = parsed.data
  const { kind: kindOverride, ...remote } = overrides
  const apiKey = remote.apiKey ?? config[EMBEDDER_ENV.apiKey]
  const model = remote.model ?? config[EMBEDDER_ENV.model]
  const dimensionText = config[EMBEDDER_ENV.dimension]
  const dimension = remote.dimension ?? (dimensionText === undefined ? undefined : Number(dimensionText))
  const kind = kindOverride ?? config[EMBEDDER_ENV.kind] ?? (apiKey !== undefined && model !== undefined ? 'openai' : 'local')

  if (kind === 'local') return createLocalEmbedder(dimension === undefined ? {} : { dimension })
  if (apiKey === undefined) {
    throw new InvalidOptionsError(`The OpenAI-compatible embedder needs an API key: set ${EMBEDDER_ENV.apiKey}.`)
  }
  return createOpenAIEmbedder({
    ...remote,
    apiKey,
    ...(model === undefined ? {} : { model }),
    ...(dimension === undefined ? {} : { dimension }),
    ...(remote.baseUrl ?? config[EMBEDDER_ENV.url] ? { baseUrl: remote.baseUrl ?? config[EMBEDDER_ENV.url] } : {}),
  })
}
