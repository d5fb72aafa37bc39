/**
 * Migrate, in process through the ops API (`planMigrate` + `applyMigrate`):
 * - into an empty target (a rename): time should be flat from 1k to 100k
 *   vectors and under 50 ms; the baseline is the operator's hand `mv` of the
 *   two dirs (fs.rename).
 * - into a non-empty target (a merge): vectors per second against raw
 *   hnswlib-node `addPoint` of the same points into the same loaded index.
 * Each run starts from a pristine copy (`cp -a`, untimed).
 */
import path from 'node:path'
import fsp from 'node:fs/promises'
import fse from 'fs-extra'
import hnswlib from 'hnswlib-node'
import { buildStore } from '../gen/store.js'
import { generateVectors } from '../gen/vectors.js'
import { textPool } from '../gen/text.js'
import { runPairs, timeMs } from '../lib/pairs.js'
import { runChecked } from '../lib/proc.js'
import { collectGarbage } from '../lib/gc.js'
import { comparison, figure } from '../lib/compare.js'
import { requireDist, SkipError } from '../lib/library.js'
import { seedFor } from '../lib/rng.js'
import { fitLine, growthExponent, median } from '../lib/stats.js'

const { HierarchicalNSW } = hnswlib

/** A scope with a store of `count` vectors and a few uploads, as Bento lays it out. */
const writeScope = async ({ root, dir, count, dimension, seed, idOffset = 0 }) => {
  const vectorsDir = path.join(root, 'vectors', 'isolated', dir)
  const made = await buildStore({ dir: vectorsDir, vectors: generateVectors({ seed, count, dimension }), dimension, seed, idOffset, efConstruction: 64 })
  if (made !== 'bento') throw new SkipError('store API unavailable')
  const pool = textPool()
  for (let d = 0; d < 4; d++) await fse.outputFile(path.join(root, 'uploads', 'isolated', dir, `doc-${idOffset + d}`, `notes-${d}.txt`), pool.subarray(d * 4096, d * 4096 + 4096))
  const now = new Date().toISOString()
  await fse.outputFile(path.join(vectorsDir, 'activity.json'), JSON.stringify({ createdAt: now, lastActiveAt: now }))
}

