/**
 * Who the page is acting for, in the server's isolation mode: the shared scope,
 * this browser's session (and a notice when the server replaced an expired one),
 * or a user key; plus an access key when the server asks for one.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Api, SessionChange } from './api.js'
import { Notice } from './notice.js'
import { accessKeySlot, tokenSlot, userKeySlot } from './storage.js'

export const Identity = ({ api, onChange }: { api: Api; onChange: () => void }) => {
  const { isolation, accessKeys, auth } = api.config
  const [replaced, setReplaced] = useState<SessionChange | undefined>()
  const [userKey, setUserKey] = useState(userKeySlot.get() ?? '')
  const [accessKey, setAccessKey] = useState('')
  const [hasAccessKey, setHasAccessKey] = useState(accessKeySlot.get() !== undefined)
  const [token, setToken] = useState('')
  const [hasToken, setHasToken] = useState(tokenSlot.get() !== undefined)

  useEffect(() => api.onSessionChange((change) => {
    setReplaced(change)
    onChange()
  }), [api])

  return (
    <section class="identity" aria-label="Who you are here">
      {isolation === 'none' && <p class="hint">Shared documents: everyone using this server sees and changes the same documents.</p>}
      {isolation === 'session' && <p class="hint">Private session: your documents and conversations belong to this browser only and expire after a period of inactivity.</p>}
      {replaced && (
        <Notice tone="info">
          Your previous session {replaced.saidExpired ? 'expired' : 'was no longer known to the server (it expired or was removed)'}; this is a new, empty session.
        </Notice>
      )}
      {auth === 'jwt' && (
        <form class="row" onSubmit={(event) => {
          event.preventDefault()
          if (token.trim() === '') return
          tokenSlot.set(token.trim())
          setHasToken(true)
          setToken('')
          onChange()
        }}>
          <label for="sign-in-token">Sign-in token</label>
          <input id="sign-in-token" type="password" autocomplete="off" value={token} onInput={(event) => setToken(event.currentTarget.value)}
            placeholder={hasToken ? 'saved for this tab' : 'the token (JWT) your app signed you in with'} />
          <button type="submit">{hasToken ? 'Replace token' : 'Use token'}</button>
        </form>
      )}
      {isolation === 'custom' && auth !== 'jwt' && (
        <form class="row" onSubmit={(event) => {
          event.preventDefault()
          userKeySlot.set(userKey.trim() || undefined)
          onChange()
        }}>
          <label for="user-key">Your user key</label>
          <input id="user-key" value={userKey} autocomplete="username" onInput={(event) => setUserKey(event.currentTarget.value)} placeholder="e.g. user-123" />
          <button type="submit">Use this key</button>
        </form>
      )}
      {accessKeys && (
        <form class="row" onSubmit={(event) => {
          event.preventDefault()
          if (accessKey.trim() === '') return
          accessKeySlot.set(accessKey.trim())
          setHasAccessKey(true)
          setAccessKey('')
          onChange()
        }}>
          <label for="access-key">Access key</label>
          <input id="access-key" type="password" autocomplete="off" value={accessKey} onInput={(event) => setAccessKey(event.currentTarget.value)}
            placeholder={hasAccessKey ? 'saved for this tab' : 'the key this server gave you'} />
          <button type="submit">{hasAccessKey ? 'Replace key' : 'Use key'}</button>
        </form>
      )}
    </section>
  )
}
