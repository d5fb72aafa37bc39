import { describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import { NotFoundError } from '../../src/core/errors.js'
import { customScope } from '../../src/core/keys.js'
import { deleteMemory, extractMemories, listMemories, recallMemories, rememberMemories } from '../../src/core/memory.js'
import { analyzePassage, defaultAnalyzer } from '../../src/core/lexical/index.js'
import { spyAdds } from '../helpers/spy-adds.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('extractMemories', () => {
  it.each([
    ['Remember I like Python', ['I like Python']],
    ['Please remember that my dog is called Rex.', ['my dog is called Rex']],
    ['I prefer dark mode. What time is it?', ['I prefer dark mode']],
    ["I'm a data engineer in Lisbon!", ["I'm a data engineer in Lisbon"]],
    ['My favourite editor is Helix', ['My favourite editor is Helix']],
    ['What language do I like?', []],
    ['Do you remember what I like?', []],
    ['Hello there', []],
    ['Tell me about Python', []],
  ])('%s', (message, expected) => {
    expect(extractMemories(message)).toEqual(expected)
  })

  it('keeps at most five facts and drops overlong ones', () => {
    expect(extractMemories(Array.from({ length: 8 }, (_, i) => `I like thing ${i}.`).join(' '))).toHaveLength(5)
    expect(extractMemories(`Remember ${'x'.repeat(600)}`)).toEqual([])
  })
})

describe('memory store', () => {
  it('hands the commit each memory\'s terms counted ahead (before the scope\'s lock, as ingest does), so the commit tokenizes nothing', async () => {
    const backend = createFsBackend({ dataDir: await tempDir() })
    try {
      const spy = spyAdds(backend.withStore.bind(backend))
      const remembered = await rememberMemories(Object.assign(Object.create(backend) as typeof backend, { withStore: spy.withStore }), customScope('user_a'), ['I like Python', 'Я живу в Москве'])
      expect(spy.added.map((chunk) => chunk.terms)).toEqual(['I like Python', 'Я живу в Москве'].map((text) => analyzePassage(text, defaultAnalyzer())))
      const [recalled] = await recallMemories(backend, customScope('user_a'), 'москве')
      expect(recalled?.id).toBe(remembered[1]!.id)
    } finally {
      await backend.close()
    }
  })

  it('remembers, recalls, lists and deletes in one scope only', async () => {
    const backend = createFsBackend({ dataDir: await tempDir() })
    try {
      const alice = customScope('user_a')
      const bob = customScope('user_b')
      const [python] = await rememberMemories(backend, alice, ['I like Python'], { conversationId: 'sess_x' })
      await rememberMemories(backend, alice, ['I live in Lisbon', 'I like Python'])
      expect((await listMemories(backend, alice)).map((m) => m.content)).toEqual(['I like Python', 'I live in Lisbon'])
      expect(python?.conversationId).toBe('sess_x')
      const recalled = await recallMemories(backend, alice, 'What language do I like?', 1)
      expect(recalled).toHaveLength(1)
      expect(recalled[0]?.content).toBe('I like Python')
      expect(await recallMemories(backend, bob, 'What language do I like?')).toEqual([])
      expect(await listMemories(backend, bob)).toEqual([])
      await expect(deleteMemory(backend, bob, python!.id)).rejects.toBeInstanceOf(NotFoundError)
      await deleteMemory(backend, alice, python!.id)
      expect((await listMemories(backend, alice)).map((m) => m.content)).toEqual(['I live in Lisbon'])
      await expect(deleteMemory(backend, alice, '../../x')).rejects.toBeInstanceOf(NotFoundError)
    } finally {
      await backend.close()
    }
  })
})
