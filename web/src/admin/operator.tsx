/**
 * The operator's page. The admin key is typed here, checked against the server
 * once, and kept in session storage only (gone when the tab closes).
 */
import { useState } from 'preact/hooks'
import { ApiError, type Api } from '../api.js'
import { messageOf, Notice } from '../notice.js'
import { adminKeySlot } from '../storage.js'
import { Cleanup } from './cleanup.js'
import { Inspect } from './inspect.js'
import { Migrate } from './migrate.js'
import { Scopes } from './scopes.js'

const explain = (error: unknown): string => {
  if (error instanceof ApiError && error.status === 401) return 'That admin key is not valid. Check it and try again.'
  if (error instanceof ApiError && error.status === 403) return error.message
  return `The key could not be checked: ${messageOf(error)}`
}

export const Operator = ({ api }: { api: Api }) => {
  const [adminKey, setAdminKey] = useState(adminKeySlot.get())
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const [inspecting, setInspecting] = useState<string | undefined>()
  const [version, setVersion] = useState(0)

  const signIn = async (event: Event) => {
    event.preventDefault()
    const key = typed.trim()
    if (key === '') {
      setError('Enter the admin key first.')
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      await api.admin('/api/admin/scopes?top=1', {}, key)
      adminKeySlot.set(key)
      setAdminKey(key)
      setTyped('')
    } catch (failure) {
      setError(explain(failure))
    } finally {
      setBusy(false)
    }
  }

  const signOut = () => {
    adminKeySlot.set(undefined)
    setAdminKey(undefined)
    setInspecting(undefined)
  }

  if (adminKey === undefined) {
    return (
      <section aria-labelledby="operator-title" class="card narrow">
        <h2 id="operator-title">Operator sign-in</h2>
        <p>The operator's pages show every scope on this server. They need the admin key (<code>BENTO_ADMIN_KEYS</code>).</p>
        <form class="stack" onSubmit={signIn}>
          <label for="admin-key">Admin key</label>
          <input id="admin-key" type="password" autocomplete="off" value={typed} onInput={(event) => setTyped(event.currentTarget.value)} aria-describedby="admin-key-hint" />
          <p id="admin-key-hint" class="hint">Kept in this tab only, until you close it or sign out.</p>
          <div class="row"><button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button></div>
        </form>
        {error && <Notice tone="error">{error}</Notice>}
      </section>
    )
  }

  const changed = () => setVersion((value) => value + 1)
  return (
    <>
      <div class="row end"><button type="button" onClick={signOut}>Sign out of the operator's pages</button></div>
      <Scopes api={api} version={version} onInspect={setInspecting} />
      {inspecting && <Inspect key={`${inspecting}-${version}`} api={api} dir={inspecting} onClose={() => setInspecting(undefined)} />}
      <Cleanup api={api} onChanged={changed} />
      <Migrate api={api} onChanged={changed} />
    </>
  )
}
