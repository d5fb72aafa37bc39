/** Search the user's documents: passages best first, with their scores and the query's words marked. */
import { useState } from 'preact/hooks'
import type { SearchResponse, SearchResultRow } from '../../src/client/types.js'
import { jsonBody, type Api } from './api.js'
import { formatScore, plural } from './format.js'
import { Highlight, queryWords } from './highlight.js'
import { messageOf, Notice } from './notice.js'
import { SourceDialog } from './source-dialog.js'

export const Search = ({ api }: { api: Api }) => {
  const [query, setQuery] = useState('')
  const [answer, setAnswer] = useState<SearchResponse | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const [open, setOpen] = useState<SearchResultRow | undefined>()
  const [mode, setMode] = useState('hybrid')

  const submit = async (event: Event) => {
    event.preventDefault()
    const text = query.trim()
    if (text === '') {
      setError('Type what you are looking for first.')
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      setAnswer(await api.json<SearchResponse>('/api/documents/search', jsonBody({ query: text, limit: 10, mode })))
    } catch (failure) {
      setError(`The search failed: ${messageOf(failure)}`)
    } finally {
      setBusy(false)
    }
  }

  const words = answer ? queryWords(answer.query) : []
  return (
    <section aria-labelledby="search-title" class="card">
      <h2 id="search-title">Search your documents</h2>
      <form role="search" onSubmit={submit} class="row">
        <label for="search-input" class="visually-hidden">Search your documents</label>
        <input id="search-input" type="search" value={query} placeholder="What are you looking for?" onInput={(event) => setQuery(event.currentTarget.value)} />
        <label for="search-mode" class="visually-hidden">How to match</label>
        <select id="search-mode" value={mode} onChange={(event) => setMode(event.currentTarget.value)}>
          <option value="hybrid">Words and meaning</option>
          <option value="lexical">Exact words</option>
          <option value="vector">Meaning only</option>
        </select>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Searching…' : 'Search'}</button>
      </form>
      {error && <Notice tone="error">{error}</Notice>}
      {answer && (
        <>
          <p role="status" class="hint">{answer.results.length === 0 || (answer as { noMatch?: boolean }).noMatch === true ? `Nothing found for “${answer.query}”.` : `${plural(answer.results.length, 'passage')} for “${answer.query}”, best first.`}</p>
          <ol class="results">
            {answer.results.map((result, index) => (
              <li key={`${result.id}-${index}`} class="result">
                <div class="result-head">
                  <h3>{result.title}</h3>
                  <span class="score" title="Similarity to the query: higher is closer, at most 1">score {formatScore(result.score)}</span>
                </div>
                <p class="passage"><Highlight text={result.content} words={words} /></p>
                <button type="button" onClick={() => setOpen(result)} aria-label={`Open source of passage ${index + 1}: ${result.title}`}>Open source</button>
              </li>
            ))}
          </ol>
        </>
      )}
      {open && <SourceDialog api={api} source={open} words={words} onClose={() => setOpen(undefined)} />}
    </section>
  )
}
