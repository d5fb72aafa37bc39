/** Migrate as the CLI does it: the plan first (a dry run), then an explicit confirmation. */
import { useState } from 'preact/hooks'
import type { MigrateResult } from '../../../src/client/types.js'
import { jsonBody, type Api } from '../api.js'
import { formatBytes, plural } from '../format.js'
import { messageOf, Notice } from '../notice.js'

const describe = (result: MigrateResult): string =>
  `${plural(result.documents, 'document')}, ${plural(result.vectors, 'vector')}, ${plural(result.uploads, 'upload')}, ${plural(result.conversations, 'conversation')} (${formatBytes(result.bytes)})`

export const Migrate = ({ api, onChanged }: { api: Api; onChanged: () => void }) => {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [copy, setCopy] = useState(false)
  const [plan, setPlan] = useState<MigrateResult | undefined>()
  const [done, setDone] = useState<MigrateResult | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)

  const reset = () => {
    setPlan(undefined)
    setDone(undefined)
    setError(undefined)
  }

  const run = async (dryRun: boolean) => {
    setBusy(true)
    setError(undefined)
    try {
      const result = await api.admin<MigrateResult>('/api/admin/migrate', jsonBody({ from: from.trim(), to: to.trim(), copy, dryRun }))
      if (dryRun) setPlan(result)
      else {
        setPlan(undefined)
        setDone(result)
        onChanged()
      }
    } catch (failure) {
      setError(`${dryRun ? 'The migration could not be planned' : 'The migration failed'}: ${messageOf(failure)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="migrate-title" class="card">
      <h2 id="migrate-title">Migrate a scope</h2>
      <form class="stack" onSubmit={(event) => {
        event.preventDefault()
        reset()
        if (from.trim() === '' || to.trim() === '') setError('Name both scopes: the one to move from and the key to move it to.')
        else void run(true)
      }}>
        <label for="migrate-from">From (a key or directory name, e.g. shared)</label>
        <input id="migrate-from" value={from} onInput={(event) => { setFrom(event.currentTarget.value); reset() }} autocomplete="off" />
        <label for="migrate-to">To (a key, e.g. user-123)</label>
        <input id="migrate-to" value={to} onInput={(event) => { setTo(event.currentTarget.value); reset() }} autocomplete="off" />
        <label class="check"><input type="checkbox" checked={copy} onChange={(event) => { setCopy(event.currentTarget.checked); reset() }} /> Copy (keep the source)</label>
        <div class="row"><button type="submit" disabled={busy}>Preview the migration</button></div>
      </form>
      {error && <Notice tone="error">{error}</Notice>}
      {plan && (
        <div class="plan">
          <h3>The plan: {plan.copy ? 'copy' : 'move'} {plan.from} to {plan.to} ({plan.mode === 'rename' ? 'a rename: the target is empty' : 'a merge into existing data'})</h3>
          <p>{describe(plan)}.</p>
          <div class="row">
            <button type="button" class="danger" disabled={busy} onClick={() => void run(false)}>{plan.copy ? 'Copy' : 'Move'} to {plan.to}</button>
            <button type="button" onClick={reset}>Cancel</button>
          </div>
        </div>
      )}
      {done && <Notice tone="success">{done.copy ? 'Copied' : 'Moved'} {describe(done)} from {done.from} to {done.to}.</Notice>}
    </section>
  )
}
