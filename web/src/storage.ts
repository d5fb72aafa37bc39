/**
 * What the page remembers. The session id lives in localStorage under the
 * seed page's own name (`session-id`), so a page written from the seed and this
 * one share a session. Secrets (an access token, the admin key) live in
 * sessionStorage only: they go when the tab closes.
 */
const read = (store: Storage, name: string): string | undefined => {
  try {
    return store.getItem(name) ?? undefined
  } catch {
    return undefined
  }
}

const write = (store: Storage, name: string, value: string | undefined): void => {
  try {
    if (value === undefined || value === '') store.removeItem(name)
    else store.setItem(name, value)
  } catch {
    // Storage can be disabled (private modes); the page still works for this visit.
  }
}

const slot = (store: () => Storage, name: string) => ({
  get: (): string | undefined => read(store(), name),
  set: (value: string | undefined): void => write(store(), name, value),
})

export const sessionIdSlot = slot(() => localStorage, 'session-id')
export const userKeySlot = slot(() => localStorage, 'bento-user-key')
export const accessKeySlot = slot(() => sessionStorage, 'bento-access-key')
export const adminKeySlot = slot(() => sessionStorage, 'bento-admin-key')
export const tokenSlot = slot(() => sessionStorage, 'bento-token')

/** A fresh session id as the server writes them: 32 lowercase hex digits (128 random bits). */
export const newSessionId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')
