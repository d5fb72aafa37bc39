/** One passage opened: its document, its place in it, the matching words, and the original to download. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { SearchResultRow } from '../../src/client/types.js'
import type { Api } from './api.js'
import { downloadOriginal } from './documents.js'
import { formatScore } from './format.js'
import { Highlight } from './highlight.js'
import { messageOf, Notice } from './notice.js'

export const SourceDialog = ({ api, source, words, onClose }: { api: Api; source: SearchResultRow; words: string[]; onClose: () => void }) => {
  const dialog = useRef<HTMLDialogElement>(null)
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  const chunk = source.metadata.chunkIndex
  const origin = typeof source.metadata.source === 'string' ? source.metadata.source : undefined
  return (
    <dialog ref={dialog} class="source" aria-labelledby="source-title" onClose={onClose}>
      <h2 id="source-title">{source.title}</h2>
      <p class="meta">
        {typeof chunk === 'number' ? `Passage ${chunk + 1}` : 'Passage'} · score {formatScore(source.score)}
        {origin && origin !== source.title ? ` · from ${origin}` : ''}
      </p>
      <blockquote class="passage"><Highlight text={source.content} words={words} /></blockquote>
      {error && <Notice tone="error">{error}</Notice>}
      <div class="row">
        <button type="button" onClick={() => downloadOriginal(api, source.id, source.title).catch((failure: unknown) => setError(`The original could not be downloaded: ${messageOf(failure)}`))}>
          Download the original
        </button>
        <button type="button" class="primary" onClick={() => dialog.current?.close()} autofocus>Close</button>
      </div>
    </dialog>
  )
}
