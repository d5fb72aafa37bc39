import { defineConcurrencySuite } from './concurrency-suite.js'

// 5 s of load beside the CLI; concurrency.stress.test.ts runs 45 s, more scopes, and waits for real lock staleness.
defineConcurrencySuite({ name: 'concurrency-fast', activeUsers: 6, idleUsers: 4, loadMs: 5000, connections: 8, realStaleWait: false })
