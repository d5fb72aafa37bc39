/** One scope as `bento inspect` shows it, with the health verdict first. */
import { useEffect, useState } from 'preact/hooks'
import type { InspectResult } from '../../../src/client/types.js'
import type { Api } from '../api.js'
import { formatBytes, formatDate, formatWhen, plural } from '../format.js'
import { messageOf, Notice } from '../notice.js'

export const Inspect = ({ api, dir, onClose }: { api: Api; dir: string; onClose: () => void }) => {
  const [result, setResult] = useState<InspectResult | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    setResult(undefined)
    setError(undefined)
    api.admin<InspectResult>(`/api/admin/scopes/${encodeURIComponent(dir)}`)
      .then(setResult)
      .catch((failure: unknown) => setError(`${dir} could not be inspected: ${messageOf(failure)}`))
  }, [api, dir])

  return (
    <section aria-labelledby="inspect-title" class="card inspect">
      <div class="result-head">
        <h2 id="inspect-title">Scope {result?.key ?? dir}</h2>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {result && (
        <>
          {!result.exists ? <Notice tone="error">This scope does not exist (any more).</Notice>
            : result.healthy ? <Notice tone="success">Healthy: the index, the document store and the manifest agree.</Notice>
            : <Notice tone="error">Unhealthy: {result.problems.join(' ')}</Notice>}
          <dl class="facts">
            <dt>Kind</dt><dd>{result.kind}</dd>
            <dt>Directory</dt><dd><code>{result.dir}</code></dd>
            <dt>Documents</dt><dd>{result.documents.length}</dd>
            <dt>Vectors</dt><dd>{result.vectors.count} live, {result.vectors.deleted} deleted{result.vectors.dimension ? `, ${result.vectors.dimension} dimensions` : ''}{result.vectors.embedder ? `, ${result.vectors.embedder}` : ''}</dd>
            <dt>Uploads</dt><dd>{plural(result.uploads.files, 'file')}, {formatBytes(result.uploads.bytes)}</dd>
            <dt>Conversations</dt><dd>{result.conversations}</dd>
            <dt>Memories</dt><dd>{result.memories}</dd>
            <dt>Created</dt><dd>{formatDate(result.createdAt)}</dd>
            <dt>Last active</dt><dd>{formatDate(result.lastActiveAt)} ({formatWhen(result.lastActiveAt)})</dd>
            <dt>Expires</dt><dd>{result.expiresAt ? `${formatDate(result.expiresAt)} (${formatWhen(result.expiresAt)})` : 'never'}</dd>
          </dl>
          {result.documents.length > 0 && (
            <table class="usage">
              <caption>Documents</caption>
              <thead><tr><th scope="col">Title</th><th scope="col">Passages</th><th scope="col">Size</th></tr></thead>
              <tbody>{result.documents.map((doc) => <tr key={doc.id}><th scope="row">{doc.title}</th><td class="number">{doc.chunks}</td><td class="number">{formatBytes(doc.bytes)}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  )
}
