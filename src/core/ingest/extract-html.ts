import { convert, type HtmlToTextOptions } from 'html-to-text'

const options = (length: number): HtmlToTextOptions => ({
  wordwrap: false,
  // The default cap silently truncates with "...": the size limit is enforced before this.
  limits: { maxInputLength: Math.max(length, 1) },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', options: { uppercaseHeaderCells: false } },
  ],
})

/** The first `<title>`, found with fixed-length patterns (no backtracking on a crafted page). */
const findTitle = (html: string): string | undefined => {
  const open = /<title[\s>]/i.exec(html)
  if (!open) return undefined
  const start = html.indexOf('>', open.index) + 1
  const close = /<\/title/gi
  close.lastIndex = start
  const end = start > 0 ? (close.exec(html)?.index ?? -1) : -1
  if (end < 0) return undefined
  const title = convert(html.slice(start, end), options(end - start)).replace(/\s+/g, ' ').trim()
  return title || undefined
}

/** Visible text of an HTML page (scripts, styles and the head are dropped) and its title. */
export const extractHtmlText = (html: string): { title: string | undefined; text: string } => ({
  title: findTitle(html),
  text: convert(html, options(html.length)),
})
