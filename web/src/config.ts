/** What the server told the page in its HTML (src/server/web-ui.ts, `PageConfig`). */
import type { PageConfig } from '../../src/server/web-ui.js'

export type { PageConfig }

export const readPageConfig = (doc: Document = document): PageConfig => {
  const raw = doc.querySelector('meta[name="bento-config"]')?.getAttribute('content')
  const fallback: PageConfig = { isolation: 'none', auth: 'none', llm: false, accessKeys: false, maxFileBytes: 10 * 1024 * 1024 }
  if (!raw) return fallback
  try {
    return { ...fallback, ...(JSON.parse(raw) as Partial<PageConfig>) }
  } catch {
    return fallback
  }
}
