import { defineCrashSweep } from './crash-sweep-suite.js'

// One random kill point and the first named step per operation; crash-sweep.stress.test.ts runs 40 and every step.
defineCrashSweep({ name: 'crash-sweep-fast', randomPerOp: 1, allNamedSteps: false, concurrency: 2 })
