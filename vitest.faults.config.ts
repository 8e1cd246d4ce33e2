import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the fault-injection scenarios (test/faults). They kill and
 * restart Redis and the app and wait for BullMQ's stalled-job check, so they take minutes and
 * run apart from `npm test` (CI runs both, see .ci/run).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
