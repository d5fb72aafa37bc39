/**
 * Chat over the user's documents: answers stream in as they are written, each
 * with the passages it drew on; conversations are kept by the server
 * (`/v1/sessions`) and listed here. Without a language model on the server the
 * answer quotes the passages (retrieval only), and the page says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ConversationCreated, ConversationDetail, ConversationSummary, SearchResultRow } from '../../src/client/types.js'
import { errorFromBody, jsonBody, type Api } from './api.js'
import { formatWhen, plural } from './format.js'
import { queryWords } from './highlight.js'
import { messageOf, Notice } from './notice.js'
import { SourceDialog } from './source-dialog.js'
import { readServerEvents } from './sse.js'

interface Turn {
  role: 'user' | 'assistant' | 'system'
  content: string
  sources?: SearchResultRow[]
  model?: string
  question?: string
  pending?: boolean
}

export const Chat = ({ api }: { api: Api }) => {
  const [conversations, setConversations] = useState<ConversationSummary[]>([])
  const [current, setCurrent] = useState<string | undefined>()
  const [turns, setTurns] = useState<Turn[]>([])
  const [draft, setDraft] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const [open, setOpen] = useState<{ source: SearchResultRow; words: string[] } | undefined>()
  const log = useRef<HTMLOListElement>(null)

  const refreshList = () =>
    api.json<{ sessions: ConversationSummary[] }>('/v1/sessions')
      .then((answer) => setConversations(answer.sessions))
      .catch((failure: unknown) => setError(`The conversations could not be listed: ${messageOf(failure)}`))

  useEffect(() => {
    void refreshList()
  }, [api])

  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' })
  }, [turns])

  const openConversation = async (id: string) => {
    setError(undefined)
    try {
      const detail = await api.json<ConversationDetail>(`/v1/sessions/${encodeURIComponent(id)}`)
      setCurrent(id)
      // A failed turn's answer is kept with its error (and whatever arrived before it).
      setTurns(detail.messages.map((message) => {
        const failure = (message as { error?: { message: string } }).error
        return { role: message.role, content: failure ? `${message.content}${message.content ? '\n\n' : ''}(No complete answer: ${failure.message})` : message.content }
      }))
    } catch (failure) {
      setError(`That conversation could not be opened: ${messageOf(failure)}`)
    }
  }

  const startNew = () => {
    setCurrent(undefined)
    setTurns([])
    setError(undefined)
  }

  const send = async (event: Event) => {
    event.preventDefault()
    const question = draft.trim()
    if (question === '' || busy) return
    setBusy(true)
    setError(undefined)
    setDraft('')
    const update = (change: Partial<Turn>) => setTurns((all) => [...all.slice(0, -1), { ...all[all.length - 1]!, ...change }])
    setTurns((all) => [...all, { role: 'user', content: question }, { role: 'assistant', content: '', pending: true, question }])
    let content = ''
    try {
      const conversationId = current ?? (await api.json<ConversationCreated>('/v1/sessions', { method: 'POST' })).id
      setCurrent(conversationId)
      const response = await api.request('/api/chat/stream', jsonBody({ messages: [{ role: 'user', content: question }], conversationId }))
      for await (const message of readServerEvents(response)) {
        const data = JSON.parse(message.data) as Record<string, unknown>
        if (message.event === 'sources') update({ sources: data.sources as SearchResultRow[] })
        else if (message.event === 'delta') {
          content += String(data.content ?? '')
          update({ content })
        } else if (message.event === 'done') update({ content: String(data.content ?? content), model: String(data.model ?? ''), pending: false })
        else if (message.event === 'error') throw errorFromBody(502, message.data)
      }
      update({ pending: false })
      void refreshList()
    } catch (failure) {
      const partial = content !== ''
      setTurns((all) => (partial ? all.map((turn) => ({ ...turn, pending: false })) : all.slice(0, -1)))
      setError(`${partial ? 'The answer stopped before it was complete' : 'No answer'}: ${messageOf(failure)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="chat-layout">
      <section aria-labelledby="conversations-title" class="card conversations">
        <h2 id="conversations-title">Conversations</h2>
        <button type="button" class="primary" onClick={startNew}>New conversation</button>
        {conversations.length === 0 ? (
          <p class="empty">None yet.</p>
        ) : (
          <ul>
            {conversations.map((conversation) => (
              <li key={conversation.id}>
                <button type="button" aria-current={conversation.id === current ? 'true' : undefined} onClick={() => void openConversation(conversation.id)}>
                  Started {formatWhen(conversation.created_at)} · {plural(conversation.message_count, 'message')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="chat-title" class="card chat">
        <h2 id="chat-title">Chat with your documents</h2>
        {!api.config.llm && (
          <p class="hint">No language model is configured on this server: answers quote the most relevant passages of your documents.</p>
        )}
        <ol class="turns" ref={log} aria-live="polite">
          {turns.map((turn, index) => (
            <li key={index} class={`turn turn-${turn.role}`}>
              <span class="who">{turn.role === 'user' ? 'You' : 'Bento'}</span>
              <div class="content" aria-busy={turn.pending ? 'true' : undefined}>{turn.content || (turn.pending ? 'Thinking…' : '')}</div>
              {turn.sources && turn.sources.length > 0 && (
                <div class="sources">
                  <h3>Sources</h3>
                  <ul>
                    {turn.sources.map((source, sourceIndex) => (
                      <li key={sourceIndex}>
                        <button type="button" onClick={() => setOpen({ source, words: queryWords(turn.question ?? '') })}>{source.title}</button>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {turn.model && <span class="model">{turn.model === 'retrieval-only' ? 'retrieval only' : turn.model}</span>}
            </li>
          ))}
        </ol>
        {error && <Notice tone="error">{error}</Notice>}
        <form class="row compose" onSubmit={send}>
          <label for="chat-input" class="visually-hidden">Your message</label>
          <textarea id="chat-input" rows={2} value={draft} placeholder="Ask about your documents" onInput={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) send(event)
            }} />
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Answering…' : 'Send'}</button>
        </form>
      </section>
      {open && <SourceDialog api={api} source={open.source} words={open.words} onClose={() => setOpen(undefined)} />}
    </div>
  )
}
