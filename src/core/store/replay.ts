/**
 * Opening a store with a commit log: the base files as read, then each log record
 * applied in order. Deleted base points are marked in the base index (hnswlib's
 * delete mark, or the flat index's flag: in memory only, the file is untouched);
 * added points go to the delta segment, their documents to the docstore and their
 * texts to the lexical index (through its API, as a write would). Anything that
 * does not fit the base (a label twice, a deletion of nothing) is corruption.
 */
import { CorruptStoreError } from '../errors.js'
import { addPassage, removeLabel, type LexicalIndex, type PassageTerms } from '../lexical/index.js'
import { appendPoints, createDelta, deleteFromDelta, deltaHas, type DeltaSegment } from './delta.js'
import type { Docstore } from './docstore.js'
import { LOG_FILE } from './files.js'
import { markFlatDeleted, type FlatIndex } from './flat-index.js'
import type { Index } from './hnsw.js'
import type { LogRecord } from './log-file.js'
import type { Space } from './types.js'

export interface ReplayTarget {
  docs: Docstore
  lexical: LexicalIndex | undefined
  index: Index | undefined
  flat: FlatIndex | undefined
  delta: DeltaSegment | undefined
}

/** Marks a base point deleted in whichever index holds it in memory. */
export const deleteFromBase = (target: Pick<ReplayTarget, 'index' | 'flat'>, label: number): void => {
  if (target.flat) markFlatDeleted(target.flat, label)
  if (target.index) target.index.markDelete(label)
}

/**
 * Applies one record to memory (after it is durable, or while replaying). Throws on a record that does not fit.
 * `counted`: the added passages' terms counted ahead (a write's own record; a replay tokenizes the texts).
 */
export const applyRecord = (target: ReplayTarget, record: LogRecord, dimension: number, space: Space, nextLabel: number, counted?: ReadonlyArray<PassageTerms | undefined>): void => {
  const fail = (what: string): never => {
    throw new CorruptStoreError(`${LOG_FILE}: ${what}.`)
  }
  for (const label of record.delete) {
    if (!target.docs.delete(label)) fail(`deletes label ${label}, which is not live`)
    if (target.lexical) removeLabel(target.lexical, label)
    if (deltaHas(target.delta, label)) deleteFromDelta(target.delta!, label)
    else deleteFromBase(target, label)
  }
  if (record.add.length === 0) return
  const labels: number[] = []
  record.add.forEach(([label, doc], i) => {
    if (label >= nextLabel || target.docs.has(label) || deltaHas(target.delta, label)) fail(`adds label ${label}, which is taken or beyond nextLabel ${nextLabel}`)
    target.docs.set(label, doc)
    if (target.lexical) addPassage(target.lexical, label, doc.pageContent, counted?.[i])
    labels.push(label)
  })
  target.delta ??= createDelta(dimension, space)
  appendPoints(target.delta, labels, record.vectors)
}
