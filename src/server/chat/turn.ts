/**
 * One chat turn, shared by `/api/chat` and `/api/chat/stream`: gather the
 * scope's passages, memories and conversation history before the answer;
 * record the turn and any new memories after it.
 */
import { z } from 'zod'
import { chatRequestSchema } from '../../api/chat-schemas.js'
import { InvalidInputError } from '../../core/errors.js'
import type { ConversationMessage } from '../../core/conversation-model.js'
import { describeError } from '../errors.js'
import { extractMemories, recallMemories, rememberMemories, type RecalledMemory } from '../../core/memory.js'
import type { Scope } from '../../core/keys.js'
import type { SearchResultRow } from '../../ops/types.js'
import { searchPassages } from '../retrieval.js'
import { conversationOptions, type ServerDeps } from '../deps.js'
import { buildRetrievalAnswer, buildSystemPrompt } from './prompt.js'
import type { UpstreamMessage } from './upstream.js'

export { chatRequestSchema as chatSchema }

export type ChatBody = z.infer<typeof chatRequestSchema>

export interface ChatTurn {
  scope: Scope
  model: string
  question: string
  sources: SearchResultRow[]
  memories: RecalledMemory[]
  upstreamMessages: UpstreamMessage[]
  conversationId: string | undefined
  /** What this request adds to the conversation (its non-system messages past any resent history). */
  newMessages: UpstreamMessage[]
  /** Set once the turn was recorded as failed, so it is recorded once. */
  failed: boolean
}

/**
 * The stored history as the model should see it: a failed turn (its user messages and the
 * assistant entry that says it failed) is kept in the file but not replayed.
 */
export const historyForModel = (messages: ConversationMessage[]): UpstreamMessage[] => {
  const result: UpstreamMessage[] = []
  let turnStart = 0
  for (const message of messages) {
    if (message.role === 'assistant' && message.error !== undefined) {
      result.length = turnStart
      continue
    }
    result.push({ role: message.role, content: message.content })
    if (message.role !== 'user') turnStart = result.length
  }
  return result
}

const startsWith = (sent: UpstreamMessage[], history: UpstreamMessage[]): boolean =>
  sent.length >= history.length && history.every((message, index) => sent[index]!.role === message.role && sent[index]!.content === message.content)

/** `readScopes`: scopes granted beside `scope` (readScopes): retrieval ranks across them too; the turn is recorded in `scope` only. */
export const prepareTurn = async (deps: ServerDeps, scope: Scope, body: ChatBody, readScopes: readonly Scope[] = []): Promise<ChatTurn> => {
  const { backend, config } = deps
  const model = body.model ?? config.chat.model
  if (!config.chat.models.includes(model)) {
    throw new InvalidInputError(`Unknown model ${JSON.stringify(model)}; this server offers: ${config.chat.models.join(', ')}.`)
  }
  const question = body.messages.findLast((message) => message.role === 'user')?.content.trim() ?? ''
  if (question.length === 0) throw new InvalidInputError('The messages must include a non-empty user message.')

  // A conversation of another scope is simply not found here (404): conversations are bound to their scope.
  const history = body.conversationId === undefined
    ? []
    : historyForModel((await backend.getConversation(scope, body.conversationId, conversationOptions(deps))).messages)

  const [sources, memories] = await Promise.all([
    body.ragEnabled ? searchPassages(backend, scope, question, config.chat.contextPassages, { readScopes }) : Promise.resolve([]),
    config.memory.enabled ? recallMemories(backend, scope, question, config.memory.recall) : Promise.resolve([]),
  ])
  const sent = body.messages.filter((message) => message.role !== 'system')
  const callerSystem = body.messages.filter((message) => message.role === 'system')
  // A client that resends the whole history with its conversationId: only what follows it is new.
  const resent = history.length > 0 && startsWith(sent, history)
  const newMessages = resent ? sent.slice(history.length) : sent
  if (newMessages.length === 0) throw new InvalidInputError('The messages repeat the conversation and add nothing new.')
  return {
    scope,
    model,
    question,
    sources,
    memories,
    conversationId: body.conversationId,
    newMessages,
    upstreamMessages: [{ role: 'system', content: buildSystemPrompt(sources, memories) }, ...callerSystem, ...history, ...newMessages],
    failed: false,
  }
}

export const retrievalAnswer = (turn: ChatTurn): string => buildRetrievalAnswer(turn.sources, turn.memories)

/**
 * Keeps the user's messages of a turn whose answer failed (the model erred, timed out, or
 * the client went away), with an assistant entry saying so and any partial answer.
 */
export const recordFailedTurn = async (deps: ServerDeps, turn: ChatTurn, partial: string, error: unknown): Promise<void> => {
  if (turn.conversationId === undefined || turn.failed) return
  turn.failed = true
  const { body } = describeError(error)
  await deps.backend.appendConversationMessages(turn.scope, turn.conversationId, [...turn.newMessages, { role: 'assistant', content: partial, error: body.error }], conversationOptions(deps))
}

/** Appends the turn to its conversation and remembers what the user stated. */
export const recordTurn = async (deps: ServerDeps, turn: ChatTurn, answer: string): Promise<void> => {
  const { backend, config } = deps
  if (turn.conversationId !== undefined) {
    await backend.appendConversationMessages(turn.scope, turn.conversationId, [...turn.newMessages, { role: 'assistant', content: answer }], conversationOptions(deps))
  }
  if (config.memory.enabled) {
    const facts = extractMemories(turn.question)
    if (facts.length > 0) {
      await rememberMemories(backend, turn.scope, facts, turn.conversationId === undefined ? {} : { conversationId: turn.conversationId })
    }
  }
}
