/**
 * Counts the changes this process makes to a data dir (store commits and
 * recoveries, operation intents). A cached "nothing changed on disk" answer —
 * the backend's per-scope read checks, the pool's staleness checks — holds only
 * while this count stands still, so the process always sees its own changes at
 * once, and another process's within the cache's short window.
 */
let epoch = 0

export const noteLocalChange = (): void => {
  epoch++
}

export const localChangeEpoch = (): number => epoch
