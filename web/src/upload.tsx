/**
 * Upload by drop or picker. The native `<input type="file" multiple>` is the
 * control (keyboard, screen readers and tests find it); the drop zone around it
 * only adds dropping. Each file is its own request, so each has its own
 * progress and outcome, and one bad file does not stop the others.
 */
import { useRef, useState } from 'preact/hooks'
import type { Api } from './api.js'
import { formatBytes, plural } from './format.js'
import { messageOf } from './notice.js'

interface FileRow {
  id: number
  name: string
  size: number
  progress: number
  state: 'waiting' | 'uploading' | 'done' | 'failed'
  outcome?: string
}

let nextRow = 0

export const Upload = ({ api, onUploaded }: { api: Api; onUploaded: () => void }) => {
  const [rows, setRows] = useState<FileRow[]>([])
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const limit = api.config.maxFileBytes

  const update = (id: number, change: Partial<FileRow>) => setRows((current) => current.map((row) => (row.id === id ? { ...row, ...change } : row)))

  const send = async (files: File[]) => {
    const added = files.map((file): [File, FileRow] => [file, { id: nextRow++, name: file.name, size: file.size, progress: 0, state: 'waiting' }])
    setRows((current) => [...added.map(([, row]) => row), ...current].slice(0, 50))
    let uploaded = 0
    for (const [file, row] of added) {
      if (file.size > limit) {
        update(row.id, { state: 'failed', outcome: `Too large: ${formatBytes(file.size)}. This server accepts files up to ${formatBytes(limit)}.` })
        continue
      }
      update(row.id, { state: 'uploading' })
      try {
        const answer = await api.upload(file, (fraction) => update(row.id, { progress: fraction }))
        const result = answer.results?.[0]
        if (result?.outcome === 'skipped') {
          update(row.id, { state: 'failed', outcome: result.error.message })
          continue
        }
        const chunks = plural(result?.chunks ?? answer.chunks ?? 0, 'passage')
        // The server replaces a document of the same name (its onConflict default): say so, or the list seems to lose one.
        update(row.id, { state: 'done', progress: 1, outcome: result?.outcome === 'replaced' ? `Replaced the earlier ${file.name}: ${chunks}.` : `Added: ${chunks}.` })
        uploaded += 1
      } catch (error) {
        update(row.id, { state: 'failed', outcome: messageOf(error) })
      }
    }
    if (uploaded > 0) onUploaded()
  }

  const onChange = (event: Event) => {
    const target = event.currentTarget as HTMLInputElement
    const files = [...(target.files ?? [])]
    target.value = ''
    if (files.length > 0) void send(files)
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    const files = [...(event.dataTransfer?.files ?? [])]
    if (files.length > 0) void send(files)
  }

  return (
    <section aria-labelledby="upload-title" class="card">
      <h2 id="upload-title">Add documents</h2>
      <div
        class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop files here, or</p>
        <label class="button" for="upload-input">Choose files</label>
        <input id="upload-input" ref={input} class="visually-hidden" type="file" multiple accept=".txt,.md,.markdown,.html,.htm,.json,.pdf,.docx" onChange={onChange} aria-describedby="upload-hint" />
        <p id="upload-hint" class="hint">Text, Markdown, HTML, JSON, PDF or DOCX, up to {formatBytes(limit)} each.</p>
      </div>
      {rows.length > 0 && (
        <ul class="uploads" aria-label="Uploads">
          {rows.map((row) => (
            <li key={row.id} class={`upload upload-${row.state}`} data-state={row.state}>
              <span class="upload-name">{row.name}</span>
              <span class="upload-size">{formatBytes(row.size)}</span>
              <progress max={1} value={row.progress} aria-label={`Progress of ${row.name}`} />
              <span class="upload-outcome" role={row.state === 'failed' ? 'alert' : 'status'}>
                {row.state === 'waiting' ? 'Waiting…' : row.state === 'uploading' ? 'Uploading…' : row.outcome}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
