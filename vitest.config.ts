import { defineConfig } from 'vitest/config'

// Three projects: the fast set runs in every `npm test`; the long crash, load and
// stress runs live in *.stress.test.ts and run with `npm run test:stress`; the
// browser tests in test/web/ run with `npm run test:browser`.
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine,
    // while most test time is spent waiting on child processes and the disk.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.stress.test.ts', 'test/web/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        // The web page in a real Chromium (`npm run test:browser`, also run by .ci/run): one shared
        // browser, but still too slow for the default suite's budget.
        test: {
          name: 'browser',
          include: ['test/web/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'stress',
          include: ['test/**/*.stress.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
})
