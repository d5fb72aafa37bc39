/** Who uses the disk: `bento du` as a table with proportional bars, optionally grouped by tenant. */
import { useEffect, useState } from 'preact/hooks'
import type { DiskUsageResult } from '../../../src/client/types.js'
import type { Api } from '../api.js'
import { formatBytes, formatWhen, plural } from '../format.js'
import { messageOf, Notice } from '../notice.js'
import { ShareBar } from './bar.js'

const TOP = 200

export const Scopes = ({ api, version, onInspect }: { api: Api; version: number; onInspect: (dir: string) => void }) => {
  const [kind, setKind] = useState('')
  const [sort, setSort] = useState('size')
  const [byTenant, setByTenant] = useState(false)
  const [usage, setUsage] = useState<DiskUsageResult | undefined>()
  const [error, setError] = useState<string | undefined>()

  useEffect(() => {
    let live = true
    const query = new URLSearchParams({ sort, top: String(TOP) })
    if (kind) query.set('kind', kind)
    if (byTenant) query.set('groupBy', 'tenant')
    api.admin<DiskUsageResult>(`/api/admin/scopes?${query}`)
      .then((result) => {
        if (!live) return
        setUsage(result)
        setError(undefined)
      })
      .catch((failure: unknown) => live && setError(`The scopes could not be listed: ${messageOf(failure)}`))
    return () => {
      live = false
    }
  }, [api, kind, sort, byTenant, version])

  return (
    <section aria-labelledby="scopes-title" class="card">
      <h2 id="scopes-title">Scopes and disk use</h2>
      <div class="row controls">
        <label>Kind <select value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
          <option value="">All</option><option value="session">Sessions</option><option value="custom">Users (custom keys)</option><option value="shared">Shared</option>
        </select></label>
        <label>Sort by <select value={sort} onChange={(event) => setSort(event.currentTarget.value)}>
          <option value="size">Size</option><option value="name">Name</option><option value="age">Last activity</option>
        </select></label>
        <label class="check"><input type="checkbox" checked={byTenant} onChange={(event) => setByTenant(event.currentTarget.checked)} /> Group by tenant</label>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {usage && (
        <>
          <p class="hint" role="status">
            {plural(usage.scopeCount, 'scope')}, {formatBytes(usage.totalBytes)} in all ({formatBytes(usage.vectorBytes)} vectors, {formatBytes(usage.uploadBytes)} uploads)
            {usage.scopeCount > usage.scopes.length ? `; the ${usage.scopes.length} shown are the first by this order.` : '.'}
          </p>
          {usage.groups && (
            <table class="usage">
              <caption>By tenant</caption>
              <thead><tr><th scope="col">Tenant</th><th scope="col">Scopes</th><th scope="col">Size</th><th scope="col">Share</th></tr></thead>
              <tbody>
                {usage.groups.map((group) => (
                  <tr key={group.tenant}>
                    <th scope="row">{group.tenant}</th>
                    <td class="number">{group.scopes}</td>
                    <td class="number">{formatBytes(group.totalBytes)}</td>
                    <td><ShareBar bytes={group.totalBytes} total={usage.totalBytes} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {usage.scopes.length === 0 ? <p class="empty">No scopes.</p> : (
            <table class="usage">
              <caption>Scopes</caption>
              <thead><tr><th scope="col">Scope</th><th scope="col">Kind</th><th scope="col">Vectors</th><th scope="col">Uploads</th><th scope="col">Size</th><th scope="col">Last active</th><th scope="col">Share</th></tr></thead>
              <tbody>
                {usage.scopes.map((row) => (
                  <tr key={row.dir}>
                    <th scope="row"><button type="button" class="link" onClick={() => onInspect(row.dir)} aria-label={`Inspect ${row.key}`}>{row.key}</button></th>
                    <td>{row.kind}</td>
                    <td class="number">{formatBytes(row.vectorBytes)}</td>
                    <td class="number">{formatBytes(row.uploadBytes)}</td>
                    <td class="number">{formatBytes(row.totalBytes)}</td>
                    <td>{formatWhen(row.lastActiveAt)}</td>
                    <td><ShareBar bytes={row.totalBytes} total={usage.totalBytes} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  )
}
