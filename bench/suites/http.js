/**
 * HTTP: `POST /api/documents/search` on Bento's server against a bare Hono
 * route answering the same JSON, both in child processes on 127.0.0.1, load
 * from autocannon's programmatic API in this process (bounded by duration).
 * The target is against the bare route as Hono apps are written (`c.req.json()`);
 * a second, untargeted comparison is against a bare route that also reads the
 * Node stream directly, as Bento does. Then 1,000 scopes (~100 chunks each) hit
 * round-robin under the default memory budget, against the one scope in the same
 * run (issue 18: ≥ 0.5×), and 10,000 scopes once.
 */
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import fse from 'fs-extra'
import { runPairs } from '../lib/pairs.js'
import { readRss } from '../lib/proc.js'
import { startServer } from '../lib/server-proc.js'
import { comparison, figure } from '../lib/compare.js'
import { requireDist } from '../lib/library.js'
import { keyOf, sampleRss, SEARCH_BODY, VECTOR_SEARCH_BODY, writeHttpScopes } from './http-fixture.js'

const MiB = 2 ** 20

/**
 * RSS the benchmark server may reach before the load is stopped: the machine is
 * shared, and a server that never frees closed indexes would otherwise take all
 * of it (10k scopes × ~3 MB).
 */
export const RSS_GUARD_BYTES = Math.min(6 * 2 ** 30, Math.floor(os.totalmem() * 0.3))

/**
 * One bounded autocannon run (duration or amount). With `guardPid`, the run
 * stops early when that process's RSS passes RSS_GUARD_BYTES (`result.guardTripped`).
 */
export const load = async ({ url, seconds, connections, keys, amount, guardPid, body = SEARCH_BODY }) => {
  let next = 0
  const instance = autocannon({
    url: `${url}/api/documents/search`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-isolation-key': keys[0] },
    body,
    connections,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    ...(keys.length > 1
      ? { requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-isolation-key': keys[next++ % keys.length] } }) }] }
      : {}),
  })
  let guardTripped = false
  const guard =
    guardPid === undefined
      ? undefined
      : setInterval(() => {
          try {
            if (readRss(guardPid).rss > RSS_GUARD_BYTES && !guardTripped) {
              guardTripped = true
              instance.stop()
            }
          } catch {
            // The server exited; the load run will report errors.
          }
        }, 100)
  const result = await instance
  if (guard) clearInterval(guard)
  result.guardTripped = guardTripped
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`load on ${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts of ${result.requests.total}`)
  }
  return result
}

