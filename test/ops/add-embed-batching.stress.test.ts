import { embedBatchingSuite } from './add-embed-batching-suite.js'

embedBatchingSuite(5000, 64)
