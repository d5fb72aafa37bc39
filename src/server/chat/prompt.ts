/**
 * What the model is told (the scope's passages and memories) and the honest
 * retrieval-only answer given when no model is configured.
 */
import type { RecalledMemory } from '../../core/memory.js'
import type { SearchResultRow } from '../../ops/types.js'

const MAX_PASSAGE_CHARS = 1200
const QUOTE_CHARS = 400

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max).trimEnd()}…` : text)

export const buildSystemPrompt = (passages: SearchResultRow[], memories: RecalledMemory[]): string => {
  const parts = ['You are a helpful assistant. Answer from the context below when it is relevant; say so when it does not contain the answer.']
  if (memories.length > 0) {
    parts.push(`What this user told you in earlier conversations:\n${memories.map((memory) => `- ${memory.content}`).join('\n')}`)
  }
  if (passages.length > 0) {
    parts.push(`Context from the user's documents:\n${passages.map((passage, index) => `[${index + 1}] ${passage.title}\n${clip(passage.content, MAX_PASSAGE_CHARS)}`).join('\n\n')}`)
  }
  return parts.join('\n\n')
}

/**
 * The offline answer: no language model is configured, so quote what
 * retrieval found rather than pretend to answer.
 */
export const buildRetrievalAnswer = (passages: SearchResultRow[], memories: RecalledMemory[]): string => {
  const parts: string[] = []
  if (memories.length > 0) {
    parts.push(`You told me earlier:\n${memories.map((memory) => `- "${memory.content}"`).join('\n')}`)
  }
  if (passages.length > 0) {
    parts.push(`No language model is configured; here are the most relevant passages:\n\n${passages
      .map((passage, index) => `[${index + 1}] ${passage.title} (score ${passage.score.toFixed(2)}):\n"${clip(passage.content.trim(), QUOTE_CHARS)}"`)
      .join('\n\n')}`)
  } else {
    parts.push(memories.length > 0
      ? 'No language model is configured, and none of your documents match.'
      : "No language model is configured, and I found nothing about this in your documents or in what you told me before. I don't know yet.")
  }
  return parts.join('\n\n')
}
