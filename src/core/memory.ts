/**
 * Persistent memory (the MUXI page's memory isolation): short facts a user told
 * the assistant, kept as embedded entries in the scope's memory store
 * (`withStore(scope, fn, { part: 'memory' })`). They live in the scope, so one
 * user's memories are never searched for another, and they outlive the
 * conversation they came from.
 */
import { randomBytes } from 'node:crypto'
import { InvalidInputError, NotFoundError } from './errors.js'
import type { StorageBackend } from './backend/types.js'
import type { Scope } from './keys.js'
import { countStoreTerms } from './lexical/index.js'
import { searchStore } from './search/index.js'

export interface MemoryEntry {
  id: string
  content: string
  createdAt: string
  conversationId: string | null
}

export interface RecalledMemory extends MemoryEntry {
  score: number
}

export interface RememberOptions {
  conversationId?: string
  now?: () => Date
}

export const MAX_MEMORY_CHARS = 500
const MAX_MEMORIES_PER_MESSAGE = 5
const MEMORY_ID = /^mem_[0-9a-f]{32}$/

const REMEMBER = /^(?:please\s+)?(?:remember|note|keep in mind)(?:\s+that)?[,:]?\s+(.+)$/i
// Statements about the user themself. Questions never match (checked first).
const SELF_STATEMENT =
  /^(?:i\s+(?:really\s+|also\s+|usually\s+)?(?:like|love|prefer|enjoy|hate|dislike|use|work|live|speak|study|want|need|am|have)\b|i'm\b|i am\b|my\s+[\w\s'-]{1,40}?\s+(?:is|are|was)\b)/i

const clean = (sentence: string): string => sentence.trim().replace(/[.!\s]+$/, '').trim()

/**
 * The facts worth remembering in a user's chat message — a deliberately simple,
 * predictable heuristic:
 * - "Remember (that) X" / "Note that X" / "Keep in mind X" → X;
 * - statements about the user: "I like/love/prefer/use/work/live/am … ", "I'm …", "My X is …".
 * Questions (ending in "?") are never remembered. At most 5 facts per message.
 *
 * @example
 * extractMemories('Remember I like Python') // ['I like Python']
 * extractMemories('What language do I like?') // []
 */
export const extractMemories = (message: string): string[] => {
  const facts: string[] = []
  for (const raw of message.split(/(?<=[.!?])\s+|\n+/)) {
    const sentence = raw.trim()
    if (sentence.length === 0 || sentence.endsWith('?')) continue
    const remembered = REMEMBER.exec(sentence)
    const fact = remembered?.[1] !== undefined ? clean(remembered[1]) : SELF_STATEMENT.test(sentence) ? clean(sentence) : ''
    if (fact.length > 0 && fact.length <= MAX_MEMORY_CHARS && !facts.includes(fact)) facts.push(fact)
    if (facts.length === MAX_MEMORIES_PER_MESSAGE) break
  }
  return facts
}

const toEntry = (id: string, content: string, metadata: Record<string, unknown>): MemoryEntry => ({
  id,
  content,
  createdAt: typeof metadata.createdAt === 'string' ? metadata.createdAt : '',
  conversationId: typeof metadata.conversationId === 'string' ? metadata.conversationId : null,
})

/**
 * Stores facts in the scope's memory (embedded, so they can be recalled by
 * meaning). A fact already remembered word for word is not stored twice.
 *
 * @example
 * await rememberMemories(backend, customScope('user_a'), ['I like Python'])
 */
export const rememberMemories = async (
  backend: StorageBackend,
  scope: Scope,
  contents: string[],
  options: RememberOptions = {},
): Promise<MemoryEntry[]> => {
  for (const content of contents) {
    if (content.trim().length === 0 || content.length > MAX_MEMORY_CHARS) {
      throw new InvalidInputError(`A memory must be 1–${MAX_MEMORY_CHARS} characters.`)
    }
  }
  if (contents.length === 0) return []
  const vectors = await backend.embedder.embed(contents)
  // Counted beside the vectors, before the scope's lock, as ingest does: the commit tokenizes nothing.
  const terms = contents.map(countStoreTerms)
  const createdAt = (options.now?.() ?? new Date()).toISOString()
  return backend.withStore(scope, async (store) => {
    const known = new Set(store.listDocuments().map((doc) => doc.title))
    const added: MemoryEntry[] = []
    const chunks = []
    for (const [index, content] of contents.entries()) {
      const vector = vectors[index]
      if (vector === undefined || known.has(content)) continue
      known.add(content)
      const id = `mem_${randomBytes(16).toString('hex')}`
      const metadata = { kind: 'memory', createdAt, ...(options.conversationId ? { conversationId: options.conversationId } : {}) }
      chunks.push({ documentId: id, title: content, text: content, chunkIndex: 0, vector, terms: terms[index], metadata })
      added.push(toEntry(id, content, metadata))
    }
    if (chunks.length > 0) await store.add(chunks)
    return added
  }, { part: 'memory', write: true })
}

/** Every memory of the scope, oldest first. */
export const listMemories = (backend: StorageBackend, scope: Scope): Promise<MemoryEntry[]> =>
  backend.withStore(scope, async (store) =>
    store.listDocuments()
      .map((doc) => toEntry(doc.id, doc.title, doc.metadata))
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)), { part: 'memory' })

/**
 * The scope's memories that match `query` (best first, hybrid: shared words and
 * vector similarity; none when nothing matches). Only this scope's memory store is searched.
 */
export const recallMemories = async (backend: StorageBackend, scope: Scope, query: string, limit = 5): Promise<RecalledMemory[]> => {
  const { hits } = await searchStore(backend, scope, query, limit, { part: 'memory' })
  return hits.map((hit) => ({ ...toEntry(hit.documentId, hit.text, hit.metadata), score: hit.score }))
}

/** Forgets one memory; `NotFoundError` when the scope has no memory with that id. */
export const deleteMemory = async (backend: StorageBackend, scope: Scope, id: string): Promise<void> => {
  if (!MEMORY_ID.test(id)) throw new NotFoundError(`Memory ${JSON.stringify(id.slice(0, 60))} not found.`)
  const removed = await backend.withStore(scope, (store) => store.deleteDocument(id), { part: 'memory', write: true })
  if (removed === 0) throw new NotFoundError(`Memory ${id} not found.`)
}

/** Forgets every memory of the scope. */
export const clearMemories = (backend: StorageBackend, scope: Scope): Promise<void> =>
  backend.withStore(scope, (store) => store.deleteAll(), { part: 'memory', write: true })
