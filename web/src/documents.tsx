/**
 * The scope's documents, a page at a time: the server's cursor when it pages
 * (`nextCursor`), else pages cut here from the full list. Delete asks first, in
 * place; download fetches the kept original.
 */
import { useEffect, useState } from 'preact/hooks'
import type { DocumentListResponse, DocumentSummary as DocumentRow } from '../../src/api/schemas.js'
import type { Api } from './api.js'
import { formatDate, plural } from './format.js'
import { messageOf, Notice, type Tone } from './notice.js'

export const PAGE_SIZE = 20

/** Today's answer; before cursors, servers answered every document and no `nextCursor`. */
type ListAnswer = Omit<DocumentListResponse, 'nextCursor'> & { nextCursor?: string | null }

const fileNameOf = (response: Response, fallback: string): string => {
  const disposition = response.headers.get('content-disposition') ?? ''
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // fall through to the plain form
    }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? fallback
}

/** Saves the original through a blob: the identity travels in headers, which a plain link cannot send. */
export const downloadOriginal = async (api: Api, id: string, title: string): Promise<void> => {
  const response = await api.request(`/api/documents/${encodeURIComponent(id)}/file`)
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = fileNameOf(response, title)
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const DocumentList = ({ api, version, onChanged }: { api: Api; version: number; onChanged: () => void }) => {
  const [pages, setPages] = useState<Array<string | undefined>>([undefined])
  const [answer, setAnswer] = useState<{ rows: DocumentRow[]; next?: string; total?: number } | undefined>()
  const [clientPage, setClientPage] = useState(0)
  const [loading, setLoading] = useState(true)
  const [notice, setNotice] = useState<{ tone: Tone; text: string } | undefined>()
  const [confirming, setConfirming] = useState<string | undefined>()
  const cursor = pages[pages.length - 1]

  useEffect(() => {
    let live = true
    setLoading(true)
    api.json<ListAnswer>(`/api/documents/list?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .then((list) => {
        if (!live) return
        const paged = 'nextCursor' in list
        setAnswer({ rows: list.documents, ...(paged && list.nextCursor ? { next: list.nextCursor } : {}), ...(paged ? {} : { total: list.documents.length }) })
      })
      .catch((error: unknown) => live && setNotice({ tone: 'error', text: `The documents could not be listed: ${messageOf(error)}` }))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [api, version, cursor])

  const serverPaged = answer !== undefined && answer.total === undefined
  const rows = answer === undefined ? [] : serverPaged ? answer.rows : answer.rows.slice(clientPage * PAGE_SIZE, (clientPage + 1) * PAGE_SIZE)
  const pageNumber = serverPaged ? pages.length : clientPage + 1
  const hasNext = serverPaged ? answer?.next !== undefined : (clientPage + 1) * PAGE_SIZE < (answer?.total ?? 0)
  const hasPrevious = pageNumber > 1
  // A delete can empty the last client-side page.
  if (!serverPaged && clientPage > 0 && rows.length === 0 && answer !== undefined) setClientPage(clientPage - 1)

  const remove = async (row: DocumentRow) => {
    setConfirming(undefined)
    try {
      await api.json(`/api/documents/${encodeURIComponent(row.id)}`, { method: 'DELETE' })
      setNotice({ tone: 'success', text: `Deleted ${row.title}.` })
      onChanged()
    } catch (error) {
      setNotice({ tone: 'error', text: `${row.title} was not deleted: ${messageOf(error)}` })
    }
  }

  const download = async (row: DocumentRow) => {
    try {
      await downloadOriginal(api, row.id, row.title)
    } catch (error) {
      setNotice({ tone: 'error', text: `${row.title} could not be downloaded: ${messageOf(error)}` })
    }
  }

  return (
    <section aria-labelledby="documents-title" class="card">
      <h2 id="documents-title">Your documents</h2>
      {notice && <Notice tone={notice.tone}>{notice.text}</Notice>}
      {answer && rows.length === 0 && !loading && <p class="empty">No documents yet. Add some above; they stay private to you.</p>}
      {rows.length > 0 && (
        <table class="documents">
          <caption class="visually-hidden">Your documents, page {pageNumber}</caption>
          <thead>
            <tr><th scope="col">Title</th><th scope="col">Type</th><th scope="col">Passages</th><th scope="col">Added</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <th scope="row" class="title">{row.title}</th>
                <td>{row.fileType ?? '—'}</td>
                <td class="number">{row.chunks}</td>
                <td>{formatDate(row.createdAt)}</td>
                <td class="actions">
                  {confirming === row.id ? (
                    <span role="group" aria-label={`Delete ${row.title}?`}>
                      <span class="confirm-text">Delete?</span>
                      <button type="button" class="danger" onClick={() => void remove(row)}>Delete {row.title}</button>
                      <button type="button" onClick={() => setConfirming(undefined)}>Keep</button>
                    </span>
                  ) : (
                    <>
                      <button type="button" onClick={() => void download(row)} aria-label={`Download ${row.title}`}>Download</button>
                      <button type="button" onClick={() => setConfirming(row.id)} aria-label={`Delete ${row.title}`}>Delete</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(hasPrevious || hasNext) && (
        <nav class="pager" aria-label="Document pages">
          <button type="button" disabled={!hasPrevious} onClick={() => (serverPaged ? setPages(pages.slice(0, -1)) : setClientPage(clientPage - 1))}>Previous page</button>
          <span>Page {pageNumber}{answer?.total !== undefined ? ` of ${Math.ceil(answer.total / PAGE_SIZE)}` : ''}</span>
          <button type="button" disabled={!hasNext} onClick={() => (serverPaged ? setPages([...pages, answer?.next]) : setClientPage(clientPage + 1))}>Next page</button>
        </nav>
      )}
      {answer?.total !== undefined && answer.total > 0 && <p class="hint">{plural(answer.total, 'document')} in all.</p>}
    </section>
  )
}
