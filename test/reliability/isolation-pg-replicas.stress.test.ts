import { defineIsolationSuite } from './isolation-suite.js'

// The only two-replica isolation run (the default suite has two-replica checks in test/server/pg-replicas.test.ts,
// pg-conversations.test.ts and pg-store.test.ts; this one costs ~11 s even lean).
defineIsolationSuite({ name: 'isolation-pg-replicas', users: 30, requests: 5000, concurrency: 32, replicas: 'pg' })
