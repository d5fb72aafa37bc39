import { defineConcurrencySuite } from './concurrency-suite.js'

defineConcurrencySuite({ name: 'concurrency', activeUsers: 30, idleUsers: 24, loadMs: 45_000, connections: 32, realStaleWait: true })
