/**
 * What a conversation is, and the rules every backend keeps the same way: ids,
 * expiry, the message cap, the order of a list, the not-found answers. The fs
 * backend stores it as files (core/conversations.ts), the PostgreSQL backend as
 * rows (backend/pg/conversations.ts).
 */
import { CorruptStoreError, InvalidInputError, NotFoundError } from './errors.js'
import type { Scope } from './keys.js'
import { createConversationId, isConversationId } from './sessions.js'

export type ConversationRole = 'system' | 'user' | 'assistant'

export interface ConversationMessage {
  role: ConversationRole
  content: string
  createdAt: string
  /** On the assistant entry of a turn whose answer failed (the model erred, or the client left): what happened. */
  error?: { code: string; message: string }
}

/** A message to append: its role and content, and for a failed turn's answer, the error. */
export type NewConversationMessage = Pick<ConversationMessage, 'role' | 'content' | 'error'>

export interface Conversation {
  id: string
  /**
   * The key of the scope the conversation lives in (the MUXI page's `user_id`).
   * Stored with it for readers of the raw data, but taken from the scope on
   * every read: after `migrate a --to b` the stored copy says `a` until its next write.
   */
  userId: string
  createdAt: string
  updatedAt: string
  messages: ConversationMessage[]
}

export interface ConversationSummary extends Omit<Conversation, 'messages'> {
  messageCount: number
}

export interface ConversationOptions {
  /** A conversation idle longer than this is expired: not found, and removed when next seen. Default none. */
  ttlMs?: number
  now?: () => Date
  /** Oldest messages beyond this are dropped so a conversation cannot grow without bound. Default 1000. */
  maxMessages?: number
  lockWaitMs?: number
}

const DEFAULT_MAX_MESSAGES = 1000

const nowOf = (options: ConversationOptions): Date => options.now?.() ?? new Date()

/** The id as given, when it is one a conversation can have; otherwise not found (it is never looked up). */
export const assertConversationIdOrNotFound = (id: string): string => {
  if (!isConversationId(id)) throw new NotFoundError(`Conversation ${JSON.stringify(id.slice(0, 60))} not found.`)
  return id
}

export const conversationNotFound = (id: string): NotFoundError => new NotFoundError(`Conversation ${id} not found.`)
export const conversationExpired = (id: string): NotFoundError => new NotFoundError(`Conversation ${id} has expired.`)

export const isExpired = (conversation: Pick<Conversation, 'updatedAt'>, options: ConversationOptions): boolean => {
  if (options.ttlMs === undefined) return false
  return nowOf(options).getTime() - Date.parse(conversation.updatedAt) > options.ttlMs
}

/** A new, empty conversation of the scope. */
export const newConversation = (scope: Scope, options: ConversationOptions): Conversation => {
  const now = nowOf(options).toISOString()
  return { id: createConversationId(), userId: scope.key, createdAt: now, updatedAt: now, messages: [] }
}

export const assertSomethingToAppend = (messages: readonly NewConversationMessage[]): void => {
  if (messages.length === 0) throw new InvalidInputError('Nothing to append to the conversation.')
}

/** `current` with `messages` appended now, its oldest messages dropped beyond the cap. */
export const withAppended = (current: Conversation, messages: readonly NewConversationMessage[], options: ConversationOptions): Conversation => {
  const now = nowOf(options).toISOString()
  const added = messages.map((message) => ({ role: message.role, content: message.content, createdAt: now, ...(message.error ? { error: message.error } : {}) }))
  const max = options.maxMessages ?? DEFAULT_MAX_MESSAGES
  return { ...current, updatedAt: now, messages: [...current.messages, ...added].slice(-max) }
}

/** A stored conversation, checked (else `CorruptStoreError` with `corrupt`); its owner is the scope it was read from. */
export const conversationOf = (value: unknown, scope: Scope, corrupt: string): Conversation => {
  const candidate = value as Partial<Conversation> | null
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.id !== 'string' || typeof candidate.createdAt !== 'string' || typeof candidate.updatedAt !== 'string' || !Array.isArray(candidate.messages)) {
    throw new CorruptStoreError(corrupt)
  }
  return { ...(candidate as Conversation), userId: scope.key }
}

export const summaryOf = ({ messages, ...rest }: Conversation): ConversationSummary => ({ ...rest, messageCount: messages.length })

/** Newest activity first. */
export const byActivity = (a: ConversationSummary, b: ConversationSummary): number => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0)
