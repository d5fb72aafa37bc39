/**
 * docs/CLI.md carries the exact `--help` of `bento` and of every command it
 * lists (so a command added later, like `serve`, must be documented too).
 * `BENTO_UPDATE_DOCS=1` rewrites the block instead of failing.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, REPO_ROOT, runBento } from './support/bento.js'

const DOC = path.join(REPO_ROOT, 'docs/CLI.md')
const BEGIN = '<!-- help:begin -->'
const END = '<!-- help:end -->'

const commandsIn = (rootHelp: string): string[] => {
  const section = rootHelp.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? ''
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z][a-z-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help')
}

const helpBlock = (name: string, help: string): string =>
  `### \`bento${name ? ` ${name}` : ''}\`\n\n<!-- help:${name || 'bento'} -->\n\`\`\`text\n${help.trimEnd()}\n\`\`\`\n<!-- /help:${name || 'bento'} -->\n`

describe('docs/CLI.md', () => {
  const helps = new Map<string, string>()

  beforeAll(async () => {
    assertBuilt()
    const root = await runBento(['--help'])
    expect(root.code).toBe(0)
    helps.set('', root.stdout)
    const names = commandsIn(root.stdout)
    const results = await Promise.all(names.map((name) => runBento([name, '--help'])))
    names.forEach((name, index) => {
      expect(results[index]!.code, `${name} --help`).toBe(0)
      helps.set(name, results[index]!.stdout)
    })
  })

  it('lists the commands of the issue', () => {
    expect([...helps.keys()]).toEqual(expect.arrayContaining(['migrate', 'cleanup', 'inspect', 'du', 'ls', 'add', 'search']))
  })

  it('has examples in the help of every command', () => {
    for (const [name, help] of helps) expect(help, `bento ${name} --help`).toMatch(/Examples:\n {2}\$ bento /)
  })

  it('holds the exact --help of bento and of every command', async () => {
    const doc = await fsp.readFile(DOC, 'utf8')
    const start = doc.indexOf(BEGIN)
    const end = doc.indexOf(END)
    expect(start, 'help markers in docs/CLI.md').toBeGreaterThan(-1)
    expect(end).toBeGreaterThan(start)
    const generated = `${BEGIN}\n\n${[...helps].map(([name, help]) => helpBlock(name, help)).join('\n')}\n${END}`
    const current = doc.slice(start, end + END.length)
    if (process.env.BENTO_UPDATE_DOCS === '1' && current !== generated) {
      await fsp.writeFile(DOC, doc.slice(0, start) + generated + doc.slice(end + END.length))
      return
    }
    expect(current, 'docs/CLI.md is out of date: run BENTO_UPDATE_DOCS=1 npx vitest run --project unit test/cli/docs.test.ts').toBe(generated)
  })
})
