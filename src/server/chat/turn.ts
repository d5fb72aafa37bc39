/**
 * One chat turn, shared by `/api/chat` and `/api/chat/stream`: gather the
 * scope's passages, memories and conversation history before the answer;
 * record the turn and any new memories after it.
 */
import { z } from 'zod'
import { InvalidInputError } from '../../core/errors.js'
import { appendMessages, getConversation } from '../../core/conversations.js'
import { extractMemories, recallMemories, rememberMemories, type RecalledMemory } from '../../core/memory.js'
import type { Scope } from '../../core/keys.js'
import type { SearchResultRow } from '../../ops/types.js'
import { searchPassages } from '../retrieval.js'
import type { ServerDeps } from '../deps.js'
import { buildRetrievalAnswer, buildSystemPrompt } from './prompt.js'
import type { UpstreamMessage } from './upstream.js'

export const chatSchema = z.object({
  messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(100_000) })).min(1).max(500),
  model: z.string().min(1).max(200).optional(),
  ragEnabled: z.boolean().default(true),
  conversationId: z.string().min(1).max(100).optional(),
})

export type ChatBody = z.infer<typeof chatSchema>

export interface ChatTurn {
  scope: Scope
  model: string
  question: string
  sources: SearchResultRow[]
  memories: RecalledMemory[]
  upstreamMessages: UpstreamMessage[]
  conversationId: string | undefined
  /** What this request adds to the conversation (its non-system messages). */
  newMessages: UpstreamMessage[]
}

export const prepareTurn = async (deps: ServerDeps, scope: Scope, body: ChatBody): Promise<ChatTurn> => {
  const { backend, config } = deps
  const model = body.model ?? config.chat.model
  if (!config.chat.models.includes(model)) {
    throw new InvalidInputError(`Unknown model ${JSON.stringify(model)}; this server offers: ${config.chat.models.join(', ')}.`)
  }
  const question = body.messages.findLast((message) => message.role === 'user')?.content.trim() ?? ''
  if (question.length === 0) throw new InvalidInputError('The messages must include a non-empty user message.')

  const conversationOptions = { ttlMs: config.conversationTtlMs }
  // A conversation of another scope is simply not found here (404): conversations are bound to their scope.
  const history = body.conversationId === undefined
    ? []
    : (await getConversation(backend.layout, scope, body.conversationId, conversationOptions)).messages
        .map(({ role, content }) => ({ role, content }))

  const [sources, memories] = await Promise.all([
    body.ragEnabled ? searchPassages(backend, scope, question, config.chat.contextPassages) : Promise.resolve([]),
    config.memory.enabled ? recallMemories(backend, scope, question, config.memory.recall) : Promise.resolve([]),
  ])
  const newMessages = body.messages.filter((message) => message.role !== 'system')
  const callerSystem = body.messages.filter((message) => message.role === 'system')
  return {
    scope,
    model,
    question,
    sources,
    memories,
    conversationId: body.conversationId,
    newMessages,
    upstreamMessages: [{ role: 'system', content: buildSystemPrompt(sources, memories) }, ...callerSystem, ...history, ...newMessages],
  }
}

export const retrievalAnswer = (turn: ChatTurn): string => buildRetrievalAnswer(turn.sources, turn.memories)

/** Appends the turn to its conversation and remembers what the user stated. */
export const recordTurn = async (deps: ServerDeps, turn: ChatTurn, answer: string): Promise<void> => {
  const { backend, config } = deps
  if (turn.conversationId !== undefined) {
    await appendMessages(backend.layout, turn.scope, turn.conversationId, [...turn.newMessages, { role: 'assistant', content: answer }], {
      ttlMs: config.conversationTtlMs,
    })
  }
  if (config.memory.enabled) {
    const facts = extractMemories(turn.question)
    if (facts.length > 0) {
      await rememberMemories(backend, turn.scope, facts, turn.conversationId === undefined ? {} : { conversationId: turn.conversationId })
    }
  }
}
