#!/usr/bin/env node
/**
 * Generates a benchmark data dir by hand, e.g. to profile a command on it:
 *
 *   node bench/gen/cli.js --scopes 1000 --out bench/.data/manual [--profile du|scaling] [--expired 0.5] [--sessions]
 *   node --cpu-prof --cpu-prof-dir bench/out bin/bento.js du --json --data-dir bench/.data/manual > /dev/null
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import fse from 'fs-extra'
import { generateDataDir, PROFILES } from './scopes.js'

const { values } = parseArgs({
  options: {
    scopes: { type: 'string', default: '1000' },
    out: { type: 'string' },
    profile: { type: 'string', default: 'du' },
    expired: { type: 'string', default: '0.5' },
    sessions: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20251125' },
  },
})
if (!values.out) throw new Error('--out DIR is required')
const root = path.resolve(values.out)
const templatesDir = `${root}.templates`
await fse.emptyDir(root)
const tree = await generateDataDir({
  root,
  seed: Number(values.seed),
  to: Number(values.scopes),
  profile: PROFILES[values.profile],
  expiredFraction: Number(values.expired),
  sessionsOnly: values.sessions,
  templatesDir,
  onProgress: (done, total) => process.stderr.write(`${done}/${total}\n`),
})
await fse.remove(templatesDir)
console.log(JSON.stringify({ root, scopes: tree.scopes.length, files: tree.files, bytes: tree.bytes }))