export const httpSuite = {
  id: 'http',
  title: 'HTTP search throughput vs a bare Hono route; 1,000 and 10,000 scopes round-robin under the default memory budget',
  async run({ scale, seed, workDir, templatesDir, log }) {
    await requireDist('index.js', ['createBentoServer'])
    const { seconds, connections, scopes, manyScopes, storeVectors, pairs: pairCount = scale.pairs, spreadPairs } = scale.http
    const root = path.join(workDir, 'data')
    log(`  writing ${scopes} scopes of ${storeVectors} chunks…`)
    await writeHttpScopes({ root, templatesDir, count: scopes, vectors: storeVectors, seed })

    // The default memory budget and count cap (createBentoServer's): what a server gets unless configured.
    const bento = await startServer('bento-server.js', JSON.stringify({ dataDir: root, isolation: 'custom' }))
    let bare
    let bareNode
    let bareVector
    try {
      const probe = await fetch(`${bento.url}/api/documents/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-isolation-key': keyOf(0) }, body: SEARCH_BODY })
      const text = await probe.text()
      if (!probe.ok) throw new Error(`Bento search answered ${probe.status}: ${text.slice(0, 300)}`)
      const answer = JSON.parse(text)
      if (!Array.isArray(answer.results) || answer.results.length === 0) throw new Error(`Bento search found nothing: ${text.slice(0, 300)}`)
      const answerFile = path.join(workDir, 'answer.json')
      await fse.writeFile(answerFile, text)
      bare = await startServer('bare-server.js', answerFile)
      bareNode = await startServer('bare-node-server.js', answerFile)
      // Search is hybrid by default since issue 14; vector mode is the work the first HTTP figures measured.
      const vectorProbe = await fetch(`${bento.url}/api/documents/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-isolation-key': keyOf(0) }, body: VECTOR_SEARCH_BODY })
      const vectorText = await vectorProbe.text()
      if (!vectorProbe.ok || JSON.parse(vectorText).mode !== 'vector') throw new Error(`Bento vector search answered ${vectorProbe.status}: ${vectorText.slice(0, 300)}`)
      const vectorAnswerFile = path.join(workDir, 'answer-vector.json')
      await fse.writeFile(vectorAnswerFile, vectorText)
      bareVector = await startServer('bare-server.js', vectorAnswerFile)

      const one = [keyOf(0)]
      const throughput = (url) => async () => (await load({ url, seconds, connections, keys: one })).requests.average
      const pairs = await runPairs({ pairs: pairCount, log, alternate: true, a: throughput(bento.url), b: throughput(bare.url) })
      log('  against a bare route reading the Node stream:')
      const nodePairs = await runPairs({ pairs: pairCount, log, alternate: true, a: throughput(bento.url), b: throughput(bareNode.url) })
      log('  vector mode against a bare route answering its JSON:')
      const vectorThroughput = (url) => async () => (await load({ url, seconds, connections, keys: one, body: VECTOR_SEARCH_BODY })).requests.average
      const vectorPairs = await runPairs({ pairs: pairCount, log, alternate: true, a: vectorThroughput(bento.url), b: vectorThroughput(bareVector.url) })
      await Promise.all([bare.stop(), bareNode.stop(), bareVector.stop()])
      bare = undefined
      bareNode = undefined
      bareVector = undefined

      const keys = Array.from({ length: scopes }, (_, i) => keyOf(i))
      const sampler = sampleRss(readRss, bento.pid)
      let spread
      // One request per scope first, so the pairs measure the pool's steady state, not the first opens;
      // the cold pass is reported on its own.
      const cold = await load({ url: bento.url, connections, keys, amount: scopes, guardPid: bento.pid })
      log(`  ${scopes} scopes, first request each (cold opens): ${cold.requests.average.toFixed(0)} req/s, p50 ${cold.latency.p50} ms`)
      log(`  ${scopes} scopes round-robin against one scope:`)
      const spreadRun = async () => {
        spread = await load({ url: bento.url, seconds, connections, keys, guardPid: bento.pid })
        return spread.requests.average
      }
      const spreadResult = await runPairs({ pairs: spreadPairs, warmup: 0, log, alternate: true, a: spreadRun, b: throughput(bento.url) })
      const rss = sampler.stop()
      const peak = readRss(bento.pid).peak
      log(`  ${scopes} scopes round-robin: ${spread.requests.average.toFixed(0)} req/s, p50 ${spread.latency.p50} ms, p99 ${spread.latency.p99} ms, RSS max ${(rss.max / MiB).toFixed(0)} MiB`)
      log(`  writing ${manyScopes - scopes} more scopes…`)
      await writeHttpScopes({ root, templatesDir, count: manyScopes, from: scopes, vectors: storeVectors, seed, log })
      const manyKeys = Array.from({ length: manyScopes }, (_, i) => keyOf(i))
      const manySampler = sampleRss(readRss, bento.pid)
      const many = await load({ url: bento.url, seconds: seconds * 2, connections, keys: manyKeys, guardPid: bento.pid })
      const manyRss = manySampler.stop()
      const oneScope = spreadResult.baseline.median
      log(`  ${manyScopes} scopes round-robin: ${many.requests.average.toFixed(0)} req/s (${(many.requests.average / oneScope).toFixed(2)}× one scope), p50 ${many.latency.p50} ms, RSS max ${(manyRss.max / MiB).toFixed(0)} MiB`)
      return {
        setup: `${scopes} then ${manyScopes} scopes of ${storeVectors} chunks (384-d, local embedder); server with the default memory budget and count cap; ${connections} connections, ${seconds} s per side per pair; request logging off in both`,
        comparisons: [
          comparison({
            name: 'HTTP search, one scope',
            bento: `POST /api/documents/search ${SEARCH_BODY} (x-isolation-key, isolation custom)`,
            baseline: 'bare Hono route: parse the body, answer the same JSON',
            unit: 'req/s',
            better: 'higher',
            target: 0.5,
            pairs,
            note: `${answer.results.length} results per answer`,
          }),
          comparison({
            name: 'HTTP search, one scope, vector mode',
            bento: `POST /api/documents/search ${VECTOR_SEARCH_BODY} (x-isolation-key, isolation custom)`,
            baseline: 'bare Hono route: parse the body, answer the same JSON',
            unit: 'req/s',
            better: 'higher',
            target: 0.5,
            pairs: vectorPairs,
            note: 'the search the first HTTP figures measured, before hybrid (BM25 + vectors) became the default',
          }),
          comparison({
            name: 'HTTP search, one scope, vs a route reading the Node stream',
            bento: `the same Bento requests`,
            baseline: 'bare Hono route reading the body from c.env.incoming (as Bento does), answering the same JSON',
            unit: 'req/s',
            better: 'higher',
            pairs: nodePairs,
            note: 'no target: shows the cost of Bento\'s own work once neither side builds a web Request body',
          }),
          comparison({
            name: `HTTP search, ${scopes} scopes round-robin vs one scope, default memory budget`,
            bento: `the same requests, x-isolation-key cycling over ${scopes} scopes of ${storeVectors} chunks`,
            baseline: 'the same requests to one scope, same server',
            unit: 'req/s',
            better: 'higher',
            target: 0.5,
            pairs: spreadResult,
            note: `last run: p50 ${spread.latency.p50} ms, p99 ${spread.latency.p99} ms${spread.guardTripped ? `; STOPPED EARLY: server RSS passed the ${(RSS_GUARD_BYTES / MiB).toFixed(0)} MiB safety limit` : ''}`,
          }),
        ],
        figures: [
          figure({ name: `HTTP search, ${scopes} scopes round-robin, default budget: server RSS`, value: rss.max / MiB, unit: 'MiB', better: 'lower', command: 'npm run bench -- --only http', note: `sampled every 100 ms; at end ${(rss.last / MiB).toFixed(0)} MiB; VmHWM ${(peak / MiB).toFixed(0)} MiB` }),
          figure({ name: `HTTP search, ${scopes} scopes, first request to each (cold opens) ÷ one scope`, value: cold.requests.average / spreadResult.baseline.median, unit: '×', command: 'npm run bench -- --only http', note: `${cold.requests.average.toFixed(0)} req/s, p50 ${cold.latency.p50} ms, p99 ${cold.latency.p99} ms` }),
          figure({ name: `HTTP search, ${manyScopes} scopes round-robin ÷ one scope, default budget`, value: many.requests.average / oneScope, unit: '×', command: 'npm run bench -- --only http', note: `issue 18 sets ≥ 0.5× at ${scopes} scopes and asks this one to be published: ${manyScopes} stores do not fit the default budget, so most requests open one; ${many.requests.average.toFixed(0)} vs ${oneScope.toFixed(0)} req/s, p50 ${many.latency.p50} ms, p99 ${many.latency.p99} ms, ${many.requests.total} requests; RSS max ${(manyRss.max / MiB).toFixed(0)} MiB${many.guardTripped ? '; STOPPED EARLY at the RSS safety limit' : ''}` }),
        ],
      }
    } finally {
      await bare?.stop()
      await bareNode?.stop()
      await bareVector?.stop()
      await bento.stop()
    }
  },
}
