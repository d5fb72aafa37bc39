/** The page: one view at a time, chosen by the address's #fragment so the back button and links work. */
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { createApi } from './api.js'
import { Operator } from './admin/operator.js'
import { Chat } from './chat.js'
import { readPageConfig } from './config.js'
import { DocumentList } from './documents.js'
import { Identity } from './identity.js'
import { Search } from './search.js'
import { Upload } from './upload.js'

const VIEWS = [
  { id: 'documents', label: 'Documents' },
  { id: 'search', label: 'Search' },
  { id: 'chat', label: 'Chat' },
  { id: 'operator', label: 'Operator' },
] as const
type View = (typeof VIEWS)[number]['id']

const viewOf = (hash: string): View => VIEWS.find((view) => `#${view.id}` === hash)?.id ?? 'documents'

const App = () => {
  const api = useMemo(() => createApi(readPageConfig()), [])
  const [view, setView] = useState<View>(viewOf(location.hash))
  const [version, setVersion] = useState(0)
  const [identity, setIdentity] = useState(0)
  const firstView = useRef(true)

  useEffect(() => {
    const follow = () => setView(viewOf(location.hash))
    addEventListener('hashchange', follow)
    return () => removeEventListener('hashchange', follow)
  }, [])

  useEffect(() => {
    document.title = `${VIEWS.find((entry) => entry.id === view)?.label} · Bento`
    // After a view change (not on load), keyboard and screen-reader users land on the new content.
    if (!firstView.current) document.getElementById('main')?.focus({ preventScroll: true })
    firstView.current = false
  }, [view])

  const changed = () => setVersion((value) => value + 1)
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <h1>Bento</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((entry) => (
              <li key={entry.id}><a href={`#${entry.id}`} aria-current={entry.id === view ? 'page' : undefined}>{entry.label}</a></li>
            ))}
          </ul>
        </nav>
      </header>
      {view !== 'operator' && <Identity api={api} onChange={() => setIdentity((value) => value + 1)} />}
      <main id="main" tabIndex={-1} key={`${view}-${identity}`}>
        {view === 'documents' && (
          <>
            <Upload api={api} onUploaded={changed} />
            <DocumentList api={api} version={version} onChanged={changed} />
          </>
        )}
        {view === 'search' && <Search api={api} />}
        {view === 'chat' && <Chat api={api} />}
        {view === 'operator' && <Operator api={api} />}
      </main>
    </>
  )
}

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
