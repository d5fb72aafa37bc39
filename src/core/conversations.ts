/**
 * Conversation history (the MUXI page's "sessions") on the filesystem backend,
 * one JSON file per conversation under the scope's `conversations/` dir, so
 * migrate, cleanup, du and inspect move, remove and count it with the scope.
 * Above core/, conversations are reached through the backend
 * (`StorageBackend.createConversation` …), never through these paths.
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
import { BusyError, CorruptStoreError, NotFoundError } from './errors.js'
import { cachedPendingIntentsFor, pendingIntentsFor } from './journal.js'
import { assertNoSymlinks, ensureDir, type Layout } from './layout.js'
import { withScopeLock } from './lock.js'
import { isConversationId } from './sessions.js'
import type { Scope } from './keys.js'
import {
  assertConversationIdOrNotFound, assertSomethingToAppend, byActivity, conversationExpired, conversationNotFound, conversationOf, isExpired, newConversation, summaryOf, withAppended,
  type Conversation, type ConversationOptions, type ConversationSummary, type NewConversationMessage,
} from './conversation-model.js'

export type { Conversation, ConversationMessage, ConversationOptions, ConversationRole, ConversationSummary, NewConversationMessage } from './conversation-model.js'

const FILE_SUFFIX = '.json'

const fileOf = (layout: Layout, scope: Scope, id: string): string =>
  path.join(layout.conversationsDir(scope), `${assertConversationIdOrNotFound(id)}${FILE_SUFFIX}`)

const parseConversation = (raw: string, file: string, scope: Scope): Conversation => {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (error) {
    throw new CorruptStoreError(`Conversation file is not valid JSON: ${path.basename(file)}`, error)
  }
  return conversationOf(value, scope, `Conversation file has an unexpected shape: ${path.basename(file)}`)
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

const busy = (scope: Scope): BusyError =>
  new BusyError(`Scope "${scope.key}" has an operation in progress (migrate or cleanup); try again shortly.`, 2)

// A migrate or cleanup a crash interrupted leaves the scope half moved: its conversations are in
// neither place for sure until the operation is finished, so they are neither read nor written.
// Test: test/core/conversations.test.ts "a scope with an interrupted migrate".
const assertNotPending = async (layout: Layout, scope: Scope): Promise<void> => {
  if ((await cachedPendingIntentsFor(layout, scope)).length > 0) throw busy(scope)
}

const writeLocked = <T>(layout: Layout, scope: Scope, file: string, options: ConversationOptions, fn: () => Promise<T>): Promise<T> =>
  serialize(file, () => withScopeLock(layout, scope, async () => {
    // Under the lock, so an operation that journaled and died is seen (a live one holds the lock).
    if ((await pendingIntentsFor(layout, scope)).length > 0) throw busy(scope)
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
  const conversation = newConversation(scope, options)
  const file = fileOf(layout, scope, conversation.id)
  await writeLocked(layout, scope, file, options, () => fs.writeJsonAtomic(file, conversation))
  return conversation
}

/** The conversation with its messages; `NotFoundError` when absent, expired, or in another scope. */
export const getConversation = async (layout: Layout, scope: Scope, id: string, options: ConversationOptions = {}): Promise<Conversation> => {
  await assertNotPending(layout, scope)
  const file = fileOf(layout, scope, id)
  await assertNoSymlinks(layout, file)
  const conversation = await readConversationFile(file, scope)
  if (conversation === undefined || conversation.id !== id) throw conversationNotFound(id)
  if (isExpired(conversation, options)) {
    await writeLocked(layout, scope, file, options, () => fs.remove(file)).catch(() => {})
    throw conversationExpired(id)
  }
  return conversation
}

/** Every live conversation of the scope, newest activity first; expired ones are removed on the way. */
export const listConversations = async (layout: Layout, scope: Scope, options: ConversationOptions = {}): Promise<ConversationSummary[]> => {
  await assertNotPending(layout, scope)
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
      summaries.push(summaryOf(await getConversation(layout, scope, id, options)))
    } catch (error) {
      if (!(error instanceof NotFoundError) && !(error instanceof CorruptStoreError)) throw error
    }
  }
  return summaries.sort(byActivity)
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
  assertSomethingToAppend(messages)
  const file = fileOf(layout, scope, id)
  return writeLocked(layout, scope, file, options, async () => {
    const current = await readConversationFile(file, scope)
    if (current === undefined || isExpired(current, options)) throw conversationNotFound(id)
    const next = withAppended(current, messages, options)
    await fs.writeJsonAtomic(file, next)
    return next
  })
}

/** Removes one conversation; `NotFoundError` when it is not in this scope. */
export const deleteConversation = async (layout: Layout, scope: Scope, id: string, options: ConversationOptions = {}): Promise<void> => {
  const file = fileOf(layout, scope, id)
  await writeLocked(layout, scope, file, options, async () => {
    if ((await fs.lstatOrUndefined(file)) === undefined) throw conversationNotFound(id)
    await fs.remove(file)
  })
}
