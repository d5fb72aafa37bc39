import { describe, expect, it } from 'vitest'
import { CorruptStoreError } from '../../../src/core/errors.js'
import { parseDocstore, serializeDocstore } from '../../../src/core/store/docstore.js'

const parse = (entries: unknown) => parseDocstore(JSON.stringify(entries))

describe('parseDocstore', () => {
  it('reads what LangChain writes and serializes it back unchanged', () => {
    const text = JSON.stringify([
      ['0', { pageContent: 'zero', metadata: { source: 'a.txt' } }],
      ['4294967295', { pageContent: 'max', metadata: {}, id: 'doc-id' }],
    ])
    const docs = parseDocstore(text)
    expect([...docs.keys()]).toEqual([0, 4_294_967_295])
    expect(docs.get(4_294_967_295)).toEqual({ pageContent: 'max', metadata: {}, id: 'doc-id' })
    expect(serializeDocstore(docs)).toBe(text)
  })

  it('defaults missing metadata to {} and drops an id that is not a string', () => {
    const docs = parse([['1', { pageContent: 'x', id: 7 }]])
    expect(docs.get(1)).toEqual({ pageContent: 'x', metadata: {} })
  })

  it.each([
    ['042'], ['1e3'], [' 7'], ['-1'], ['-0'], ['0x1'], ['1.5'], ['4294967296'], [''], [7], [null],
  ])('refuses the label %j (not a canonical uint32 decimal string)', (label) => {
    expect(() => parse([[label, { pageContent: 'x', metadata: {} }]])).toThrow(/is not a uint32 decimal string/)
  })

  it.each([
    [[['1', { pageContent: 'a' }], ['1', { pageContent: 'b' }]], /entry 1: label 1 appears twice/],
    [[['1', { pageContent: 3 }]], /entry 0: pageContent must be a string/],
    [[['1', { pageContent: 'a', metadata: [] }]], /entry 0: metadata must be an object/],
    [[['1', { pageContent: 'a' }, 'extra']], /entry 0 is not a \[label, document\] pair/],
    [{ not: 'an array' }, /expected an array/],
  ])('refuses a malformed docstore with a CorruptStoreError naming the entry (%#)', (entries, message) => {
    expect(() => parse(entries)).toThrow(CorruptStoreError)
    expect(() => parse(entries)).toThrow(message)
  })

  it('refuses text that is not JSON', () => {
    expect(() => parseDocstore('[["1",')).toThrow(/not valid JSON/)
  })
})
