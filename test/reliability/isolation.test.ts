import { defineIsolationSuite } from './isolation-suite.js'

// 20 users and 1,000 requests; isolation.stress.test.ts sends 10,000.
defineIsolationSuite({ name: 'isolation-fast', users: 20, requests: 1000, concurrency: 16 })
