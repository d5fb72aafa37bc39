/**
 * Conversation history (the MUXI page's "sessions"), one JSON file per
 * conversation under the scope's `conversations/` dir, so migrate, cleanup, du
 * and inspect move, remove and count it with the scope.
 *
 * A conversation is bound to its scope by where it lives: asking another scope
 * for the id looks in another directory and finds nothing (404). Its owner
 * (`userId`) is therefore read from where it lives too, not from the file: a
 * migrate moves a scope's conversations by renaming one directory, and a file
 * that still names the old key must not report it.
 */
import { DEFAULT_LOCK_WAIT_MS } from './defaults.js'
import path from 'node:path'
import * as fs from './fs.js'
import { CorruptStoreError, InvalidInputError, NotFoundError } from './errors.js'
import { assertNoSymlinks, ensureDir, type Layout } from './layout.js'
import { withScopeLock } from './lock.js'
import { createConversationId, isConversationId } from './sessions.js'
import type { Scope } from './keys.js'

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
   * Written to the file for readers of the raw files, but taken from the scope on
   * every read: after `migrate a --to b` the files say `a` until their next write.
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
  /** Oldest messages beyond this are dropped so a file cannot grow without bound. Default 1000. */
  maxMessages?: number
  lockWaitMs?: number
}

const DEFAULT_MAX_MESSAGES = 1000
const FILE_SUFFIX = '.json'

const fileOf = (layout: Layout, scope: Scope, id: string): string => {
  if (!isConversationId(id)) throw new NotFoundError(`Conversation ${JSON.stringify(id.slice(0, 60))} not found.`)
  return path.join(layout.conversationsDir(scope), `${id}${FILE_SUFFIX}`)
}

const isExpired = (conversation: Conversation, options: ConversationOptions): boolean => {
  if (options.ttlMs === undefined) return false
  const now = (options.now?.() ?? new Date()).getTime()
  return now - Date.parse(conversation.updatedAt) > options.ttlMs
}

const parseConversation = (raw: string, file: string, scope: Scope): Conversation => {
  let value: Partial<Conversation>
  try {
    value = JSON.parse(raw) as Partial<Conversation>
  } catch (error) {
    throw new CorruptStoreError(`Conversation file is not valid JSON: ${path.basename(file)}`, error)
  }
  if (typeof value.id !== 'string' || typeof value.createdAt !== 'string' || typeof value.updatedAt !== 'string' || !Array.isArray(value.messages)) {
    throw new CorruptStoreError(`Conversation file has an unexpected shape: ${path.basename(file)}`)
  }
  return { ...(value as Conversation), userId: scope.key }
}

const readConversationFile = async (file: string, scope: Scope): Promise<Conversation | undefined> => {
  try {
    return parseConversation(await fs.readText(file), file, scope)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

// One write at a time per conversation in this process; the scope lock covers other processes.
const queues = new Map<string, Promise<unknown>>()
const serialize = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
  const previous = queues.get(key) ?? Promise.resolve()
  const run = previous.then(fn, fn)
  const settled = run.catch(() => {})
  queues.set(key, settled)
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key)
  })
  return run
}

const writeLocked = <T>(layout: Layout, scope: Scope, file: string, options: ConversationOptions, fn: () => Promise<T>): Promise<T> =>
  serialize(file, () => withScopeLock(layout, scope, async () => {
    await ensureDir(layout, layout.conversationsDir(scope))
    return fn()
  }, { waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS }))

/**
 * Starts an empty conversation in the scope.
 *
 * @example
 * const conversation = await createConversation(layout, customScope('user_123'))
 * conversation.id // 'sess_…'
 */
export const createConversation = async (layout: Layout, scope: Scope, options: ConversationOptions = {}): Promise<Conversation> => {
  const now = (options.now?.() ?? new Date()).toISOString()
  const conversation: Conversation = { id: createConversationId(), userId: scope.key, createdAt: now, updatedAt: now, messages: [] }
  const file = fileOf(layout, scope, conversation.id)
  await writeLocked(layout, scope, file, options, () => fs.writeJsonAtomic(file, conversation))
  return conversation
}

/** The conversation with its messages; `NotFoundError` when absent, expired, or in another scope. */
export const getConversation = async (layout: Layout, scope: Scope, id: string, options: ConversationOptions = {}): Promise<Conversation> => {
  const file = fileOf(layout, scope, id)
  await assertNoSymlinks(layout, file)
  const conversation = await readConversationFile(file, scope)
  if (conversation === undefined || conversation.id !== id) throw new NotFoundError(`Conversation ${id} not found.`)
  if (isExpired(conversation, options)) {
    await writeLocked(layout, scope, file, options, () => fs.remove(file)).catch(() => {})
    throw new NotFoundError(`Conversation ${id} has expired.`)
  }
  return conversation
}

/** Every live conversation of the scope, newest activity first; expired ones are removed on the way. */
export const listConversations = async (layout: Layout, scope: Scope, options: ConversationOptions = {}): Promise<ConversationSummary[]> => {
  const dir = layout.conversationsDir(scope)
  await assertNoSymlinks(layout, dir)
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const summaries: ConversationSummary[] = []
  for (const name of names) {
    const id = name.slice(0, -FILE_SUFFIX.length)
    if (!name.endsWith(FILE_SUFFIX) || !isConversationId(id)) continue
    try {
      const { messages, ...rest } = await getConversation(layout, scope, id, options)
      summaries.push({ ...rest, messageCount: messages.length })
    } catch (error) {
      if (!(error instanceof NotFoundError) && !(error instanceof CorruptStoreError)) throw error
    }
  }
  return summaries.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
}

/**
 * Appends messages (a chat turn) to a live conversation and returns it.
 *
 * @example
 * await appendMessages(layout, scope, id, [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }])
 */
export const appendMessages = async (
  layout: Layout,
  scope: Scope,
  id: string,
  messages: NewConversationMessage[],
  options: ConversationOptions = {},
): Promise<Conversation> => {
  if (messages.length === 0) throw new InvalidInputError('Nothing to append to the conversation.')
  const file = fileOf(layout, scope, id)
  return writeLocked(layout, scope, file, options, async () => {
    const current = await readConversationFile(file, scope)
    if (current === undefined || isExpired(current, options)) throw new NotFoundError(`Conversation ${id} not found.`)
    const now = (options.now?.() ?? new Date()).toISOString()
    const added = messages.map((message) => ({ role: message.role, content: message.content, createdAt: now, ...(message.error ? { error: message.error } : {}) }))
    const max = options.maxMessages ?? DEFAULT_MAX_MESSAGES
    const next: Conversation = { ...current, updatedAt: now, messages: [...current.messages, ...added].slice(-max) }
    await fs.writeJsonAtomic(file, next)
    return next
  })
}

/** Removes one conversation; `NotFoundError` when it is not in this scope. */
export const deleteConversation = async (layout: Layout, scope: Scope, id: string, options: ConversationOptions = {}): Promise<void> => {
  const file = fileOf(layout, scope, id)
  await writeLocked(layout, scope, file, options, async () => {
    if ((await fs.lstatOrUndefined(file)) === undefined) throw new NotFoundError(`Conversation ${id} not found.`)
    await fs.remove(file)
  })
}
