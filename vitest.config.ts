import { defineConfig } from 'vitest/config';

// Temporal workers are stable in forked processes; worker threads crashed with several files
// (see ../shared/reference/temporal-notes.md). One dev server serves the whole run (globalSetup).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
