import { defineCrashSweep } from './crash-sweep-suite.js'

// One random fs-call kill point per operation (seeded); crash-sweep.stress.test.ts runs 40 and every named step.
defineCrashSweep({ name: 'crash-sweep-fast', randomPerOp: 1, namedSteps: 'none', concurrency: 2 })
