import { defineIsolationSuite } from './isolation-suite.js'

defineIsolationSuite({ name: 'isolation', users: 50, requests: 10_000, concurrency: 32 })
