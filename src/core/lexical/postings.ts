/**
 * Every term's postings as columns: one packed block of typed arrays (what a file
 * decodes to, built without an object per term), then what was added since, per
 * term. A cold open decodes hundreds of thousands of postings: typed arrays make
 * that a loop over bytes, and searching them a loop over numbers.
 */
export interface PostingColumns {
  /** Terms by id, in the order they were first seen (the file's vocabulary order). */
  readonly terms: string[]
  /** Term → id. */
  readonly ids: Map<string, number>
  /** Term `t < packedTerms`: labels/tfs[offsets[t] … offsets[t + 1]), labels ascending. */
  packedTerms: number
  offsets: Uint32Array
  labels: Uint32Array
  tfs: Uint32Array
  /** Added since the packed block, per term id, in the order added. */
  readonly addedLabels: Array<number[] | undefined>
  readonly addedTfs: Array<number[] | undefined>
}

export const emptyColumns = (): PostingColumns => ({
  terms: [],
  ids: new Map(),
  packedTerms: 0,
  offsets: new Uint32Array(1),
  labels: new Uint32Array(0),
  tfs: new Uint32Array(0),
  addedLabels: [],
  addedTfs: [],
})

/** The id of `term`, added to the vocabulary when new. */
export const termId = (columns: PostingColumns, term: string): number => {
  let id = columns.ids.get(term)
  if (id === undefined) {
    id = columns.terms.length
    columns.terms.push(term)
    columns.ids.set(term, id)
  }
  return id
}

export const appendPosting = (columns: PostingColumns, id: number, label: number, tf: number): void => {
  // Kept dense: a store's first write appends to term ids in the tens of thousands, and an array
  // written there with holes below turns into a dictionary that made every append ~4× slower.
  while (columns.addedLabels.length <= id) {
    columns.addedLabels.push(undefined)
    columns.addedTfs.push(undefined)
  }
  const labels = columns.addedLabels[id]
  if (labels === undefined) {
    columns.addedLabels[id] = [label]
    columns.addedTfs[id] = [tf]
    return
  }
  labels.push(label)
  columns.addedTfs[id]!.push(tf)
}

/** How many postings term `id` holds, removed passages included. */
export const postingCount = (columns: PostingColumns, id: number): number =>
  (id < columns.packedTerms ? columns.offsets[id + 1]! - columns.offsets[id]! : 0) + (columns.addedLabels[id]?.length ?? 0)

/** Calls `visit` for every posting of term `id`: the packed ones, then the added ones. */
export const forEachPosting = (columns: PostingColumns, id: number, visit: (label: number, tf: number) => void): void => {
  if (id < columns.packedTerms) {
    const { labels, tfs } = columns
    for (let i = columns.offsets[id]!, end = columns.offsets[id + 1]!; i < end; i++) visit(labels[i]!, tfs[i]!)
  }
  const added = columns.addedLabels[id]
  if (added === undefined) return
  const tfs = columns.addedTfs[id]!
  for (let i = 0; i < added.length; i++) visit(added[i]!, tfs[i]!)
}

/** Columns holding exactly `lists` (per term, labels ascending) as one packed block. */
export const packColumns = (lists: ReadonlyArray<{ term: string; labels: ArrayLike<number>; tfs: ArrayLike<number> }>): PostingColumns => {
  let total = 0
  for (const list of lists) total += list.labels.length
  const columns = emptyColumns()
  columns.offsets = new Uint32Array(lists.length + 1)
  columns.labels = new Uint32Array(total)
  columns.tfs = new Uint32Array(total)
  let at = 0
  lists.forEach((list, id) => {
    termId(columns, list.term)
    columns.labels.set(list.labels, at)
    columns.tfs.set(list.tfs, at)
    at += list.labels.length
    columns.offsets[id + 1] = at
  })
  columns.packedTerms = lists.length
  return columns
}
