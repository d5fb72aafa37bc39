/**
 * Aligned text tables. Widths are measured on the plain text and color is
 * applied after padding, so ANSI codes never skew the columns.
 */
export type Paint = (text: string) => string

export interface Cell {
  text: string
  paint?: Paint
}

export interface Column {
  header: string
  align?: 'left' | 'right'
}

const toCell = (cell: Cell | string): Cell => (typeof cell === 'string' ? { text: cell } : cell)

/** Rows of cells under a header; returns the lines without a trailing newline. */
export const renderTable = (columns: Column[], rows: Array<Array<Cell | string>>, options: { header?: Paint; gap?: string } = {}): string[] => {
  const gap = options.gap ?? '  '
  const cells = rows.map((row) => row.map(toCell))
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((row) => row[index]?.text.length ?? 0)))
  const pad = (text: string, index: number): string => {
    const width = widths[index] ?? 0
    return columns[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width)
  }
  const joinLine = (parts: string[]): string => parts.join(gap).trimEnd()
  const header = joinLine(columns.map((column, index) => {
    const padded = pad(column.header, index)
    return options.header ? options.header(padded) : padded
  }))
  const body = cells.map((row) => joinLine(columns.map((_, index) => {
    const cell = row[index] ?? { text: '' }
    const padded = pad(cell.text, index)
    return cell.paint ? cell.paint(padded) : padded
  })))
  return [header, ...body]
}
