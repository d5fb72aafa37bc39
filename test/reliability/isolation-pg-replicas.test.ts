import { defineIsolationSuite } from './isolation-suite.js'

// Two replicas on one database, lean: 4 users and 200 requests; isolation-pg-replicas.stress.test.ts sends 5,000 for 30 users.
defineIsolationSuite({ name: 'isolation-pg-replicas-fast', users: 4, requests: 200, concurrency: 8, replicas: 'pg' })
