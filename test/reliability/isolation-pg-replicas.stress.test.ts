import { defineIsolationSuite } from './isolation-suite.js'

defineIsolationSuite({ name: 'isolation-pg-replicas', users: 30, requests: 5000, concurrency: 32, replicas: 'pg' })
