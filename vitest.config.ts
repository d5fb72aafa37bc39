import { defineConfig } from 'vitest/config'

// Two projects: the fast set runs in every `npm test`; the long crash, load and
// stress runs live in *.stress.test.ts and run with `npm run test:stress`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.stress.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
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
