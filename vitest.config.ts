import { defineConfig } from 'vitest/config';

// Temporal workers are stable in forked processes; in worker_threads they crashed once several test
// files ran at once, so the pool is `forks`. Two projects: `unit` needs nothing running; `e2e`
// shares one real Temporal dev server per run, started by its global setup.
export default defineConfig({
  test: {
    pool: 'forks',
    // In CI a JSON report is written too, so .ci/run can print the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.cordon/ci/vitest.json' }]] : ['default'],
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'test/e2e/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
