/** A share of the whole as a bar and a percentage, like `bento du`. The width is set through the CSSOM, which the page's CSP allows. */
export const percentOf = (fraction: number): string =>
  `${(Number.isFinite(fraction) ? fraction * 100 : 0).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`

export const ShareBar = ({ bytes, total }: { bytes: number; total: number }) => {
  const fraction = total > 0 ? Math.min(1, bytes / total) : 0
  // A scope with any bytes keeps a visible sliver next to a huge one.
  const width = fraction > 0 ? `max(2px, ${(fraction * 100).toFixed(2)}%)` : '0'
  return (
    <span class="share">
      <span class="bar" aria-hidden="true"><span class="fill" style={{ width }} /></span>
      <span class="percent">{percentOf(fraction)}</span>
    </span>
  )
}
