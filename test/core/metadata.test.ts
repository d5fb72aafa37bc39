import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../src/core/errors.js'
import { MAX_METADATA_BYTES, parseMetadataJson, userMetadata } from '../../src/core/metadata.js'

describe('parseMetadataJson', () => {
  it('accepts scalars, arrays and objects nested up to three levels', () => {
    const text = '{"team":"billing","year":2024,"public":false,"owner":null,"tags":["a","b"],"o":{"x":{"y":1}}}'
    expect(parseMetadataJson(text)).toEqual(JSON.parse(text))
  })

  it.each([
    ['not JSON', '{"team":', /not valid JSON/],
    ['an array', '["a"]', /expected record/i],
    ['a fourth level', '{"o":{"x":{"y":{"z":1}}}}', /o\.x\.y/],
    ['Bento\'s own key', '{"source":"evil.txt"}', /Bento's own/],
    ['a key with a space', '{"bad key":1}', /keys are/],
    ['a long string', JSON.stringify({ note: 'x'.repeat(1001) }), /note/],
    ['too many keys', JSON.stringify(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))), /at most 32 keys/],
    ['too many bytes', JSON.stringify({ a: 'x'.repeat(900), b: 'x'.repeat(900), c: Array.from({ length: 90 }, () => 'y'.repeat(90)) }), new RegExp(`${MAX_METADATA_BYTES} bytes`)],
  ])('refuses %s with a message naming the problem', (_name, text, message) => {
    expect(() => parseMetadataJson(text)).toThrow(InvalidInputError)
    expect(() => parseMetadataJson(text)).toThrow(message)
  })
})

describe('userMetadata', () => {
  it('leaves Bento\'s own keys out', () => {
    expect(userMetadata({ source: 'a.md', fileType: 'md', createdAt: 'x', bytes: 3, team: 'billing' })).toEqual({ team: 'billing' })
  })
})
