import { defineConcurrencySuite } from './concurrency-suite.js'

// The 5 s sample, in the stress project: it needs a second of requests per lock window, which a
// machine at load average 10 cannot promise. concurrency.stress.test.ts runs 45 s, more scopes, and waits for real lock staleness.
defineConcurrencySuite({ name: 'concurrency-fast', activeUsers: 6, idleUsers: 4, loadMs: 5000, connections: 8, realStaleWait: false })
