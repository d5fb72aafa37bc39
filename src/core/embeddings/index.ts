export { batchEnd, estimateTokens, type EmbedBatchLimits, type Embedder } from './types.js'
export { createLocalEmbedder, LOCAL_EMBEDDER_VERSION, type LocalEmbedderOptions } from './local.js'
export { createOpenAIEmbedder, DEFAULT_EMBEDDINGS_MODEL, DEFAULT_EMBEDDINGS_URL, type OpenAIEmbedderOptions } from './openai.js'
export { embedderFromEnv, type EmbedderKind, type EmbedderOverrides } from './from-env.js'
