/**
 * Cleanup as the CLI does it: the plan first (a dry run), then an explicit
 * confirmation that removes exactly the scopes shown, each still checked for
 * expiry when it is removed (a scope used since the preview is kept).
 */
import { useState } from 'preact/hooks'
import type { CleanupResult } from '../../../src/client/types.js'
import { tryParseDuration } from '../../../src/core/duration.js'
import { jsonBody, type Api } from '../api.js'
import { formatBytes, formatWhen, plural } from '../format.js'
import { messageOf, Notice } from '../notice.js'

interface Planned {
  olderThanMs: number
  result: CleanupResult
}

export const Cleanup = ({ api, onChanged }: { api: Api; onChanged: () => void }) => {
  const [olderThan, setOlderThan] = useState('24h')
  const [users, setUsers] = useState(false)
  const [plan, setPlan] = useState<Planned | undefined>()
  const [done, setDone] = useState<CleanupResult | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)

  const reset = () => {
    setPlan(undefined)
    setDone(undefined)
    setError(undefined)
  }

  const preview = async (event: Event) => {
    event.preventDefault()
    reset()
    const olderThanMs = tryParseDuration(olderThan)
    if (olderThanMs === undefined || olderThanMs <= 0) {
      setError(`“${olderThan}” is not a duration. Write it as 90s, 30m, 24h, 7d or 2w (or 1d12h).`)
      return
    }
    setBusy(true)
    try {
      const result = await api.admin<CleanupResult>('/api/admin/cleanup', jsonBody({ olderThanMs, kinds: users ? ['session', 'custom'] : ['session'], dryRun: true }))
      setPlan({ olderThanMs, result })
    } catch (failure) {
      setError(`The cleanup could not be planned: ${messageOf(failure)}`)
    } finally {
      setBusy(false)
    }
  }

  const apply = async () => {
    if (!plan) return
    setBusy(true)
    try {
      const result = await api.admin<CleanupResult>('/api/admin/cleanup', jsonBody({ olderThanMs: plan.olderThanMs, scopes: plan.result.removed.map((scope) => scope.dir), dryRun: false }))
      setPlan(undefined)
      setDone(result)
      onChanged()
    } catch (failure) {
      setError(`The cleanup failed: ${messageOf(failure)}. Nothing was removed unless the scopes list says otherwise; preview again to see.`)
      onChanged()
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="cleanup-title" class="card">
      <h2 id="cleanup-title">Clean up inactive scopes</h2>
      <form onSubmit={preview} class="stack">
        <label for="cleanup-age">Remove scopes inactive for longer than</label>
        <input id="cleanup-age" value={olderThan} onInput={(event) => { setOlderThan(event.currentTarget.value); reset() }} aria-describedby="cleanup-hint" autocomplete="off" />
        <p id="cleanup-hint" class="hint">A duration: 90s, 30m, 24h, 7d, 2w. Sessions are always candidates; the shared scope never is.</p>
        <label class="check"><input type="checkbox" checked={users} onChange={(event) => { setUsers(event.currentTarget.checked); reset() }} /> Also users (custom keys)</label>
        <div class="row"><button type="submit" disabled={busy}>Preview the cleanup</button></div>
      </form>
      {error && <Notice tone="error">{error}</Notice>}
      {plan && (plan.result.removed.length === 0 ? (
        <Notice tone="info">Nothing to remove: no scope has been inactive that long.{plan.result.skipped.length > 0 ? ` ${plural(plan.result.skipped.length, 'scope')} skipped.` : ''}</Notice>
      ) : (
        <div class="plan">
          <h3>The plan: remove {plural(plan.result.removed.length, 'scope')}, {formatBytes(plan.result.freedBytes)}</h3>
          <ul>
            {plan.result.removed.map((scope) => <li key={scope.dir}><code>{scope.key}</code> ({scope.kind}), {formatBytes(scope.bytes)}, last active {formatWhen(scope.lastActiveAt)}</li>)}
          </ul>
          <p>Their vectors, uploads, conversations and memory are deleted. This cannot be undone.</p>
          <div class="row">
            <button type="button" class="danger" disabled={busy} onClick={() => void apply()}>Remove {plural(plan.result.removed.length, 'scope')}</button>
            <button type="button" onClick={reset}>Cancel</button>
          </div>
        </div>
      ))}
      {plan && plan.result.skipped.length > 0 && <Skipped result={plan.result} />}
      {done && (
        <>
          <Notice tone="success">Removed {plural(done.removed.length, 'scope')} and freed {formatBytes(done.freedBytes)}.</Notice>
          {done.skipped.length > 0 && <Skipped result={done} />}
        </>
      )}
    </section>
  )
}

const Skipped = ({ result }: { result: CleanupResult }) => (
  <div class="skipped">
    <h3>Skipped</h3>
    <ul>{result.skipped.map((scope) => <li key={scope.dir}><code>{scope.key}</code>: {scope.reason}</li>)}</ul>
  </div>
)