export const migrateSuite = {
  id: 'migrate',
  title: 'Migrate: rename into an empty target; merge into a non-empty one vs raw addPoint',
  async run({ scale, seed, workDir, log }) {
    const ops = await requireDist('ops/index.js', ['planMigrate', 'applyMigrate'])
    const { createFsBackend } = await requireDist('core/backend/index.js', ['createFsBackend'])
    const { customScope } = await requireDist('core/keys.js', ['customScope'])
    const { dimension } = scale.migrate
    const pristine = path.join(workDir, 'pristine')
    const root = path.join(workDir, 'data')
    const restore = async () => {
      await fse.remove(root)
      await runChecked('cp', ['-a', pristine, root])
    }
    const migrate = async (from, to) => {
      const backend = createFsBackend({ dataDir: root })
      try {
        let outcome
        const ms = await timeMs(async () => {
          const plan = await ops.planMigrate(backend, { from: customScope(from), to: customScope(to) })
          outcome = await ops.applyMigrate(backend, plan)
        })
        return { ms, outcome }
      } finally {
        await backend.close()
      }
    }

    const comparisons = []
    const figures = []
    const renameSeries = []
    for (const count of scale.migrate.sizes) {
      await fse.remove(pristine)
      log(`  building a ${count}-vector source scope…`)
      await writeScope({ root: pristine, dir: 'user-src', count, dimension, seed: seedFor(seed, 'src', count) })
      await restore()
      const check = await migrate('user-src', 'user-dst')
      if (check.outcome.mode !== 'rename' || check.outcome.vectors !== count) {
        throw new Error(`expected a rename of ${count} vectors, got ${check.outcome.mode} of ${check.outcome.vectors}`)
      }
      const pairs = await runPairs({
        pairs: scale.migrate.repeats,
        log,
        prepare: restore,
        a: async () => (await migrate('user-src', 'user-dst')).ms,
        b: async () =>
          timeMs(async () => {
            for (const tree of ['vectors', 'uploads']) await fsp.rename(path.join(root, tree, 'isolated', 'user-src'), path.join(root, tree, 'isolated', 'user-dst'))
          }),
      })
      renameSeries.push([count, pairs.bento.median])
      comparisons.push(
        comparison({
          name: `migrate into empty target, ${count / 1000}k vectors`,
          bento: 'planMigrate + applyMigrate (user-src → user-dst)',
          baseline: 'fs.rename of the two scope dirs (a hand mv)',
          unit: 'ms',
          pairs,
          note: 'target: flat, Bento under 50 ms',
        }),
      )
      figures.push(figure({ name: `migrate into empty target, ${count / 1000}k vectors`, value: pairs.bento.median, unit: 'ms', target: 50, better: 'lower', command: 'npm run bench -- --only migrate', spread: pairs.bento }))
    }
    const xs = renameSeries.map(([x]) => x)
    const ys = renameSeries.map(([, y]) => y)
    const flat = { exponent: growthExponent(xs, ys), slopePer1kVectors: fitLine(xs, ys).slope * 1000 }

    // Merge: a non-empty target, no re-embedding (vectors come from the source index).
    const { source, target } = scale.migrate.merge
    await fse.remove(pristine)
    log(`  building merge scopes: ${source} into ${target}…`)
    await writeScope({ root: pristine, dir: 'user-src', count: source, dimension, seed: seedFor(seed, 'merge-src'), idOffset: 1_000_000 })
    await writeScope({ root: pristine, dir: 'user-dst', count: target, dimension, seed: seedFor(seed, 'merge-dst') })
    await restore()
    const check = await migrate('user-src', 'user-dst')
    if (check.outcome.mode !== 'merge' || check.outcome.vectors !== source) throw new Error(`expected a merge of ${source} vectors, got ${check.outcome.mode} of ${check.outcome.vectors}`)
    const sourceIndex = new HierarchicalNSW('cosine', dimension)
    await sourceIndex.readIndex(path.join(pristine, 'vectors', 'isolated', 'user-src', 'hnswlib.index'))
    const points = sourceIndex.getIdsList().map((label) => sourceIndex.getPoint(label))
    const pairs = await runPairs({
      pairs: scale.pairs,
      log,
      prepare: restore,
      a: async () => {
        collectGarbage()
        return source / ((await migrate('user-src', 'user-dst')).ms / 1000)
      },
      b: async () => {
        collectGarbage()
        const index = new HierarchicalNSW('cosine', dimension)
        await index.readIndex(path.join(root, 'vectors', 'isolated', 'user-dst', 'hnswlib.index'))
        index.resizeIndex(target + source)
        const ms = await timeMs(async () => {
          points.forEach((point, i) => index.addPoint(point, target + i))
        })
        return source / (ms / 1000)
      },
    })
    await fse.remove(root)
    comparisons.push(
      comparison({
        name: `merge ${source / 1000}k into ${target / 1000}k vectors`,
        bento: 'planMigrate + applyMigrate (merge), whole operation',
        baseline: 'index.addPoint of the same points into the loaded target index (loop only)',
        unit: 'vectors/s',
        better: 'higher',
        target: 0.7,
        pairs,
        note: `no re-embedding: merge reads the source's stored vectors; stores built with efConstruction 64`,
      }),
    )
    return {
      setup: `one source scope per size (384-d store through the store API, efConstruction 64 to keep the 100k build short; migrate does not depend on it) + 4 uploads`,
      comparisons,
      figures,
      series: { migrateRename: renameSeries },
      flat: { ...flat, medianMs: median(ys) },
    }
  },
}
