/**
 * Builds Bento servers on temp data dirs for tests and stops them afterwards.
 * Logs are silenced unless a test passes its own logger.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach } from 'vitest'
import { createBentoServer, type BentoServer, type BentoServerOptions } from '../../src/server/index.js'
import { useTempDirs } from '../helpers/temp-dir.js'

export const useServers = () => {
  const tempDir = useTempDirs()
  const servers: BentoServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()))
  })
  return async (options: BentoServerOptions = {}): Promise<BentoServer> => {
    const server = createBentoServer({ dataDir: await tempDir('bento-server-'), logger: false, ...options })
    servers.push(server)
    return server
  }
}

/** Every file and dir below `root`, relative, sorted. */
export const listTree = async (root: string): Promise<string[]> => {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[])
  return entries.map((entry) => entry.split(path.sep).join('/')).sort()
}

export const uploadForm = (name: string, content: string | Uint8Array, type = 'text/plain'): FormData => {
  const form = new FormData()
  form.append('file', new File([typeof content === 'string' ? content : new Uint8Array(content)], name, { type }))
  return form
}

export const jsonRequest = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
