import { embedBatchingSuite } from './add-embed-batching-suite.js'

// 5,000 files (each written with fsyncs) take a minute: test/ops/add-embed-batching.stress.test.ts.
embedBatchingSuite(120, 8)
