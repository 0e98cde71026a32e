import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The integration suites start real daemons and processes; keep the two cores honest.
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
